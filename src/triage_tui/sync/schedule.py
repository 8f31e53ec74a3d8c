"""When each poll runs next: its interval, spread with jitter, stretched when the team's
shared budget runs low, and held back after a 429 for as long as the service asked.

A team runs many copies against one account. Copies started together would otherwise poll
in lockstep, all spend the same minute's budget and all be refused together; jitter
spreads them, and the budget the service reports lets each copy slow down before the
account runs dry, leaving headroom for writes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from triage_tui.sources.http import Budget

JITTER = 0.2  # each interval is drawn from ±20% of its configured value
# However busy the account, a copy still polls Zendesk this often: a queue older than two
# minutes is not a queue (issue "Sync that works for a real support team").
MAX_STRETCHED = 100.0


def budget_stretch(budget: Budget) -> float:
    """How much longer to wait than configured, from the share of the account's budget left."""
    if not budget.known:
        return 1.0
    left = budget.share_left()
    if left >= 0.5:
        return 1.0
    if left >= 0.25:
        return 1.5
    if left >= 0.1:
        return 2.0
    return 3.0


@dataclass
class Schedule:
    """Monotonic times at which each job is next due; a job never run is due at once."""

    intervals: dict[str, float]
    rng: random.Random = field(default_factory=random.Random)
    next_at: dict[str, float] = field(default_factory=dict)
    # Jobs whose first run waits a random part of their interval: a team starting together
    # must not spend a small per-account budget (deleted_tickets: 10 a minute) in one second.
    spread_first: frozenset[str] = frozenset()

    def start(self, now: float) -> None:
        for name in self.spread_first & self.intervals.keys():
            self.next_at.setdefault(name, now + self.rng.uniform(0.0, self.intervals[name]))

    def due(self, now: float) -> list[str]:
        return [name for name in self.intervals if self.next_at.get(name, float("-inf")) <= now]

    def ran(
        self,
        name: str,
        now: float,
        *,
        budget: Budget | None = None,
        retry_after: float | None = None,
        every: float | None = None,
    ) -> float:
        """Record a run; returns the seconds until it is due again. `every`: this time, a
        shorter wait than the job's interval (a step of a pass spread over it)."""
        every = self.intervals[name] if every is None else every
        wait = every * (1 + self.rng.uniform(-JITTER, JITTER))
        if budget is not None:
            stretch = budget_stretch(budget)
            if stretch > 1:
                wait = max(wait, min(every * stretch, max(MAX_STRETCHED, every)))
        if retry_after is not None:
            # Come back after the window resets, spread over a few seconds so a team's
            # copies do not all return in the same one.
            wait = retry_after + self.rng.uniform(0.5, 0.5 + min(10.0, 0.25 * retry_after + 2))
        self.next_at[name] = now + wait
        return wait

    def seconds_to_next(self, now: float) -> float:
        if not self.intervals:
            return 60.0
        return max(0.0, min(self.next_at.get(name, now) for name in self.intervals) - now)

    def all_due_now(self) -> None:
        self.next_at.clear()

    def postpone(self, name: str, until: float) -> None:
        self.next_at[name] = until
