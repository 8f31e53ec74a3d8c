"""What the composer says of the status a reply sets: the handbook's word on each."""

from __future__ import annotations

# Replies start "Hey {first name}, ..." (the handbook); "there" when Zendesk has no name.
GREETING = "Hey {{ticket.requester.first_name | default: 'there'}},\n\n"
# The composer's title follows the status its staged actions set (a macro may change it).
STATUS_TITLES = {
    "pending": "Pending: reply and wait for the customer (auto-solves after 7 days)",
    "hold": "On-hold: tell the customer why (use sparingly)",
    "solved": "Reply and solve (the customer can reopen within 20 days)",
    "open": "Reply and set Open",
}
# Said before a ticket is set Solved: what solving starts.
SOLVED_NOTE = "The customer can reopen within 20 days; a CSAT survey follows after 3 days."


def status_title(status: str | None, otherwise: str) -> str:
    """The title for a reply that sets `status`; `otherwise` when it sets none (or one the
    handbook has no word on)."""
    return STATUS_TITLES.get(status or "", otherwise) if status else otherwise
