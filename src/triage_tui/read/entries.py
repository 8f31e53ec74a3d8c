"""The queue's records: one unsolved ticket (`Entry`), its place in a view (`Row`), and
the derived facts the workspace caches for it (`DerivedRecord`). An entry reads its
ticket's stored queue row (`store.queue_rows.QueueRow`) by name.

No UI framework and no IO here: the workspace builds these from the cache and the UI
draws them. Per-ticket work is lazy, since most of a queue of thousands is never drawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple

from triage_tui.store.queue_rows import QueueRow
from triage_tui.triage.ranking import TIER_LABELS, TicketFacts
from triage_tui.triage.sla import ClockState, SlaClock, Stage, parse_time


class DerivedRecord(NamedTuple):
    """What the workspace caches per set of a ticket's inputs so start-up need not recompute it:
    the plan and the SLA clock (stored as a JSON list, read by name)."""

    version: str  # digest of the ticket's inputs, org plan and SLA rules: unchanged means reuse
    plan: str
    state: ClockState  # the SLA clock: running, paused or idle
    breach_at: str | None
    warn_at: str | None
    remaining: float | None  # seconds left when paused
    started_at: str | None
    from_zendesk: bool


IDLE = DerivedRecord("", "", "idle", None, None, None, None, False)


def fields_of(record: Any, *names: str) -> Callable[[Sequence[Any]], Any]:
    """A getter of these named fields from a stored list laid out as `record` (a NamedTuple).

    Start-up reads 5,000 stored lists: a typed view of each (a tuple copy) costs 3 ms more
    than reading them in place, so the hot paths read in place with one of these: by name,
    at index speed (one C call for all the fields)."""
    return itemgetter(*(record._fields.index(name) for name in names))


# What loading reads of every ticket's stored row and derived record.
RANKED_FIELDS = fields_of(
    QueueRow, "id", "status", "priority", "group_id", "assignee_id", "tags", "created_at", "updated_at"
)
VERSION_FIELDS = fields_of(QueueRow, "inputs", "organization_id")
EXCERPT_FIELD = fields_of(QueueRow, "excerpt")
CACHED_FIELDS = fields_of(DerivedRecord, "version", "plan", "state", "breach_at", "warn_at", "remaining")


@dataclass(frozen=True, slots=True)
class QueueTicket:
    """The queue row's fields typed for the screen (dates parsed, tags a tuple): built on
    first use from the stored row and the ranking facts, only for the rows drawn or
    filtered, never by validating the record again (pydantic per row would dominate
    start-up)."""

    id: int
    subject: str | None  # the subject, else the raw subject (the queue row's)
    status: str
    priority: str | None
    group_id: int | None
    assignee_id: int | None
    requester_id: int | None
    organization_id: int | None
    tags: tuple[str, ...]
    created_at: dt.datetime | None
    updated_at: dt.datetime | None

    @property
    def title(self) -> str:
        return self.subject or "(no subject)"


class Names(NamedTuple):
    requester: str
    org: str
    group: str


NamesFor = Callable[[QueueRow], Names]  # requester, org and group names of a queue row
Stored = list[Any]  # a QueueRow or a DerivedRecord as the cache stores it: a JSON list


class Entry:
    """One unsolved ticket with everything its queue row needs.

    Ranking needs `facts` of every ticket, so they are built at load; the rest (the row's
    ticket fields, clock, names, filter text) is built on first use.
    """

    __slots__ = (
        "_clock",
        "_data",
        "_derived",
        "_haystack",
        "_names",
        "_names_for",
        "_row",
        "_ticket",
        "facts",
        "plan",
        "version",
    )

    def __init__(
        self,
        facts: TicketFacts,
        plan: str,
        version: str,
        data: Stored,
        names_for: NamesFor,
        derived: Stored | None = None,
        clock: SlaClock | None = None,
    ) -> None:
        self.facts = facts
        self.plan = plan
        self.version = version
        self._data = data  # the stored QueueRow; `row` reads it by name
        self._row: QueueRow | None = None
        self._names_for = names_for
        self._derived = derived
        self._ticket: QueueTicket | None = None
        self._clock = clock
        self._names: Names | None = None
        self._haystack: str | None = None

    @property
    def id(self) -> int:
        return self.facts.id

    @property
    def row(self) -> QueueRow:
        if self._row is None:
            self._row = QueueRow._make(self._data)
        return self._row

    @property
    def ticket(self) -> QueueTicket:
        if self._ticket is None:
            row, facts = self.row, self.facts
            self._ticket = QueueTicket(
                facts.id,
                row.subject,
                facts.status,
                facts.priority,
                facts.group_id,
                facts.assignee_id,
                row.requester_id,
                row.organization_id,
                tuple(row.tags or ()),
                facts.created_at,
                facts.updated_at,
            )
        return self._ticket

    @property
    def clock(self) -> SlaClock:
        if self._clock is None:
            cached = DerivedRecord._make(self._derived) if self._derived else IDLE
            self._clock = SlaClock(
                cached.state,
                breach_at=parse_time(cached.breach_at),
                remaining_when_paused=cached.remaining,
                started_at=parse_time(cached.started_at),
                from_zendesk=cached.from_zendesk,
            )
        return self._clock

    def _people(self) -> Names:
        if self._names is None:
            self._names = self._names_for(self.row)
        return self._names

    @property
    def requester(self) -> str:
        return self._people().requester

    @property
    def org(self) -> str:
        return self._people().org

    @property
    def group(self) -> str:
        return self._people().group

    @property
    def haystack(self) -> str:
        """Lower-case text the filter searches."""
        if self._haystack is None:
            ticket = self.ticket
            self._haystack = " ".join([str(ticket.id), ticket.title, *self._people(), " ".join(ticket.tags)]).lower()
        return self._haystack

    @property
    def excerpt(self) -> str:
        """The start of the first message, for the "raise an incident" hint."""
        return EXCERPT_FIELD(self._data) or ""

    def derived_record(self) -> DerivedRecord:
        clock = self.clock

        def stamp(moment: dt.datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return DerivedRecord(
            self.version,
            self.plan,
            clock.state,
            stamp(clock.breach_at),
            stamp(self.facts.warn_at),
            clock.remaining_when_paused,
            stamp(clock.started_at),
            clock.from_zendesk,
        )

    def forget_names(self) -> None:
        """People or groups may have been renamed since: read them again when next needed."""
        self._names = None
        self._haystack = None


@dataclass
class Row:
    """An entry's place in one view: its tier, and its countdown once it is drawn."""

    entry: Entry
    tier: int
    seconds_to_breach: float | None
    stage: Stage | None

    @property
    def tier_label(self) -> str:
        return TIER_LABELS.get(self.tier, "")


def fuzzy_match(needle: str, haystack: str) -> bool:
    """Every term matches: as a substring, or as the letters of one word in order
    ("rply" finds "replay"), so typos and abbreviations still land."""
    words = haystack.split()
    for term in needle.lower().split():
        if term in haystack:
            continue
        if not any(word[0] == term[0] and _subsequence(term, word) for word in words):
            return False
    return True


def _subsequence(term: str, word: str) -> bool:
    position = 0
    for char in term:
        position = word.find(char, position) + 1
        if position == 0:
            return False
    return True
