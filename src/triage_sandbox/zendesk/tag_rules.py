"""Tags and bulk updates, as Zendesk decides them."""

from __future__ import annotations

from typing import Any

# ../shared/api/README.md "Tags": the description has these on TicketsUpdateRequest (the
# bulk update), not on TicketUpdateRequest: sent on a single update they do nothing.
BULK_ONLY_FIELDS = frozenset({"additional_tags", "remove_tags"})
BULK_MAX_IDS = 100  # the spec, TicketsUpdateMany: "up to 100 ticket ids"
CLOSED_TICKET = {
    "error": "RecordInvalid",
    "description": "Record validation errors",
    "details": {"status": [{"description": "Status: closed prevents ticket update"}]},
}
TOO_MANY_JOBS = {
    "error": "TooManyJobs",
    "description": "Too many background jobs are queued or running for this account",
}


def truthy(value: Any) -> bool:
    """`safe_update` as sent: true, or "true" as in the spec's tags example."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def tag_list(value: Any) -> list[str]:
    """Tags as a list, or as a comma- or space-separated string (the DELETE query form)."""
    if value is None:
        return []
    parts = value.replace(",", " ").split() if isinstance(value, str) else [str(v) for v in value]
    return [part for part in parts if part]


def tags_after(current: list[str], add: list[str], remove: list[str]) -> list[str]:
    tags = list(current)
    tags += [tag for tag in dict.fromkeys(add) if tag not in tags]
    return [tag for tag in tags if tag not in set(remove)]


def bulk_refusal(ticket: dict | None, injected: str | None) -> dict[str, str] | None:
    """Why a bulk job could not update `ticket` (a FailedResult's error and details), or None."""
    if ticket is None or ticket.get("status") == "deleted":
        return {"error": "RecordNotFound", "details": "Not found"}
    if ticket.get("status") == "closed":
        return {"error": "RecordInvalid", "details": "Status: closed prevents ticket update"}
    if injected:
        return {"error": "RecordInvalid", "details": injected}
    return None
