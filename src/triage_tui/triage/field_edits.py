"""Field edits without escalating: what can be changed on a ticket, and to what.

The handbook asks a Support Hero to correct a ticket's priority and severity when they are
wrong, to move an unclassified ticket to the right group, and to pass tickets on; none of
that is an escalation (no internal note, no `escalated` tag). Pure: the screen gives the
cached ticket fields, groups and agents; this says what the choices are and what the
change is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from triage_tui.triage.macros import ChangeSet

# Zendesk's own priority values (TicketObject.priority in the description).
PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class EditableField:
    key: str  # "priority", "severity", "group", "assignee"
    label: str
    current: str  # the value now, in words ("" when unset or mixed)


def severity_field(ticket_fields: Iterable[Mapping], title: str) -> Mapping | None:
    """The account's severity field by its title (its id differs per account)."""
    wanted = title.strip().lower()
    return next((f for f in ticket_fields if str(f.get("title") or "").strip().lower() == wanted), None)


def custom_value(ticket: Mapping, field_id: int) -> object:
    for item in ticket.get("custom_fields") or []:
        if item.get("id") == field_id:
            return item.get("value")
    return None


def _option_name(field: Mapping, value: object) -> str:
    for option in field.get("custom_field_options") or []:
        if option.get("value") == value:
            return str(option.get("name") or value)
    return "" if value in (None, "") else str(value)


def _same(values: list[str]) -> str:
    return values[0] if values and all(v == values[0] for v in values) else ""


def editable_fields(
    tickets: Sequence[Mapping],
    *,
    severity: Mapping | None,
    groups: Mapping[int, str],
    users: Mapping[int, str],
) -> list[EditableField]:
    """The fields the edit key offers, each with its value now (shared by all the tickets,
    else blank)."""
    fields = [EditableField("priority", "Priority", _same([str(t.get("priority") or "") for t in tickets]))]
    if severity is not None:
        values = [_option_name(severity, custom_value(t, int(severity["id"]))) for t in tickets]
        fields.append(EditableField("severity", str(severity.get("title") or "Severity"), _same(values)))
    fields.append(
        EditableField(
            "group", "Group (move, not escalate)", _same([groups.get(t.get("group_id") or 0, "") for t in tickets])
        )
    )
    fields.append(
        EditableField("assignee", "Assignee", _same([users.get(t.get("assignee_id") or 0, "") for t in tickets]))
    )
    return fields


def options(
    field: str,
    *,
    severity: Mapping | None,
    groups: Mapping[int, str],
    agents: Mapping[int, str],
    me: int | None,
) -> list[Option]:
    """The values a field can take; the first ones are the likeliest (me first for the
    assignee)."""
    if field == "priority":
        return [Option(p, p.title()) for p in PRIORITIES]
    if field == "severity" and severity is not None:
        return [
            Option(str(o["value"]), str(o.get("name") or o["value"]))
            for o in severity.get("custom_field_options") or []
        ]
    if field == "group":
        return [Option(str(gid), name) for gid, name in sorted(groups.items(), key=lambda g: g[1].lower())]
    if field == "assignee":
        ordered = sorted(agents.items(), key=lambda a: (a[0] != me, a[1].lower()))
        return [Option(str(uid), name, "me" if uid == me else "") for uid, name in ordered]
    return []


def change_for(field: str, value: str, *, severity: Mapping | None) -> ChangeSet:
    """The change one choice makes: fields only, no comment, no tag (not an escalation)."""
    if field == "priority":
        if value not in PRIORITIES:
            raise ValueError(f"not a Zendesk priority: {value!r}")
        return ChangeSet(priority=value)
    if field == "severity" and severity is not None:
        return ChangeSet(custom_fields=((int(severity["id"]), value),))
    if field == "group":
        return ChangeSet(group_id=int(value))
    if field == "assignee":
        return ChangeSet(assignee_id=int(value))
    raise ValueError(f"not an editable field: {field!r}")
