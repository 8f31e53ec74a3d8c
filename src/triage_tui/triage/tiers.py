"""The Support Hero's seven tiers as one type, with every word the app says of them.

The handbook ranks the queue in five tiers; the app adds two (the rest that awaits us, and
what waits on the customer). Each tier carries its words here, so the queue's column, `?`,
the toast of `n` and the handover can never disagree on what a tier is.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

from triage_tui.triage.sla_words import breach_phrase


class Words(NamedTuple):
    label: str  # the queue's Tier column
    reason: str  # why `n` chose a ticket of this tier
    meaning: str  # what `?` says the column's word means
    brief: str = ""  # the Support Hero's handover (tiers 1-4 only: the ones handed on)


class Tier(IntEnum):
    """A tier of the queue, 1 first. An int, so ranking sorts and compares it as one."""

    CS_TAGGED = 1
    ESCALATED_HIGH = 2
    ESCALATED_NORMAL = 3
    NEARING_BREACH = 4
    LOW_PRIORITY = 5
    QUEUE = 6
    WAITING = 7

    @property
    def words(self) -> Words:
        """Everything the app says of this tier: `Tier.WAITING.words.label` is "Waiting"."""
        return _WORDS[self]


_WORDS = {
    Tier.CS_TAGGED: Words(
        "CS", "Customer Success tagged the team", "Customer Success tagged the team (urgent)", "CS tagged the team"
    ),
    Tier.ESCALATED_HIGH: Words(
        "Esc High", "escalated, High priority", "escalated, High or Urgent priority", "escalated, High"
    ),
    Tier.ESCALATED_NORMAL: Words(
        "Escalated", "escalated, Normal priority", "escalated, Normal priority", "escalated, Normal"
    ),
    Tier.NEARING_BREACH: Words(
        "SLA <3h", "nearing or past its SLA breach", "New or Open, less than 3h to breach", "nearing or past breach"
    ),
    Tier.LOW_PRIORITY: Words("Low pri", "open, Low priority", "Open, Low priority"),
    Tier.QUEUE: Words("Queue", "in the queue", "the rest that awaits us"),
    Tier.WAITING: Words("Waiting", "waiting on the customer", "waiting on the customer"),
}
assert set(_WORDS) == set(Tier), "every tier has its words"

# Tier 4 once its clock has run out: the column says so rather than "SLA <3h".
BREACHED_LABEL = "Breached"
BREACHED_MEANING = "New or Open, SLA breached"


def tier_of_number(number: int) -> Tier | None:
    """The tier of a row's number, or None for one outside the queue (a search result)."""
    try:
        return Tier(number)
    except ValueError:
        return None


def tier_column(number: int, *, breached: bool) -> str:
    """The queue's Tier column: the tier's label, "Breached" for a tier 4 past its target,
    nothing for a ticket that left the queue."""
    tier = tier_of_number(number)
    if tier is None:
        return ""
    return BREACHED_LABEL if tier is Tier.NEARING_BREACH and breached else tier.words.label


def why_next(ticket_id: int, tier: int, seconds_to_breach: float | None, plan: str = "") -> str:
    """The toast for `n`: "#123: tier 2, escalated, High priority; 40m to breach (tiers first,
    then closest to breach; nothing unassigned or yours awaiting a reply ranks above it)"."""
    known = tier_of_number(tier)
    reason = known.words.reason if known is not None else f"tier {tier}"
    return (
        f"#{ticket_id}: tier {tier}, {reason}; {breach_phrase(seconds_to_breach, plan)} "
        "(tiers first, then closest to breach; nothing unassigned or yours awaiting a reply ranks above it)"
    )
