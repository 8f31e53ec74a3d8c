"""Build a triage-tui cache like a busy team's: `python bench/make_cache.py DIR [TICKETS]`.

The unsolved tickets arrive by a real first sync from the sandbox (as in production); the
rest of the history is written straight into the cache, so it holds TICKETS tickets.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

from triage_sandbox.data import generate
from triage_sandbox.server import Sandbox, SandboxSettings
from triage_tui.cli.sandbox import demo_config
from triage_tui.secrets import Token
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.clients import build_clients
from triage_tui.sync.engine import SyncEngine

MOMENT = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC)


async def idle_requests(config, store, outbox, tokens, minutes: int = 60) -> float:
    """Requests per minute, all sources, when nothing changes: an hour on a simulated clock
    (each poller on its configured interval), against the live sandbox."""
    clock = [0.0]
    production = config.replace(sync=type(config.sync)())  # default intervals
    engine = SyncEngine(
        production, store, outbox, build_clients(production, tokens), now=lambda: MOMENT, monotonic=lambda: clock[0]
    )
    for name in ("zendesk", "deletions", "incidentio", "github", "reference"):
        engine.schedule.ran(name, 0.0)  # the first sync just ran them all
    before = sum(engine.clients.requests_made().values())
    while clock[0] < minutes * 60:
        clock[0] += 1.0
        await engine.due_reports()
        await engine.send()
    total = sum(engine.clients.requests_made().values()) - before
    await engine.clients.aclose()
    return total / minutes


def config_file(directory: Path, url: str = "http://127.0.0.1:9") -> Path:
    path = directory / "config.toml"
    path.write_text(
        f'cache_dir = "{directory / "cache"}"\n[zendesk]\nurl = "{url}"\nemail = "agent@example.com"\n'
        f'[incidentio]\nurl = "{url}"\n[github]\nurl = "{url}"\n[ui]\nnotifications = false\n'
    )
    return path


async def build(directory: Path, tickets: int) -> dict[str, float]:
    data = generate(seed=7, tickets=tickets, now=MOMENT)
    # The idle hour runs on a simulated clock: lift the sandbox's real-time per-minute
    # budgets, which would otherwise see an hour's requests arrive in seconds.
    lifted = SandboxSettings(
        zendesk_per_minute=100_000, search_export_per_minute=100_000, deleted_tickets_per_minute=100_000
    )
    with Sandbox(data, settings=lifted) as sandbox:
        config = demo_config(sandbox.url, directory / "cache")
        store, outbox = Store(directory / "cache"), Outbox(directory / "cache")
        tokens = {name: Token(name, "sandbox", "bench") for name in ("zendesk", "incidentio", "github")}
        engine = SyncEngine(config, store, outbox, build_clients(config, tokens), now=lambda: MOMENT)
        requests: dict[str, float] = {}
        for source in ("zendesk", "incidentio", "github"):
            report = await engine.poll(source)
            requests[source] = report.requests
        requests["idle_per_minute"] = await idle_requests(config, store, outbox, tokens)
        await engine.clients.aclose()
        solved = [t for t in sandbox.state.tickets.values() if t["status"] not in ("new", "open", "pending", "hold")]
    for start in range(0, len(solved), 5000):
        store.put_tickets(solved[start : start + 5000])
    store.close()
    outbox.close()
    config_file(directory)
    return requests


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    print(asyncio.run(build(target, count)))
