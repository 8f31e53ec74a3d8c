"""Snapshots at 80x24 and 160x48: frozen clock, seeded data, no blinking cursor.

Review changed SVGs before accepting them (`pytest --snapshot-update`, then look at them).
"""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import FROZEN_NOW, sandbox_config
from tests.waiting import until
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.ui.app import TriageApp
from triage_tui.ui.widgets.detail import DetailPane
from triage_tui.ui.widgets.incidents import IncidentPane

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


async def settled(pilot) -> None:
    """The filter box, side panes and key bar mount after the first paint, the hints in
    the detail once their index is built: wait for them."""
    await pilot.app.main.mount_side_panes()
    await until(pilot, lambda: pilot.app.workspace.suggestions.ready)
    await until(pilot, lambda: not pilot.app.main.query_one(DetailPane).hints_pending)
    await pilot.pause()


@pytest.fixture
def make_app(filled_cache, tmp_path):
    def build() -> TriageApp:
        directory = tmp_path / "cache"
        shutil.copytree(filled_cache, directory)
        config = sandbox_config("http://127.0.0.1:9").replace(cache_dir=directory)
        store, outbox = Store(directory), Outbox(directory)
        return TriageApp(config, store, outbox, now=lambda: FROZEN_NOW, offline=True, cursor_blink=False)

    return build


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES)
def test_detail_with_an_internal_note(snap_compare, make_app, size):
    async def cs_ticket(pilot):
        # The Customer Success ticket carries an internal note from CS.
        await settled(pilot)
        await pilot.press("enter")

    assert snap_compare(make_app(), terminal_size=size, run_before=cs_ticket)


@pytest.mark.parametrize("size", SIZES)
def test_macro_picker_with_preview(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, press=["m", *"lead"], run_before=settled)


@pytest.mark.parametrize("size", SIZES)
def test_composer(snap_compare, make_app, size):
    press = ["p", *"Could you share the project id?"]
    assert snap_compare(make_app(), terminal_size=size, press=press, run_before=settled)


@pytest.mark.parametrize("size", SIZES)
def test_escalation_picker(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, press=["e", *"rep"], run_before=settled)


@pytest.mark.parametrize("size", SIZES)
def test_incident_split(snap_compare, make_app, size):
    async def pick_watched(pilot):
        await settled(pilot)
        await pilot.press("I")
        pane = pilot.app.main.query_one(IncidentPane)
        pane.query_one("#incident-list").highlighted = 1
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=pick_watched)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, press=["question_mark"])


@pytest.mark.parametrize("size", SIZES)
def test_incidents_full_screen(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, press=["2"])


@pytest.mark.parametrize("size", SIZES)
def test_sdk_view(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, press=["3"])


@pytest.mark.parametrize("size", SIZES)
def test_help_legend(snap_compare, make_app, size):
    """The end of `?`: Textual's own keys and the legend of the row markers and colours."""
    assert snap_compare(make_app(), terminal_size=size, press=["question_mark", "end"])


@pytest.mark.parametrize("size", SIZES)
def test_marked_tickets_through_a_filter(snap_compare, make_app, size):
    """Two marks hidden by a filter: the status line counts them."""
    press = ["space", "space", "slash", *"Hooli", "enter"]
    assert snap_compare(make_app(), terminal_size=size, press=press, run_before=settled)


# -- find in Zendesk (issue 15) ----------------------------------------------------------
@pytest.fixture(scope="session")
def searched(filled_cache, dataset, tmp_path_factory):
    """The filled cache after a real `f` by a requester's email against the sandbox: their
    open and solved tickets, as the search view shows them. Returns (cache, outcome)."""
    import asyncio
    import copy

    from tests.helpers import Engine
    from triage_sandbox.server import Sandbox

    template = tmp_path_factory.mktemp("searched") / "cache"
    shutil.copytree(filled_cache, template)
    tickets = dataset["tickets"]
    requester = next(
        user["id"]
        for user in sorted(dataset["users"], key=lambda u: u["id"])
        if any(t["requester_id"] == user["id"] and t["status"] in ("new", "open") for t in tickets)
        and sum(t["requester_id"] == user["id"] and t["status"] in ("solved", "closed") for t in tickets) >= 2
    )
    email = next(u["email"] for u in dataset["users"] if u["id"] == requester)

    async def find(url: str):
        engine = Engine(url, template)
        try:
            return await engine.engine.pollers.search(email)
        finally:
            await engine.aclose()

    with Sandbox(copy.deepcopy(dataset)) as sandbox:
        outcome = asyncio.run(find(sandbox.url))
    assert outcome.error is None and len(outcome.ids) >= 3, outcome
    return template, outcome


@pytest.fixture
def searched_app(searched, tmp_path):
    def build() -> TriageApp:
        directory = tmp_path / "searched"
        shutil.copytree(searched[0], directory)
        config = sandbox_config("http://127.0.0.1:9").replace(cache_dir=directory)
        return TriageApp(
            config, Store(directory), Outbox(directory), now=lambda: FROZEN_NOW, offline=True, cursor_blink=False
        )

    return build


@pytest.mark.parametrize("size", SIZES)
def test_search_view_with_solved_tickets(snap_compare, searched_app, searched, size):
    """What `f` by a requester's email shows: their tickets, solved ones too, newest change
    first. Cache-only mode cannot ask Zendesk, so the answer recorded above is handed in."""
    import dataclasses

    from triage_tui.read.search import SEARCH_VIEW

    outcome = searched[1]

    async def answered(pilot):
        await settled(pilot)
        main = pilot.app.main
        found = main.context.workspace.begin_search(outcome.text)
        main.view = SEARCH_VIEW
        main.search_answered(dataclasses.replace(outcome, number=found.number))
        await pilot.press("j")  # the second: a solved one, with its conversation
        await pilot.pause()

    assert snap_compare(searched_app(), terminal_size=size, run_before=answered)


@pytest.mark.parametrize("size", SIZES)
def test_find_box(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, press=["f", *"jane@acme"], run_before=settled)


@pytest.mark.parametrize("size", SIZES)
def test_first_sync_progress(snap_compare, make_app, size):
    """The status line while the first sync reads page 3 of about 5."""
    app = make_app()
    progress = {"stage": "queue", "page": 3, "pages": 5, "total": 4811, "at": FROZEN_NOW.isoformat()}
    app.store.mark_progress("zendesk", progress)
    assert snap_compare(app, terminal_size=size, run_before=settled)
