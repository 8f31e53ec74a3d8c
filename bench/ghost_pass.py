"""How long ghosts stay in a large queue: `python bench/ghost_pass.py [TICKETS]`.

One copy with production intervals, on a simulated clock (the sandbox's clock moved with it,
so search's 60 s lag is simulated too): an agent restricted to four groups, the deleted
tickets list refused, every generated ticket unsolved (12,500 give the agent ~5,000). In the
first 30 minutes 30 ghosts appear at random moments, a third each merged away, moved out of
reach and deleted; the hour runs on until every ghost has left. Prints when each kind left
and the requests a minute by endpoint.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from triage_sandbox.data import generate
from triage_sandbox.server import Sandbox, SandboxSettings
from triage_tui.cli.sandbox import demo_config
from triage_tui.secrets import Token
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.clients import build_clients
from triage_tui.sync.engine import SyncEngine

MOMENT = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC)
REACH = ("Support", "Product Analytics", "Replay", "CDP")
KINDS = ("merged", "moved", "deleted")


def ghost(sandbox: Sandbox, kind: str, victim: int, target: int) -> None:
    state = sandbox.state
    admin = next(u for u in state.users.values() if u["role"] == "admin")
    with state.lock:
        now = sandbox.app.now()
        if kind == "merged":
            state.merge_tickets(target, [victim], admin, now)
        elif kind == "moved":
            ticket = state.tickets[victim]
            ticket["group_id"] = next(g["id"] for g in state.groups.values() if g["name"] == "Growth")
            state.touch(ticket, now)
        else:
            state.delete_ticket(victim, admin, now)


async def run(tickets: int, work: Path) -> dict[str, Any]:
    data = generate(seed=7, tickets=tickets, now=MOMENT)
    for ticket in data["tickets"]:
        ticket["status"] = ticket["status"] if ticket["status"] in ("new", "open", "pending", "hold") else "open"
    settings = SandboxSettings(
        zendesk_per_minute=100_000,  # an hour's requests arrive in seconds of real time
        search_export_per_minute=100_000,
        search_lag_seconds=60,
        deny_deleted=True,
        restrict_groups=REACH,
    )
    clock = [0.0]
    rng = random.Random(3)
    with Sandbox(data, settings=settings) as sandbox:
        sandbox.app.now = lambda: MOMENT + dt.timedelta(seconds=clock[0])
        config = demo_config(sandbox.url, work / "cache")
        config = config.replace(sync=type(config.sync)())  # production intervals
        store, outbox = Store(work / "cache"), Outbox(work / "cache")
        tokens = {name: Token(name, "sandbox", "bench") for name in ("zendesk", "incidentio", "github")}
        engine = SyncEngine(
            config, store, outbox, build_clients(config, tokens), now=sandbox.app.now, monotonic=lambda: clock[0]
        )
        await engine.due_reports()  # the first sync
        shown = sorted(int(key) for key in store.unsolved_rows())
        requests: Counter[str] = Counter()
        handle = sandbox.app.handle

        def counted(request: Any) -> Any:
            requests[request.path] += 1
            return handle(request)

        sandbox.app.handle = counted  # type: ignore[method-assign]  # counts, then answers as before
        *victims, target = rng.sample(shown, 31)
        plan = sorted((rng.uniform(0, 1800), KINDS[n % 3], victim) for n, victim in enumerate(victims))
        made: dict[int, tuple[str, float]] = {}
        left: dict[int, float] = {}
        while clock[0] < 3600 or (len(left) < len(made) and clock[0] < 3 * 3600):
            clock[0] += 1.0
            while plan and plan[0][0] <= clock[0]:
                _, kind, victim = plan.pop(0)
                ghost(sandbox, kind, victim, target)
                made[victim] = (kind, clock[0])
            await engine.due_reports()
            rows = store.unsolved_rows()
            left.update({v: clock[0] - at for v, (_, at) in made.items() if v not in left and str(v) not in rows})
        await engine.clients.aclose()
        store.close()
        outbox.close()
    minutes = clock[0] / 60
    by_kind = {
        kind: sorted(round(left[v] / 60, 1) for v, (k, _) in made.items() if k == kind and v in left) for kind in KINDS
    }
    return {
        "shown": len(shown),
        "ghosts": len(made),
        "still shown": len(made) - len(left),
        "left after, minutes (median / worst)": (
            round(statistics.median(left.values()) / 60, 1),
            round(max(left.values()) / 60, 1),
        ),
        "by kind": by_kind,
        "requests a minute": {path: round(n / minutes, 2) for path, n in requests.most_common(6)},
    }


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        print(asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 12_500, Path(scratch))))
