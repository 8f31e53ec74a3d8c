"""An incident spotted early: several new tickets from different organizations describing
the same problem within an hour.

Tickets created in the last hour are linked when the text index finds them alike; a
group of linked tickets from enough organizations is a burst, named by its first ticket
(the id stays the same as the burst grows, so it is announced once). Pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from triage_tui.triage.related import OPEN, TicketInfo
from triage_tui.triage.textindex import TextIndex

WINDOW = dt.timedelta(hours=1)
MINIMUM = 0.15  # among the last hour's few tickets a lower likeness is enough
SHARED = 3
MIN_TICKETS = 3
MIN_ORGS = 3


@dataclass(frozen=True)
class Burst:
    ids: tuple[int, ...]  # oldest first
    organizations: int

    @property
    def lead(self) -> int:
        return self.ids[0]

    def describe(self) -> str:
        others = " ".join(f"#{i}" for i in self.ids[1:4])
        more = " …" if len(self.ids) > 4 else ""
        return f"Possible incident: {len(self.ids)} tickets like #{self.lead}" + (
            f" ({others}{more})" if others else ""
        )


def find_bursts(
    candidates: Iterable[int],
    index: TextIndex,
    infos: Mapping[int, TicketInfo],
    now: dt.datetime,
) -> list[Burst]:
    """Bursts among `candidates` (tickets that may be new: the caller passes those it
    knows were created lately; older ones are dropped here), largest first."""
    since = now - WINDOW
    fresh = {
        i
        for i in candidates
        if (info := infos.get(i)) is not None
        and info.status in OPEN
        and not info.attached  # attached to an incident already: not news
        and info.created_at is not None
        and since <= info.created_at <= now + dt.timedelta(minutes=5)
        and i in index
    }
    parent = {i: i for i in fresh}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for ticket_id in sorted(fresh):
        for other, _ in index.similar(
            doc_id=ticket_id, limit=50, minimum=MINIMUM, accept=fresh.__contains__, shared=SHARED
        ):
            a, b = root(ticket_id), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for ticket_id in fresh:
        groups.setdefault(root(ticket_id), []).append(ticket_id)
    found: list[Burst] = []
    for members in groups.values():
        orgs = {infos[i].organization_id or -i for i in members}  # no org: a customer of its own
        if len(members) >= MIN_TICKETS and len(orgs) >= MIN_ORGS:

            def created(i: int) -> tuple[dt.datetime, int]:
                return (infos[i].created_at or now, i)

            found.append(Burst(tuple(sorted(members, key=created)), len(orgs)))
    found.sort(key=lambda b: (-len(b.ids), b.lead))
    return found
