"""Suggested macros and related tickets in the detail, `x` to a related ticket and back,
a possible incident announced once and shown by `P` (issue 28)."""

from __future__ import annotations

import copy
import itertools
import time

import pytest

from tests.app.test_writes import burst, up
from tests.conftest import FROZEN_NOW, Closing, sandbox_config
from tests.helpers import TOKENS, Harness, no_sleep
from tests.waiting import until
from triage_sandbox.burst import REPORTS, add_burst
from triage_sandbox.server import Sandbox
from triage_tui.read.search import SEARCH_VIEW
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.clients import build_clients
from triage_tui.sync.engine import SyncEngine
from triage_tui.sync.requests import Requests
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.picker import FuzzyPicker
from triage_tui.ui.sync_bridge import Progress
from triage_tui.ui.widgets.detail import DetailPane


def hinted(app) -> bool:
    pane = app.main.query_one(DetailPane)
    return app.workspace.suggestions.ready and "Suggested macros: " in pane.plain_text and not pane.hints_pending


def line(app, start: str) -> str:
    text = app.main.query_one(DetailPane).plain_text
    return next(row for row in text.splitlines() if row.startswith(start))


def ticket_with_subject(app, words: str) -> int:
    return next(int(k) for k, row in app.workspace.store.unsolved().items() if words in (row["subject"] or ""))


async def test_the_detail_suggests_the_macro_that_fits_and_names_related_tickets(harness):
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: hinted(app), what="hints in the detail")
        ticket_id = ticket_with_subject(app, "2FA device lost")
        app.queue_table.move_to(ticket_id)
        await until(
            pilot, lambda: app.main.query_one(DetailPane).plain_text.startswith(f"#{ticket_id} ") and hinted(app)
        )
        await until(pilot, lambda: "2FA removal confirmation" in line(app, "Suggested macros: "))
        assert line(app, "Suggested macros: ").startswith("Suggested macros: 2FA removal confirmation")
        related = line(app, "Related: ")
        ids = [int(word[1:]) for word in related.split() if word.startswith("#")]
        assert 0 < len(ids) <= 5, related
        store = app.workspace.store
        mine = store.ticket(ticket_id)
        for other in ids:  # the same problem, or the same organization's open ticket
            ticket = store.ticket(other)
            assert ticket["subject"] == mine["subject"] or ticket["organization_id"] == mine["organization_id"]


async def test_nothing_fits_says_none(harness):
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: hinted(app))
        hints = app.workspace.suggestions
        quiet = [int(k) for k in app.workspace.store.unsolved() if (h := hints.for_ticket(int(k))) and not h.macros]
        assert quiet
        app.queue_table.move_to(quiet[0])
        await until(
            pilot, lambda: app.main.query_one(DetailPane).plain_text.startswith(f"#{quiet[0]} ") and hinted(app)
        )
        assert line(app, "Suggested macros: ") == "Suggested macros: none"


async def test_x_walks_the_related_tickets_and_comes_back_in_one_burst(harness):
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: hinted(app))
        origin = app.queue_table.current_id
        related = app.workspace.suggestions.for_ticket(origin).related
        assert len(related) >= 2
        burst(app, "x")
        await until(pilot, lambda: app.queue_table.current_id == related[0], what="x to the first related")
        burst(app, *["x"] * len(related))  # through the rest, then back, in one read
        await until(pilot, lambda: app.queue_table.current_id == origin, what="back to the origin")
        assert app.main.view == "all"


async def test_the_macro_picker_lists_the_suggested_macros_first(harness):
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: hinted(app))
        ticket_id = ticket_with_subject(app, "2FA device lost")
        app.queue_table.move_to(ticket_id)
        await pilot.pause()
        suggested = [title for _, title in app.workspace.suggestions.for_ticket(ticket_id).macros]
        await pilot.press("m")
        await up(pilot, app, FuzzyPicker)
        shown = [choice.label for choice in app.screen.shown]
    assert suggested and shown[: len(suggested)] == suggested
    assert shown[len(suggested) :] == sorted(shown[len(suggested) :], key=str.lower)


@pytest.fixture
def burst_dataset(dataset):
    data = copy.deepcopy(dataset)
    ids = add_burst(data, FROZEN_NOW)
    return data, ids


async def test_a_burst_is_announced_once_and_p_shows_its_tickets_marked(burst_dataset, tmp_path, closing: Closing):
    data, ids = burst_dataset
    with Sandbox(data) as sandbox:
        harness = closing(Harness(sandbox, tmp_path / "cache"))
        await harness.fill()
        app = harness.app()
        said: list[str] = []
        app.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: any("Possible incident" in s for s in said), what="the announcement")
            announced = [s for s in said if "Possible incident" in s]
            assert announced[0].startswith(f"Possible incident: {len(REPORTS)} tickets like #{ids[0]}")
            app.workspace.suggestions.submit(ids)  # the same burst again: not announced again
            await until(pilot, lambda: app.workspace.suggestions._queue.empty())
            await pilot.pause()
            assert len([s for s in said if "Possible incident" in s]) == 1
            burst(app, "P")
            await until(pilot, lambda: app.main.view == SEARCH_VIEW)
            assert [row.entry.id for row in app.queue_table.rows] == ids
            assert app.queue_table.marked == set(ids)
            burst(app, "t")
            await up(pilot, app, FuzzyPicker)  # the attach flow, for the marked tickets


async def test_escape_from_the_possible_incident_leaves_no_marks_behind(burst_dataset, tmp_path, closing: Closing):
    """`P` then `escape`, without attaching: back in the queue, the next key acts on the
    ticket under the cursor, not on the burst's tickets P marked (a mark marked before P
    stays)."""
    data, ids = burst_dataset
    with Sandbox(data) as sandbox:
        harness = closing(Harness(sandbox, tmp_path / "cache"))
        await harness.fill()
        app = harness.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.workspace.suggestions.bursts(), what="the burst found")
            mine = next(row.entry.id for row in app.queue_table.rows if row.entry.id not in ids)
            app.queue_table.move_to(mine)
            burst(app, "space", "P")
            await until(pilot, lambda: app.main.view == SEARCH_VIEW)
            assert app.queue_table.marked == {mine, *ids}
            burst(app, "escape")
            await until(pilot, lambda: app.main.view != SEARCH_VIEW)
            assert app.queue_table.marked == {mine}


REPLAY_REPORTS = [
    "Session replay recordings won't load, the player spins forever.",
    "Replays stuck loading: the session replay player never starts.",
    "Our session replay recordings fail to load in the player since this morning.",
    "Session replay player not loading any recordings.",
    "Recordings in session replay are not loading, the player just spins.",
]


async def test_two_bursts_are_announced_in_one_toast_and_p_again_shows_the_next(dataset, tmp_path, closing: Closing):
    """Two possible incidents at once: one toast names both (not one toast each, stacked
    over the queue, each saying P shows it), and P shows the first, P again the second."""
    data = copy.deepcopy(dataset)
    events = add_burst(data, FROZEN_NOW)
    replays = add_burst(data, FROZEN_NOW)
    for ticket_id, text in zip(replays, REPLAY_REPORTS, strict=True):
        ticket = next(t for t in data["tickets"] if t["id"] == ticket_id)
        ticket["subject"] = ticket["raw_subject"] = "Session replay not loading"
        ticket["description"] = text
        comment = data["comments"][str(ticket_id)][0]
        comment["body"] = comment["plain_body"] = text
        comment["html_body"] = f"<p>{text}</p>"
    with Sandbox(data) as sandbox:
        harness = closing(Harness(sandbox, tmp_path / "cache"))
        await harness.fill()
        app = harness.app()
        said: list[str] = []
        app.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: len(app.workspace.suggestions.bursts()) == 2, what="both bursts found")
            await until(pilot, lambda: any("ossible incident" in s for s in said), what="the announcement")
            await pilot.pause()
            announced = [s for s in said if "ossible incident" in s]
            assert len(announced) == 1
            assert f"#{events[0]}" in announced[0] and f"#{replays[0]}" in announced[0]
            burst(app, "P")
            await until(pilot, lambda: app.main.view == SEARCH_VIEW)
            first = {row.entry.id for row in app.queue_table.rows}
            assert first in (set(events), set(replays)) and app.queue_table.marked == first
            burst(app, "P")
            await until(pilot, lambda: {row.entry.id for row in app.queue_table.rows} != first, what="P again")
            second = {row.entry.id for row in app.queue_table.rows}
            assert {frozenset(first), frozenset(second)} == {frozenset(events), frozenset(replays)}
            assert app.queue_table.marked == second


async def test_from_an_empty_cache_the_burst_is_named_within_90_seconds_and_macros_are_suggested(
    burst_dataset, tmp_path
):
    """From an empty cache, with the real sync worker: the first sync, the index and the
    announcement."""
    data, ids = burst_dataset
    with Sandbox(data) as sandbox:
        directory = tmp_path / "cache"
        config = sandbox_config(sandbox.url).replace(cache_dir=directory)
        store, outbox = Store(directory), Outbox(directory)
        ticks = itertools.count(0, 1000)

        def factory(*, requests: Requests, progress: Progress) -> SyncEngine:
            clients = build_clients(config, TOKENS, sleep=no_sleep, timeout=5)
            return SyncEngine(
                config,
                store,
                outbox,
                clients,
                monotonic=lambda: float(next(ticks)),
                requests=requests,
                progress=progress,
            )

        app = TriageApp(config, store, outbox, engine_factory=factory, now=lambda: FROZEN_NOW)
        said: list[str] = []
        app.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]
        started = time.monotonic()
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: any("Possible incident" in s for s in said), timeout=90, what="named")
            took = time.monotonic() - started
            # The first sync stores the macros without a reference change of its own: the
            # hints, built on the empty cache, must still learn them.
            lost = ticket_with_subject(app, "2FA device lost")

            def first_macro() -> list[str]:
                hints = app.workspace.suggestions.for_ticket(lost)
                return [t for _, t in hints.macros][:1] if hints is not None else []

            await until(
                pilot,
                lambda: first_macro() == ["2FA removal confirmation"],
                what="the macros learned after the first sync",
            )
    assert took < 90
    assert any(f"tickets like #{ids[0]}" in s for s in said)
