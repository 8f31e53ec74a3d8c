"""pytest-benchmark: re-ranking 5,000 unsolved tickets after one changes (target < 10 ms).

Ranked as `Workspace.rows` ranks: with the cycle collector paused (see triage_tui.gcpause).

Run: .venv/bin/pytest bench/test_ranking.py --benchmark-only
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from triage_tui.gcpause import collection_paused
from triage_tui.triage.ranking import RankRules, TicketFacts, rank

NOW = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC)


def queue(size: int = 5000) -> list[TicketFacts]:
    rng = random.Random(5)
    tickets = []
    for i in range(size):
        breach = NOW + dt.timedelta(hours=rng.uniform(-20, 80))
        tags = frozenset(rng.choice([(), ("escalated",), ("cs_tagged",), ("billing",)]))
        tickets.append(
            TicketFacts(
                i,
                rng.choice(["new", "open", "open", "pending", "hold"]),
                rng.choice(["low", "normal", "high", "urgent"]),
                rng.randint(1, 12),
                None,
                tags,
                breach,
                breach - dt.timedelta(hours=3),
            )
        )
    return tickets


def test_rerank_5000_after_one_change(benchmark):
    tickets = queue()
    rules = RankRules()

    def one_change_then_rank():
        index = random.randrange(len(tickets))
        tickets[index] = dataclasses.replace(tickets[index], priority="high")
        with collection_paused():
            return rank(tickets, NOW, rules)

    ranked = benchmark(one_change_then_rank)
    assert len(ranked) == 5000
