"""How a write changes a ticket, as Zendesk records it: each field changed is an audit's
Change event, a comment is a Comment event, and the audit is kept on the ticket."""

from __future__ import annotations

import datetime as dt
from typing import Any

from triage_sandbox.data import iso
from triage_sandbox.state import SandboxState
from triage_sandbox.zendesk import tag_rules


def record_audit(state: SandboxState, ticket: dict, events: list[dict], user: dict | None) -> dict:
    audit = {
        "id": state.new_id(),
        "ticket_id": ticket["id"],
        "created_at": ticket["updated_at"],
        "author_id": (user or {}).get("id"),
        "metadata": {"system": {}, "custom": {}},
        "events": events,
        "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
    }
    state.audits.setdefault(ticket["id"], []).append(audit)
    return audit


def apply_update(state: SandboxState, ticket: dict, changes: dict, user: dict, moment: dt.datetime) -> list[dict]:
    events: list[dict] = []
    metrics = state.metric_sets.setdefault(ticket["id"], {"ticket_id": ticket["id"]})
    for field in ("status", "priority", "group_id", "assignee_id", "subject", "type"):
        if field in changes and changes[field] != ticket.get(field):
            events.append(
                {
                    "id": state.new_id(),
                    "type": "Change",
                    "field_name": field,
                    "value": changes[field],
                    "previous_value": ticket.get(field),
                }
            )
            ticket[field] = changes[field]
            if field == "status":
                metrics["status_updated_at"] = iso(moment)
                if changes[field] == "solved":
                    metrics["solved_at"] = iso(moment)
    events += set_custom_fields(state, ticket, changes.get("custom_fields"))
    events += set_followers(state, ticket, changes.get("followers"))
    tags = list(ticket.get("tags", []))
    if isinstance(changes.get("tags"), list):
        tags = [str(tag) for tag in changes["tags"]]
    # Only a bulk update's body carries these (a single update's were dropped above).
    tags = tag_rules.tags_after(
        tags, tag_rules.tag_list(changes.get("additional_tags")), tag_rules.tag_list(changes.get("remove_tags"))
    )
    tags_event = change_tags(state, ticket, tags)
    if tags_event is not None:
        events.append(tags_event)
    comment = changes.get("comment")
    if isinstance(comment, dict) and (comment.get("body") or comment.get("html_body")):
        public = comment.get("public", True) is not False
        author = comment.get("author_id") or user.get("id")
        created = state.add_comment(
            ticket["id"], author, str(comment.get("body") or comment.get("html_body")), public, moment
        )
        events.append({**created, "audit_id": None})
        metrics["latest_comment_added_at"] = iso(moment)
        if public and author != ticket.get("requester_id"):
            metrics["assignee_updated_at"] = iso(moment)
    events += macro_references(state, changes)
    state.touch(ticket, moment)
    return events


def macro_references(state: SandboxState, changes: dict) -> list[dict]:
    """`macro_id` and `macro_ids` on a ticket: "Write only. A single macro ID (List of macro
    IDs) to be recorded in the ticket audit" (TicketObject, support-api.oas.yaml). Recorded
    as the event an agent's macro leaves in the audit; an id that is no macro is ignored."""
    given = [changes.get("macro_id"), *(changes.get("macro_ids") or [])]
    events = []
    for value in dict.fromkeys(v for v in given if isinstance(v, int)):
        macro = state.macros.get(value)
        if macro is not None:
            events.append(
                {
                    "id": state.new_id(),
                    "type": "AgentMacroReference",
                    "macro_id": value,
                    "macro_title": macro.get("title"),
                    "macro_deleted": False,
                }
            )
    return events


def set_custom_fields(state: SandboxState, ticket: dict, given: Any) -> list[dict]:
    """`custom_fields: [{id, value}]` (TicketFieldValueInput): each known field's value
    set, an audit Change event per field that changed (field_name is the field's id).
    An id that is not one of the account's ticket fields is ignored, as Zendesk does."""
    if not isinstance(given, list):
        return []
    known = {int(f["id"]) for f in state.ticket_fields}
    values = {int(item["id"]): item.get("value") for item in ticket.get("custom_fields") or []}
    events = []
    for item in given:
        if not isinstance(item, dict) or not str(item.get("id", "")).isdigit() or int(item["id"]) not in known:
            continue
        field_id, value = int(item["id"]), item.get("value")
        if values.get(field_id) == value:
            continue
        events.append(
            {
                "id": state.new_id(),
                "type": "Change",
                "field_name": str(field_id),
                "value": value,
                "previous_value": values.get(field_id),
            }
        )
        values[field_id] = value
    ticket["custom_fields"] = [{"id": i, "value": v} for i, v in values.items()]
    return events


def set_followers(state: SandboxState, ticket: dict, given: Any) -> list[dict]:
    """`followers: [{user_id | user_email, action: put | delete}]` (FollowerObject: "agent
    followers to add or delete"). A user who is not an agent of the account is left out."""
    if not isinstance(given, list):
        return []
    by_email = {str(u.get("email", "")).lower(): u for u in state.users.values()}
    before = list(ticket.get("follower_ids") or [])
    after = list(before)
    for item in given:
        if not isinstance(item, dict):
            continue
        user = state.users.get(item.get("user_id") or 0) or by_email.get(str(item.get("user_email", "")).lower())
        if user is None or user.get("role") not in ("agent", "admin"):
            continue
        if item.get("action", "put") == "delete":
            after = [i for i in after if i != user["id"]]
        elif user["id"] not in after:
            after.append(user["id"])
    if after == before:
        return []
    ticket["follower_ids"] = after
    return [
        {
            "id": state.new_id(),
            "type": "Change",
            "field_name": "follower_ids",
            "value": after,
            "previous_value": before,
        }
    ]


def change_tags(state: SandboxState, ticket: dict, tags: list[str]) -> dict | None:
    """Set `ticket`'s tags; the audit's Change event, or None when nothing changed."""
    if tags == ticket.get("tags"):
        return None
    event = {"id": state.new_id(), "type": "Change", "field_name": "tags", "value": tags}
    event["previous_value"] = ticket.get("tags")
    ticket["tags"] = tags
    return event
