"""The Support Hero's queue order, straight from the handbook.

1. requests where Customer Success tagged the team (that still await us);
2. escalated tickets of the team with High (or Urgent) priority, New or Open;
3. escalated tickets with Normal priority, New or Open;
4. New and Open non-escalated tickets nearing breach (within the 3h stage) or breached;
5. Open tickets with Low priority;
6. everything else that still awaits us;
7. tickets waiting on the customer (Pending, On-hold), whatever their tags.
Within a tier the ticket closest to breaching comes first (no cherry-picking), ties by id.

Everything that does not depend on "now" is computed once per set of its inputs (`TicketFacts`),
so re-ranking after one change is a sort of precomputed keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from triage_tui.triage.tiers import Tier

# A tier's short word by its number (`Row.tier_label`): the Tier's own, nothing outside the queue.
TIER_LABELS = {tier.value: tier.words.label for tier in Tier}
WAITING_ON_CUSTOMER = frozenset({"pending", "hold"})
AWAITING_US = frozenset({"new", "open"})
UNSOLVED = AWAITING_US | WAITING_ON_CUSTOMER
_FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC).timestamp()


@dataclass(frozen=True)
class RankRules:
    escalation_tag: str = "escalated"
    cs_tag: str = "cs_tagged"
    my_group_ids: frozenset[int] = frozenset()


@dataclass(slots=True)
class TicketFacts:
    """What ranking needs of one ticket, fixed for a given ticket version: read-only by
    convention. Not a frozen dataclass: start-up builds one per unsolved ticket, and a
    frozen one costs 2.5x as much to build (measured: 9.7 µs against 4.0 µs)."""

    id: int
    status: str
    priority: str | None = None
    group_id: int | None = None
    assignee_id: int | None = None
    tags: frozenset[str] = frozenset()
    breach_at: dt.datetime | None = None
    warn_at: dt.datetime | None = None  # when the 3h stage begins
    paused_remaining: float | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    # Derived once, so ranking compares floats rather than aware datetimes.
    breach_ts: float = field(init=False, repr=False, compare=False, default=_FAR_FUTURE)
    warn_ts: float = field(init=False, repr=False, compare=False, default=_FAR_FUTURE)
    # The tier as it is before and after the 3h stage begins, for the rules last ranked
    # with: only "now >= warn_ts" changes between re-ranks, so a re-rank is a comparison
    # per ticket, not the handbook's whole rule.
    tiers_for: RankRules | None = field(init=False, repr=False, compare=False, default=None)
    # Plain ints, 0 for none: a sort of tuples that start with exact ints takes CPython's fast
    # path (an IntEnum first made a re-rank of 20,000 twice as slow).
    tier_before_warning: int = field(init=False, repr=False, compare=False, default=0)
    tier_after_warning: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        if self.breach_at is not None:
            self.breach_ts = self.breach_at.timestamp()
        if self.warn_at is not None:
            self.warn_ts = self.warn_at.timestamp()


def is_escalated(facts: TicketFacts, rules: RankRules) -> bool:
    if rules.escalation_tag not in facts.tags:
        return False
    return not rules.my_group_ids or facts.group_id in rules.my_group_ids


def tier_of(facts: TicketFacts, now: dt.datetime, rules: RankRules) -> Tier | None:
    """The handbook tier (1-7), or None for tickets that left the queue."""
    return _tier(facts, now.timestamp(), rules)


def _tier(facts: TicketFacts, now_ts: float, rules: RankRules) -> Tier | None:
    status = facts.status
    if status not in UNSOLVED:
        return None
    # Paused first: a CS tag asks for urgency on a request awaiting us, and a Pending or
    # On-hold ticket awaits the customer (its SLA paused), so it waits with the others.
    if status in WAITING_ON_CUSTOMER:
        return Tier.WAITING
    if rules.cs_tag in facts.tags:
        return Tier.CS_TAGGED
    escalated = is_escalated(facts, rules)
    priority = facts.priority or "normal"
    # The handbook names Open, but a ticket escalated while still New (Pylon's tickets are
    # New for seconds; one escalated at once) is no less escalated than an Open one.
    if escalated and priority in ("high", "urgent"):
        return Tier.ESCALATED_HIGH
    if escalated and priority == "normal":
        return Tier.ESCALATED_NORMAL
    if not escalated and now_ts >= facts.warn_ts:
        return Tier.NEARING_BREACH
    if status == "open" and priority == "low":
        return Tier.LOW_PRIORITY
    return Tier.QUEUE


class Ranked(NamedTuple):
    facts: TicketFacts
    tier: int  # a Tier from `rank`; an int for rows from elsewhere (a search result's 8)


_TIERS: dict[int, Tier] = {int(tier): tier for tier in Tier}
_WAITING = int(Tier.WAITING)


def rank(tickets: Iterable[TicketFacts], now: dt.datetime, rules: RankRules) -> list[Ranked]:
    """The queue in handbook order; solved, closed and deleted tickets drop out.

    The tiers are `tier_of`'s, one rule for ranking and for everything else; the sort keys
    are precomputed floats, so re-ranking thousands after one change is a sort.
    """
    now_ts = now.timestamp()
    keyed: list[tuple[int, float, int, TicketFacts]] = []
    append = keyed.append
    for facts in tickets:
        if facts.tiers_for is not rules:
            # `_tier` itself, asked for a moment before and after any warning: one rule.
            facts.tier_before_warning = int(_tier(facts, -_FAR_FUTURE, rules) or 0)
            facts.tier_after_warning = int(_tier(facts, _FAR_FUTURE, rules) or 0)
            facts.tiers_for = rules
        tier = facts.tier_after_warning if now_ts >= facts.warn_ts else facts.tier_before_warning
        if not tier:
            continue
        if tier == _WAITING and facts.paused_remaining is not None:
            append((tier, facts.paused_remaining, facts.id, facts))
        else:
            append((tier, facts.breach_ts, facts.id, facts))
    # Ticket ids are unique, so tuple comparison never reaches the facts themselves.
    keyed.sort()
    return [Ranked(item[3], _TIERS[item[0]]) for item in keyed]


def next_ticket(
    queue: Sequence[Ranked], me: int | None, answered: Callable[[int], bool] = lambda ticket_id: False
) -> Ranked | None:
    """The ticket to take now: the first one awaiting us that nobody else holds.

    `answered(id)`: whether our public reply is the ticket's latest word. Such a ticket may
    stay Open, but it is the customer's turn: asked only of the few candidates `n` reaches,
    so it may read what ranking does not keep (comments, the outbox)."""
    for ranked in queue:
        if ranked.tier == Tier.WAITING:
            return None
        assignee = ranked.facts.assignee_id
        if (assignee is None or assignee == me) and not answered(ranked.facts.id):
            return ranked
    return None
