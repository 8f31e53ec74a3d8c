"""Snapshots at 80x24 and 160x48: frozen clock, seeded data, no blinking cursor.

Review changed SVGs before accepting them (`pytest --snapshot-update`, then look at them).
"""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import FROZEN_NOW, sandbox_config
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.ui.app import TriageApp
from triage_tui.ui.widgets.incidents import IncidentPane

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


async def settled(pilot) -> None:
    """The filter box, side panes and key bar mount after the first paint: wait for them."""
    await pilot.app.main.mount_side_panes()
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
