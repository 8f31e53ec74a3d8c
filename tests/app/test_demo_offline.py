"""`triage-tui demo --offline`: offline means offline for the demo too (issue 24)."""

from __future__ import annotations

import asyncio

import pytest

from tests.waiting import until
from triage_tui import cli
from triage_tui.ui.app import TriageApp
from triage_tui.ui.widgets.queue import QueueTable


@pytest.mark.parametrize("argv", [["demo", "--offline"], ["--offline", "demo"]], ids=["after", "before"])
def test_the_offline_demo_paints_the_cache_and_neither_syncs_nor_sends(argv, monkeypatch):
    seen: dict = {}

    async def probe(app: TriageApp) -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            table = app.main.query_one(QueueTable)
            await until(pilot, lambda: table.current is not None, what="the cached queue on screen")
            await pilot.press("a")  # assign me: a write, which must stay queued, never sent
            await until(pilot, lambda: app.outbox.entries(), what="the write in the outbox")
            seen["engine"] = app.engine_factory
            seen["offline"] = app.offline
            seen["workers"] = [w.name for w in app.workers]
            seen["queued"] = len(app.outbox.entries(("pending", "sending")))

    monkeypatch.setattr(TriageApp, "run", lambda app, **kwargs: asyncio.run(probe(app)))
    assert cli.main([*argv, "--tickets", "20", "--activity", "0"]) == 0
    assert seen["offline"] and seen["engine"] is None
    assert not [name for name in seen["workers"] if "sync" in name]
    assert seen["queued"] == 1
