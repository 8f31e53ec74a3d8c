"""After `l`, the SDK row shows the label at once and keeps showing it once GitHub took it,
not "needs label" again until the next GitHub poll, minutes later (issue 24)."""

from __future__ import annotations

from textual.widgets import OptionList

from tests.waiting import until
from triage_tui.sync.events import SyncEvent
from triage_tui.ui.screens.picker import FuzzyPicker
from triage_tui.ui.sync_bridge import SyncReported
from triage_tui.ui.widgets.sdk import SdkPane

SIZE = (80, 24)


def _row(pane: SdkPane, issue_id: int) -> str:
    options = pane.query_one("#sdk-list", OptionList)
    index = next(i for i, issue in enumerate(pane.issues) if issue["id"] == issue_id)
    return str(options.get_option_at_index(index).prompt)


async def test_a_label_just_added_shows_on_the_row_until_the_next_poll_brings_it(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        pane = app.main.query_one(SdkPane)
        await until(pilot, lambda: pane.current is not None, what="the SDK issues")
        issue = pane.current
        assert "needs label" in _row(pane, issue["id"])
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, FuzzyPicker), what="the label picker")
        await pilot.press(*"SDK Support", "enter")
        await until(pilot, lambda: "SDK Support Hero ↑" in _row(pane, issue["id"]), what="shown at once, queued")
        assert "needs label" not in _row(pane, issue["id"])

        await harness.send()  # GitHub has it now; our cache learns of it at the next poll
        app.post_message(SyncReported(SyncEvent(outbox_changed=True)))
        await until(pilot, lambda: "↑" not in _row(pane, issue["id"]), what="the ↑ gone once sent")
        row = _row(pane, issue["id"])
        assert "SDK Support Hero" in row and "hero" in row and "needs label" not in row

        await harness.engine.engine.poll("github")  # the poll brings the label itself
        app.post_message(SyncReported(SyncEvent(incidents_changed=True)))
        await until(pilot, lambda: "SDK Support Hero" in _row(pane, issue["id"]), what="after the poll")
        assert "needs label" not in _row(pane, issue["id"])
