"""The ticket a write acts on: exactly the fields writes read, taken from the stored record
at the edge (the flows, the sender reading a ticket back), so that `Writes` says in its
signatures what a write depends on and a stored dict passed by mistake is a type error.

A module of its own, not `requests.py` (the UI's asks of the sync loop): the flows, the
sender and, later, the read side all make one, and it imports nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TicketRef:
    id: int
    # The version the user saw: an update's safe_update stamp, a bulk entry's and a bug
    # report's seen_updated_at.
    updated_at: str | None = None
    # A macro's whole tag list is computed from these (a single update sets `tags` whole).
    tags: tuple[str, ...] = ()
    # A follow-up of a closed ticket goes to its requester, in its group, organization and
    # priority.
    requester_id: int | None = None
    group_id: int | None = None
    organization_id: int | None = None
    priority: str | None = None

    @classmethod
    def of(cls, ticket: Mapping[str, Any]) -> TicketRef:
        """The reference of a ticket as the store keeps it (Zendesk's JSON)."""
        return cls(
            id=ticket["id"],
            updated_at=ticket.get("updated_at"),
            tags=tuple(ticket.get("tags") or ()),
            requester_id=ticket.get("requester_id"),
            group_id=ticket.get("group_id"),
            organization_id=ticket.get("organization_id"),
            priority=ticket.get("priority"),
        )

    @classmethod
    def each(cls, tickets: list[dict[str, Any]]) -> list[TicketRef]:
        return [cls.of(ticket) for ticket in tickets]
