"""The app under faults and abuse: writes arrive once and in order, the UI never freezes,
random keys and resizes never crash it, conflicts are shown and resolved."""

from __future__ import annotations

import asyncio
import copy
import itertools
import shutil
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FROZEN_NOW, sandbox_config
from tests.helpers import TOKENS, no_sleep
from tests.waiting import until
from triage_sandbox.faults import FaultPlan, parse_faults
from triage_sandbox.server import Sandbox
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.clients import build_clients
from triage_tui.sync.engine import SyncEngine
from triage_tui.sync.requests import Requests
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.conflict import ConflictScreen
from triage_tui.ui.sync_bridge import Progress
from triage_tui.ui.widgets.detail import DetailPane


def live_app(url: str, directory) -> TriageApp:
    """The app with its real sync worker; backoffs fast-forwarded so the test is quick."""
    config = sandbox_config(url).replace(cache_dir=directory)
    store, outbox = Store(directory), Outbox(directory)
    ticks = itertools.count(0, 1000)

    def factory(*, requests: Requests, progress: Progress) -> SyncEngine:
        clients = build_clients(config, TOKENS, sleep=no_sleep, timeout=3)
        return SyncEngine(
            config, store, outbox, clients, monotonic=lambda: float(next(ticks)), requests=requests, progress=progress
        )

    return TriageApp(config, store, outbox, engine_factory=factory, now=lambda: FROZEN_NOW)


@pytest.mark.slow
async def test_writes_through_the_ui_under_faults_arrive_once_in_order(dataset, filled_cache, tmp_path):
    faults = FaultPlan(parse_faults("429:0.15,503:0.15,reset:0.1,stall:0.1:0.3s"), seed=3)
    with Sandbox(copy.deepcopy(dataset), faults=faults) as sandbox:
        shutil.copytree(filled_cache, tmp_path / "cache")
        app = live_app(sandbox.url, tmp_path / "cache")
        async with app.run_test(size=(120, 40)) as pilot:
            first = app.queue_table.current_id
            await pilot.press("i", *"one", "ctrl+s")
            await pilot.press("i", *"two", "ctrl+s")
            await pilot.press("j")
            second = app.queue_table.current_id
            await pilot.press("i", *"three", "ctrl+s")
            await until(
                pilot, lambda: not app.outbox.entries(("pending", "sending")), timeout=60, what=app.outbox.entries
            )
            notes = lambda tid: [c["body"] for c in sandbox.state.comments[tid] if c["body"] in ("one", "two", "three")]
            assert notes(first) == ["one", "two"], [
                (e["status"], e["summary"], e["last_error"], e["payload"]["ticket"].get("comment"))
                for e in app.outbox.entries()
            ]
            assert notes(second) == ["three"]


async def test_the_ui_stays_responsive_while_the_network_stalls(dataset, filled_cache, tmp_path):
    faults = FaultPlan(parse_faults("stall:1.0:2s"), seed=1)
    with Sandbox(copy.deepcopy(dataset), faults=faults) as sandbox:
        shutil.copytree(filled_cache, tmp_path / "cache")
        app = live_app(sandbox.url, tmp_path / "cache")
        async with app.run_test(size=(120, 40)) as pilot:
            faults.enabled = False
            started = time.monotonic()
            for _ in range(10):
                await pilot.press("j")
            calm = time.monotonic() - started
            faults.enabled = True
            asked = sum(sandbox.state.requests.values())
            await pilot.press("R")
            # The sync worker is now waiting on a 2 s stalled request.
            await until(pilot, lambda: sum(sandbox.state.requests.values()) > asked, what="a request of R")
            started = time.monotonic()
            for _ in range(10):
                await pilot.press("k")
            stalled = time.monotonic() - started
            assert app.queue_table.cursor == 0
            # Were the UI waiting on the network, ten keys would take 20 s.
            assert stalled < 2 * calm + 0.5, (stalled, calm)
            faults.enabled = False


async def test_a_conflict_is_shown_and_re_applied_with_C(harness):
    app = harness.app()
    async with app.run_test(size=(120, 40)) as pilot:
        ticket_id = app.queue_table.current_id
        with harness.sandbox.state.lock:  # a colleague changes it first
            theirs = harness.sandbox.state.tickets[ticket_id]
            theirs["priority"] = "low"
            harness.sandbox.state.touch(theirs, FROZEN_NOW)
        await pilot.press("s", "enter")
        await harness.send()
        app.refresh_queue()
        # The detail follows the queue a moment later (it waits for the cursor to settle).
        await until(pilot, lambda: "conflict" in app.main.query_one(DetailPane).plain_text, what="conflict shown")
        await pilot.press("C")
        assert isinstance(app.screen, ConflictScreen)
        text = "\n".join(str(w.render()) for w in app.screen.query(".conflict-side"))
        assert "status: solved" in text and "priority: low" in text
        await pilot.press("r")
    await harness.send()
    assert harness.sandbox.state.tickets[ticket_id]["status"] == "solved"
    assert harness.sandbox.state.tickets[ticket_id]["priority"] == "low"  # theirs kept


KEYS = list("jkgGnVrioshpeamtvCIH123?") + [
    "slash",
    "escape",
    "enter",
    "tab",
    "space",
    "ctrl+s",
    "ctrl+t",
    "ctrl+r",
    "ctrl+p",
    "down",
    "up",
    "pagedown",
    "backspace",
    "x",
    "question_mark",
]
actions = st.lists(
    st.one_of(st.sampled_from(KEYS), st.tuples(st.integers(40, 250), st.integers(12, 80))), min_size=1, max_size=25
)


@pytest.mark.slow
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(steps=actions)
def test_random_keys_and_resizes_never_crash(filled_cache, tmp_path_factory, steps):
    directory = tmp_path_factory.mktemp("fuzz") / "cache"
    shutil.copytree(filled_cache, directory)
    config = sandbox_config("http://127.0.0.1:9").replace(cache_dir=directory)
    app = TriageApp(config, Store(directory), Outbox(directory), now=lambda: FROZEN_NOW, offline=True)

    async def run() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            for step in steps:
                if isinstance(step, tuple):
                    await pilot.resize_terminal(*step)
                else:
                    await pilot.press(step)
            await pilot.pause()

    asyncio.run(run())
    assert app.return_code in (None, 0)
