"""The hints at scale: `.venv/bin/python bench/hints_bench.py [TICKETS]` (default 100,000).

What a cursor move costs (suggested macros and related tickets for one ticket), what a
changed ticket costs (re-indexing it), and the possible-incident scan after a sync, with
TICKETS tickets indexed. The tickets are the labelled set's texts and the sandbox's
topics, each with its own error code, link, version and a few words of its own, so the
index has both crowded features (the same topic thousands of times) and rare ones.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.labelled_support import BURST, MACROS, TICKETS
from triage_sandbox.data import TOPICS
from triage_tui.triage.hints import Hints, ticket_text
from triage_tui.triage.related import TicketInfo

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
WORDS = ["alpha", "beta", "gamma", "delta", "omega", "staging", "prod", "eu", "us", "mobile", "web"]
WORDS += ["checkout", "signup", "billing", "onboarding"]


def corpus(size: int, rng: random.Random) -> list[tuple[TicketInfo, str]]:
    texts = [(s, b) for _, _, _, _, s, b, _, _ in TICKETS + BURST] + [(s, b) for _, s, b in TOPICS]
    out = []
    for n in range(size):
        subject, body = texts[n % len(texts)]
        extra = (
            f" Error code E{rng.randint(1000, 9999)} on https://app.example.com/project/{rng.randint(1, 500)}/"
            f"{rng.choice(WORDS)} with v1.{rng.randint(0, 120)}.{rng.randint(0, 9)}; " + " ".join(rng.sample(WORDS, 3))
        )
        created = NOW - dt.timedelta(minutes=rng.randint(5, 60 * 24 * 60))
        status = "open" if n % 20 == 0 else "solved"
        info = TicketInfo(10_000_000 + n, rng.randint(1, 3000), status, created, created)
        out.append((info, ticket_text(subject, body + extra)))
    return out


def main(size: int) -> None:
    rng = random.Random(28)
    tickets = corpus(size, rng)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hints = Hints()
    hints.set_macros(MACROS)
    started = time.perf_counter()
    for info, text in tickets:
        hints.put(info, text)
    built = time.perf_counter() - started
    memory = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024  # kB on Linux
    for info, _ in rng.sample(tickets, 2000):  # the macros engineers applied, as audits say
        hints.set_uses(info.id, [rng.choice(MACROS)["id"]])

    sample = rng.sample(tickets, 300)
    move, reindex = [], []
    for info, text in sample:
        t0 = time.perf_counter()
        hints.suggested_macros(info.id)
        hints.related(info.id, NOW)
        t1 = time.perf_counter()
        hints.put(info, text)
        t2 = time.perf_counter()
        move.append((t1 - t0) * 1000)
        reindex.append((t2 - t1) * 1000)
    t0 = time.perf_counter()
    hints.bursts(NOW)
    scan = (time.perf_counter() - t0) * 1000
    move.sort()
    print(f"{size:,} tickets indexed in {built:.1f} s ({built / size * 1e6:.0f} µs a ticket), {memory:.0f} MiB")
    print(
        f"cursor move (3 macros + 5 related): median {statistics.median(move):.1f} ms, "
        f"p90 {move[int(len(move) * 0.9)]:.1f} ms"
    )
    print(f"a changed ticket re-indexed: median {statistics.median(reindex):.2f} ms")
    print(f"possible-incident scan after a sync: {scan:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
