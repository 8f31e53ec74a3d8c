"""Tickets related to a ticket: the same error or the same problem lately, and the same
organization's other open tickets.

"The same problem" is the text index's cosine over weighted features (error strings,
stack frames, URLs and product-area words weigh more than subject words), kept to
tickets changed in the last days; an organization's other open tickets are related
whatever they say (the handbook: check for an existing ticket before acting). Pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from triage_tui.triage.textindex import TextIndex

SHOWN = 5
RECENT = dt.timedelta(days=14)
MINIMUM = 0.25  # cosine below this is a shared word or two, not the same problem
SHARED = 2  # features in common, at least: one word alone is not the same problem
SAME_ORG = 0.35  # what an open ticket of the same organization counts as, added to its likeness
TOGETHER = 1.6  # written within the hour of each other: more likely one cause
HOUR = dt.timedelta(hours=1)
OPEN = frozenset({"new", "open", "pending", "hold"})


@dataclass(frozen=True, slots=True)
class TicketInfo:
    """What relating needs of a ticket besides its text."""

    id: int
    organization_id: int | None
    status: str
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    attached: bool = False  # already tagged with an incident (`incident/<n>`)


def together(one: TicketInfo | None, other: TicketInfo | None) -> bool:
    if one is None or other is None or one.created_at is None or other.created_at is None:
        return False
    return abs(one.created_at - other.created_at) <= HOUR


def related(
    ticket_id: int,
    index: TextIndex,
    infos: Mapping[int, TicketInfo],
    now: dt.datetime,
    same_org: Iterable[int] = (),
    limit: int = SHOWN,
) -> list[int]:
    """Most related first, at most `limit`, never the ticket itself. `same_org`: the open
    tickets of its organization (`OrgIndex.open_of`)."""
    since = now - RECENT

    def recent(other: int) -> bool:
        info = infos.get(other)
        if info is None:
            return False
        moment = info.updated_at or info.created_at
        return moment is None or moment >= since

    me = infos.get(ticket_id)
    scores: dict[int, float] = {}
    for other, score in index.similar(
        doc_id=ticket_id, limit=50, minimum=MINIMUM / TOGETHER, accept=recent, shared=SHARED
    ):
        if together(me, infos.get(other)):
            score *= TOGETHER
        if score >= MINIMUM:
            scores[other] = score
    for other in same_org:
        if other != ticket_id:
            scores[other] = scores.get(other, 0.0) + SAME_ORG
    ranked = sorted(scores.items(), key=lambda pair: (-pair[1], -pair[0]))
    return [other for other, _ in ranked[:limit]]


class OrgIndex:
    """Open tickets by organization, kept as tickets change (a full scan per cursor move
    would cost milliseconds at 100k)."""

    def __init__(self) -> None:
        self._by_org: dict[int, set[int]] = {}
        self._org_of: dict[int, int] = {}

    def put(self, info: TicketInfo) -> None:
        self.drop(info.id)
        if info.organization_id is not None and info.status in OPEN:
            self._by_org.setdefault(info.organization_id, set()).add(info.id)
            self._org_of[info.id] = info.organization_id

    def drop(self, ticket_id: int) -> None:
        org = self._org_of.pop(ticket_id, None)
        if org is not None:
            members = self._by_org.get(org)
            if members is not None:
                members.discard(ticket_id)

    def open_of(self, org_id: int | None) -> set[int]:
        return set(self._by_org.get(org_id, ())) if org_id is not None else set()
