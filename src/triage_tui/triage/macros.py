"""Macros: Zendesk placeholders rendered for a ticket, and actions turned into a change set.

The preview must say exactly what sending will do, so the same `ChangeSet` produces both
the preview lines and the update payload.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

_PLACEHOLDER = re.compile(
    r"\{\{\s*(?P<name>[A-Za-z_][\w.]*)\s*(?:\|\s*default:\s*(?P<quote>['\"])(?P<default>.*?)(?P=quote)\s*)?\}\}"
)

STATUS_LABELS = {
    "new": "New",
    "open": "Open",
    "pending": "Pending",
    "hold": "On-hold",
    "solved": "Solved",
    "closed": "Closed",
}


def placeholder_context(
    *,
    ticket_id: int | None = None,
    title: str = "",
    status: str = "",
    requester_name: str = "",
    organization_name: str = "",
    agent_name: str = "",
    satisfaction_url: str = "",
) -> dict[str, str]:
    """The values of the placeholders triage-tui fills; empty strings are "unknown"."""
    requester_first = requester_name.split(" ")[0] if requester_name else ""
    agent_first = agent_name.split(" ")[0] if agent_name else ""
    values = {
        "ticket.id": str(ticket_id) if ticket_id is not None else "",
        "ticket.title": title,
        "ticket.status": STATUS_LABELS.get(status, status),
        "ticket.requester.first_name": requester_first,
        "ticket.requester.name": requester_name,
        "ticket.organization.name": organization_name,
        "current_user.first_name": agent_first,
        "current_user.name": agent_name,
        "satisfaction.rating_url": satisfaction_url,
    }
    return {key: value for key, value in values.items() if value}


def render_placeholders(template: str, context: Mapping[str, str]) -> str:
    """Fill `{{name}}` and `{{ name | default: 'x' }}`.

    A placeholder we cannot fill and that has no default stays in the text as written, so
    the agent sees it in the preview rather than sending a reply with a silent gap.
    """

    def fill(match: re.Match[str]) -> str:
        value = context.get(match.group("name"))
        if value:
            return value
        default = match.group("default")
        return default if default is not None else match.group(0)

    return _PLACEHOLDER.sub(fill, template)


def unfilled_placeholders(text: str) -> list[str]:
    return [match.group("name") for match in _PLACEHOLDER.finditer(text)]


# "Hey Ada," / "Hi {{ticket.requester.first_name}}," / "Hello there," on a line of its own.
_GREETING = re.compile(r"\A\s*(?:hey|hi|hello|dear)\b[^\n]{0,80}?,[ \t]*(?:\n|\Z)\s*", re.IGNORECASE)


def has_greeting(text: str) -> bool:
    return _GREETING.match(text) is not None


def without_greeting(text: str) -> str:
    """The text without its opening "Hey {first name}," line (and the blank lines after it)."""
    return _GREETING.sub("", text, count=1)


def insertion_text(current: str, macro_text: str) -> str:
    """A macro's text as inserted into a reply that may already greet the customer: the
    macro's own greeting is dropped when the reply has one, so nobody is greeted twice."""
    return without_greeting(macro_text) if has_greeting(current) and has_greeting(macro_text) else macro_text


def _split_tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(tag for tag in value.split() if tag)
    return tuple(str(tag) for tag in value)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


@dataclass(frozen=True)
class ChangeSet:
    """What one reply, status change, escalation or macro will do to a ticket."""

    comment: str | None = None
    public: bool = True
    status: str | None = None
    priority: str | None = None
    group_id: int | None = None
    assignee_id: int | None = None
    assign_to_me: bool = False
    set_tags: tuple[str, ...] | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    unknown_actions: tuple[str, ...] = field(default=())
    # (field id, value) of the account's custom fields (severity...), sent as `custom_fields`.
    custom_fields: tuple[tuple[int, str], ...] = ()
    # Agents to add as followers, by email (`followers: [{user_email, action: put}]`).
    followers: tuple[str, ...] = ()
    # The macro this change applies: sent as `macro_id`, which the Ticket object documents as
    # "Write only. A single macro ID to be recorded in the ticket audit", so the audit names
    # it as when an agent applies it in Zendesk, and the suggestions learn from it.
    macro_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return self == ChangeSet(public=self.public, macro_id=self.macro_id)  # naming a macro changes nothing

    def with_comment(self, text: str | None, public: bool | None = None) -> ChangeSet:
        return replace(self, comment=text, public=self.public if public is None else public)

    def merged(self, other: ChangeSet) -> ChangeSet:
        """`other`'s choices on top of ours (a macro's actions plus the agent's own)."""
        return ChangeSet(
            comment=other.comment if other.comment is not None else self.comment,
            public=other.public if other.comment is not None else self.public,
            status=other.status or self.status,
            priority=other.priority or self.priority,
            group_id=other.group_id if other.group_id is not None else self.group_id,
            assignee_id=other.assignee_id if other.assignee_id is not None else self.assignee_id,
            assign_to_me=other.assign_to_me or self.assign_to_me,
            set_tags=other.set_tags if other.set_tags is not None else self.set_tags,
            add_tags=tuple(dict.fromkeys(self.add_tags + other.add_tags)),
            remove_tags=tuple(dict.fromkeys(self.remove_tags + other.remove_tags)),
            unknown_actions=self.unknown_actions + other.unknown_actions,
            custom_fields=tuple({**dict(self.custom_fields), **dict(other.custom_fields)}.items()),
            followers=tuple(dict.fromkeys(self.followers + other.followers)),
            macro_id=other.macro_id if other.macro_id is not None else self.macro_id,
        )

    def resulting_tags(self, current: Iterable[str]) -> list[str]:
        tags = list(self.set_tags) if self.set_tags is not None else list(current)
        for tag in self.add_tags:
            if tag not in tags:
                tags.append(tag)
        return [tag for tag in tags if tag not in self.remove_tags]

    def describe(
        self,
        *,
        status: str,
        tags: Sequence[str],
        group_names: Mapping[int, str] | None = None,
        me_name: str = "me",
    ) -> list[str]:
        """One line per change, in the words the agent would use."""
        group_names = group_names or {}
        lines: list[str] = []
        if self.comment is not None:
            kind = "Public reply" if self.public else "Internal note"
            lines.append(f"{kind}: {len(self.comment)} characters")
        if self.status and self.status != status:
            lines.append(
                f"Status: {STATUS_LABELS.get(status, status)} -> {STATUS_LABELS.get(self.status, self.status)}"
            )
        if self.priority:
            lines.append(f"Priority -> {self.priority}")
        if self.group_id is not None:
            lines.append(f"Group -> {group_names.get(self.group_id, self.group_id)}")
        if self.assign_to_me:
            lines.append(f"Assignee -> {me_name}")
        elif self.assignee_id is not None:
            lines.append(f"Assignee -> {self.assignee_id}")
        for field_id, value in self.custom_fields:
            lines.append(f"Field {field_id} -> {value}")
        if self.followers:
            lines.append("Followers + " + " ".join(self.followers))
        after = self.resulting_tags(tags)
        added = [tag for tag in after if tag not in tags]
        removed = [tag for tag in tags if tag not in after]
        if added:
            lines.append("Tags + " + " ".join(added))
        if removed:
            lines.append("Tags - " + " ".join(removed))
        for action in self.unknown_actions:
            lines.append(f"Not applied here (set in Zendesk): {action}")
        return lines

    def _fields(self, me: int | None) -> dict[str, Any]:
        """The ticket fields this change sets (not its comment, not its tags)."""
        ticket: dict[str, Any] = {}
        if self.status:
            ticket["status"] = self.status
        if self.priority:
            ticket["priority"] = self.priority
        if self.group_id is not None:
            ticket["group_id"] = self.group_id
        if self.assign_to_me and me is not None:
            ticket["assignee_id"] = me
        elif self.assignee_id is not None:
            ticket["assignee_id"] = self.assignee_id
        if self.custom_fields:
            ticket["custom_fields"] = [{"id": field_id, "value": value} for field_id, value in self.custom_fields]
        if self.followers:
            ticket["followers"] = [{"user_email": email, "action": "put"} for email in self.followers]
        return ticket

    def to_payload(self, *, updated_stamp: str | None, me: int | None, current_tags: Sequence[str]) -> dict:
        """A single-ticket update body (`PUT tickets/{id}`); safe_update so a stale view never
        overwrites. Zendesk ignores additional_tags/remove_tags there (they belong to the bulk
        update), so they are never sent: a macro's set_tags is the whole `tags` list, under
        the same safe_update; tags added or removed go through `tag_requests`."""
        ticket: dict[str, Any] = {}
        if self.comment is not None:
            ticket["comment"] = {"body": self.comment, "public": self.public}
        ticket.update(self._fields(me))
        if self.set_tags is not None:
            ticket["tags"] = self.resulting_tags(current_tags)
        if ticket and self.macro_id is not None:
            ticket["macro_id"] = self.macro_id
        if ticket and updated_stamp:
            ticket["safe_update"] = True
            ticket["updated_stamp"] = updated_stamp
        return {"ticket": ticket}

    def tag_requests(self) -> list[tuple[str, tuple[str, ...]]]:
        """("add" | "remove", tags) for the ticket's tags endpoints, in that order. Empty when
        set_tags already carries the whole list in the update."""
        if self.set_tags is not None:
            return []
        wanted: list[tuple[str, tuple[str, ...]]] = []
        added = tuple(tag for tag in self.add_tags if tag not in self.remove_tags)
        if added:
            wanted.append(("add", added))
        if self.remove_tags:
            wanted.append(("remove", self.remove_tags))
        return wanted

    @property
    def bulkable(self) -> bool:
        """The same change for every ticket, safe to send twice: no text (a comment twice
        would be posted twice), so one `update_many` may carry it for many tickets."""
        return self.comment is None and not self.is_empty

    def to_bulk_payload(self, *, me: int | None) -> dict:
        """An `update_many?ids=` body: there additional_tags/remove_tags are honoured
        (TicketsUpdateRequest). There is no safe_update for many tickets at once."""
        ticket = self._fields(me)
        if self.set_tags is not None:
            ticket["tags"] = self.resulting_tags(())
        else:
            if self.add_tags:
                ticket["additional_tags"] = list(self.add_tags)
            if self.remove_tags:
                ticket["remove_tags"] = list(self.remove_tags)
        if ticket and self.macro_id is not None:
            ticket["macro_id"] = self.macro_id  # TicketsUpdateRequest's ticket is a TicketObject too
        return {"ticket": ticket}


def changes_from_actions(actions: Iterable[Mapping[str, Any]], context: Mapping[str, str] | None) -> ChangeSet:
    """A macro's actions (`{"field": ..., "value": ...}`) as a change set, text rendered
    for `context` (None: the text as written, placeholders kept, to render per ticket)."""
    change = ChangeSet()
    unknown: list[str] = []
    for action in actions:
        name, value = action.get("field"), action.get("value")
        if name in ("comment_value", "comment_value_html"):
            # The API sends either the text or ["channel:all", text].
            text = value[-1] if isinstance(value, list) and value else value
            raw = str(text or "")
            change = replace(change, comment=raw if context is None else render_placeholders(raw, context))
        elif name == "comment_mode_is_public":
            change = replace(change, public=_truthy(value))
        elif name == "status":
            change = replace(change, status=str(value))
        elif name == "priority":
            change = replace(change, priority=str(value))
        elif name == "group_id":
            change = replace(change, group_id=int(str(value)) if str(value).isdigit() else None)
        elif name == "assignee_id":
            if value == "current_user":
                change = replace(change, assign_to_me=True)
            elif str(value).isdigit():
                change = replace(change, assignee_id=int(str(value)))
        elif name == "set_tags":
            change = replace(change, set_tags=_split_tags(value))
        elif name == "current_tags":
            change = replace(change, add_tags=change.add_tags + _split_tags(value))
        elif name == "remove_tags":
            change = replace(change, remove_tags=change.remove_tags + _split_tags(value))
        else:
            unknown.append(str(name))
    return replace(change, unknown_actions=tuple(unknown))
