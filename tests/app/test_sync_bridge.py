"""The sync bridge (issue 25): a service the App owns, which builds the engine with the
App's own asks and its progress report, and hands each report to the panes that redraw
from it."""

from __future__ import annotations

import datetime as dt

from tests.conftest import FROZEN_NOW, sandbox_config
from tests.helpers import TOKENS, no_sleep
from tests.waiting import until
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.clients import build_clients
from triage_tui.sync.engine import SyncEngine
from triage_tui.sync.requests import Requests
from triage_tui.ui.app import TriageApp
from triage_tui.ui.sync_bridge import Progress


async def test_the_engine_is_built_with_the_apps_asks_and_a_first_syncs_pages_reach_the_queue(harness):
    directory = harness.directory
    config = sandbox_config(harness.sandbox.url).replace(cache_dir=directory)
    store, outbox = Store(directory), Outbox(directory)
    built: list[SyncEngine] = []

    def factory(*, requests: Requests, progress: Progress) -> SyncEngine:
        clients = build_clients(config, TOKENS, sleep=no_sleep, timeout=5)
        built.append(SyncEngine(config, store, outbox, clients, requests=requests, progress=progress))
        return built[0]

    app = TriageApp(config, store, outbox, engine_factory=factory, now=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: built, what="the engine built in the sync thread")
        engine = built[0]
        assert engine.requests is app.requests  # what the screens ask is what the loop reads
        table = app.queue_table
        gone = table.rows[0].entry.id
        # A page of a long first sync: this ticket was solved by someone else meanwhile.
        ticket = dict(store.ticket(gone) or {})
        later = FROZEN_NOW + dt.timedelta(minutes=1)
        store.put_tickets([{**ticket, "status": "solved", "updated_at": later.strftime("%Y-%m-%dT%H:%M:%SZ")}])
        assert engine.pollers.progress is not None
        engine.pollers.progress([gone])
        await until(
            pilot, lambda: gone not in [row.entry.id for row in table.rows], what="the page's change in the queue"
        )
    store.close()
    outbox.close()
