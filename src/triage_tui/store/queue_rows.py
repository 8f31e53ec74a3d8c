"""The queue's fields of a ticket: declared once (`QueueRow`) and derived in one place
(`queue_row`) from the stored record, the JSON of `models.zendesk.Ticket` as the source
validated it.

The unsolved snapshot holds these as a list per ticket, not a dict: start-up decodes 5,000
of them, and lists of scalars decode in a third of the time (measured: 22 ms against 68 ms
with the SLA metrics left out). The read side reads them by name (`read.entries`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, NamedTuple

UNSOLVED = frozenset({"new", "open", "pending", "hold"})
EXCERPT = 240
# What a ticket's derived facts (plan, SLA clock, ranking facts) read besides its queue
# fields: Zendesk changes these without touching `updated_at` (show_many brings the SLA
# data after search brought the ticket; a policy's targets are edited).
DERIVED_INPUTS = ("slas", "metric_set")


class QueueRow(NamedTuple):
    """A ticket's queue fields as the cache stores them (a JSON list, for decode speed)."""

    id: int
    subject: str | None  # the subject, else the raw subject
    status: str | None
    priority: str | None
    group_id: int | None
    assignee_id: int | None
    requester_id: int | None
    organization_id: int | None
    tags: list[str] | None
    created_at: str | None
    updated_at: str | None
    excerpt: str | None  # the start of the description
    inputs: str  # digest of every input of the derived facts (`inputs_digest`)


QUEUE_FIELDS = QueueRow._fields


def queue_row(ticket: dict[str, Any]) -> list[Any]:
    """The stored queue row of one ticket record."""
    get = ticket.get
    row = QueueRow(
        id=ticket["id"],
        subject=get("subject") or get("raw_subject"),
        status=get("status"),
        priority=get("priority"),
        group_id=get("group_id"),
        assignee_id=get("assignee_id"),
        requester_id=get("requester_id"),
        organization_id=get("organization_id"),
        tags=get("tags"),
        created_at=get("created_at"),
        updated_at=get("updated_at"),
        excerpt=(get("description") or "")[:EXCERPT],
        inputs="",
    )
    return [*row[:-1], inputs_digest(row, ticket)]


def inputs_digest(row: QueueRow, ticket: dict[str, Any]) -> str:
    """A short digest of everything the derived facts of `ticket` read: its queue fields and
    its SLA data. Cached facts are reused only while it is unchanged: a cache keyed on one
    field (`updated_at`) went stale when another changed. Computed once per write, so
    start-up compares a string per ticket instead of hashing thousands."""
    inputs = [list(row[:-1]), *(ticket.get(key) for key in DERIVED_INPUTS)]
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
