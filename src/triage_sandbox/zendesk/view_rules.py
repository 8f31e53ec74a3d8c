"""Views, as Zendesk decides them: which tickets meet a view's conditions, and how a
view's columns sort.

Written for the sandbox alone. The product has its own code for some of these; the fake
that judges the product must not share its bugs, so nothing here imports the product.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from triage_sandbox.zendesk.fields import PRIORITY_ORDER, STATUS_ORDER, parse_time, status_rank


def _user_groups(user: dict | None) -> set[int]:
    if not user:
        return set()
    groups = set(user.get("group_ids") or [])
    if user.get("default_group_id"):
        groups.add(user["default_group_id"])
    return groups


def _id_value(value: Any) -> int | None | str:
    """A condition's id value: "" or null is "none"; anything else unreadable stays text."""
    if value in ("", None):
        return None
    text = str(value)
    return int(text) if text.isdigit() else text


def _compare(actual: Any, operator: str, expected: Any) -> bool:
    if operator == "is":
        return actual == expected
    if operator == "is_not":
        return actual != expected
    return True  # an operator the sandbox does not know: tolerated, as a no-op


def condition_holds(
    ticket: dict, condition: dict, user: dict | None, now: dt.datetime, metrics: dict | None = None
) -> bool:
    """One view condition (`{"field", "operator", "value"}`) against one ticket."""
    field = condition.get("field")
    operator = condition.get("operator") or "is"
    value: Any = condition.get("value")  # any JSON value; each field reads it its own way
    if field == "status":
        actual, expected = status_rank(ticket.get("status")), status_rank(value)
        if actual < 0:  # a deleted ticket matches no status condition
            return False
        if operator == "less_than":
            return actual < expected
        if operator == "greater_than":
            return actual > expected
        if operator == "less_than_equal":
            return actual <= expected
        if operator == "greater_than_equal":
            return actual >= expected
        return _compare(actual, operator, expected)
    if field == "assignee_id":
        wanted_id = (user or {}).get("id") if value == "current_user" else _id_value(value)
        return _compare(ticket.get("assignee_id"), operator, wanted_id)
    if field == "group_id":
        if value == "current_groups":
            inside = ticket.get("group_id") in _user_groups(user)
            return inside if operator == "is" else not inside if operator == "is_not" else True
        return _compare(ticket.get("group_id"), operator, _id_value(value))
    if field in ("priority", "type", "organization_id", "requester_id", "brand_id"):
        return _compare(str(ticket.get(field) or ""), operator, str(value or ""))
    if field == "current_tags":
        wanted = set(str(value or "").split())
        tags = set(ticket.get("tags") or [])
        if operator == "includes":
            return bool(wanted & tags)
        if operator == "not_includes":
            return not wanted & tags
        return True
    if field in ("updated_at", "created_at", "requester_updated_at", "assignee_updated_at"):
        # Hours since: "less_than 24" is "changed within the last 24 hours".
        source = (metrics or {}) if field in ("requester_updated_at", "assignee_updated_at") else ticket
        stamp = parse_time(source.get(field))
        if stamp is None:
            return False
        hours = (now - stamp).total_seconds() / 3600
        try:
            target = float(value)
        except (TypeError, ValueError):
            return True  # an unreadable number of hours: tolerated, as a no-op
        if operator == "less_than":
            return hours < target
        if operator == "greater_than":
            return hours > target
        if operator == "is":
            return int(hours) == int(target)
        return True
    return True  # fields the sandbox does not model are tolerated


def view_matches(view: dict, ticket: dict, user: dict | None, now: dt.datetime, metrics: dict | None = None) -> bool:
    if ticket.get("status") not in STATUS_ORDER:
        return False
    conditions = view.get("conditions") or {}
    every = conditions.get("all") or []
    some = conditions.get("any") or []
    if not all(condition_holds(ticket, c, user, now, metrics) for c in every):
        return False
    return not some or any(condition_holds(ticket, c, user, now, metrics) for c in some)


# Columns of Zendesk's "View columns" table the sandbox sorts by, and the ticket value each
# stands for. `updated_at`/`created_at` are accepted as aliases of `updated`/`created`.
ALPHABETICAL = {
    "assignee",
    "group",
    "requester",
    "organization",
    "type",
    "brand",
    "ticket_form",
    "subject",
    "description",
}
# The spec (ListTicketsFromView.sort_by): "The `subject` and `submitter` columns are not
# supported" (`description` is the Subject column's value).
SORTABLE = {
    "updated",
    "updated_at",
    "created",
    "created_at",
    "priority",
    "status",
    "id",
    "nice_id",
    "ticket_id",
    "solved",
    "updated_requester",
    "updated_assignee",
    "due_date",
    *(ALPHABETICAL - {"subject", "description"}),
}


def default_sort_order(column: str) -> str:
    """The spec: "asc" for alphabetical and position sort, "desc" for all others."""
    return "asc" if column in ALPHABETICAL or column == "position" else "desc"


def sort_value(column: str, ticket: dict, names: Callable[[str, Any], str], metrics: dict | None) -> Any:
    """A value that orders like the column does; never None (None sorts as the lowest)."""
    metrics = metrics or {}
    if column in ("updated", "updated_at"):
        return ticket.get("updated_at") or ""
    if column in ("created", "created_at"):
        return ticket.get("created_at") or ""
    if column == "priority":
        priority = ticket.get("priority")
        return PRIORITY_ORDER.index(priority) if priority in PRIORITY_ORDER else 0
    if column == "status":
        return status_rank(ticket.get("status"))
    if column in ("id", "nice_id", "ticket_id"):
        return ticket["id"]
    if column == "solved":
        return (
            metrics.get("solved_at")
            or (ticket.get("updated_at") if ticket.get("status") in ("solved", "closed") else "")
            or ""
        )
    if column == "updated_requester":
        return metrics.get("requester_updated_at") or ""
    if column == "updated_assignee":
        return metrics.get("assignee_updated_at") or ""
    if column == "due_date":
        return ticket.get("due_at") or ""
    if column in ("assignee", "requester", "group", "organization"):
        return names(column, ticket.get(f"{column}_id")).lower()
    return str(ticket.get(column) or "").lower()
