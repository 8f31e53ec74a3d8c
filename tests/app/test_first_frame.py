"""Start-up puts the queue on the terminal in its first frame, then the rest."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.waiting import until

SIZE = (160, 48)  # the paint benchmark's terminal

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


async def test_the_first_update_on_the_terminal_shows_the_ranked_rows(harness, monkeypatch):
    """What the app first hands the terminal holds the queue's rows, not only its status line
    and the detail's border. Textual drops a frame rendered during its start-up batch (the
    App's mount); the main screen pushed from the App's `on_mount` was laid out and rendered
    there, so the first update the terminal got was a partial one without the rows, and the
    rows came with a later full frame (15-25 ms later at 160x48 with 5,000 unsolved).
    Textual's `App._display` is where every update goes to the terminal (a headless run
    stops there too): it is watched, not changed."""
    app = harness.app()
    shown: list[str] = []
    display = app._display

    def watched(screen, update) -> None:
        if update is not None and not app._batch_count:  # what reaches the terminal
            shown.append(ESCAPES.sub("", update.render_segments(app.console)))
        display(screen, update)

    monkeypatch.setattr(app, "_display", watched)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: shown)
        rows = app.queue_table.rows
        first = shown[0]
        assert rows
        for row in rows[:3]:
            assert row.entry.ticket.title[:20] in first, first


def test_the_app_is_imported_without_the_ticket_flows_or_the_side_panes():
    """What the first frame does not draw is imported after it: the ticket keys' flows on
    their first press, the incident and SDK panes when they mount (467 modules instead of
    515 before the queue is painted, ~15 ms of a start-up's CPU)."""
    later = [
        "triage_tui.ui.ticket_flows.status",
        "triage_tui.ui.ticket_flows.attach",
        "triage_tui.ui.widgets.incidents",
        "triage_tui.ui.widgets.sdk",
        "triage_tui.ui.handover_flow",
        "triage_tui.ui.in_order",
    ]
    code = f"import sys, triage_tui.ui.app; print(sorted(set({later!r}) & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


async def test_keys_typed_while_the_app_starts_act_once_the_queue_is_there(harness, monkeypatch):
    """Keys read before the main screen is composed (typed as the command starts, an SSH
    burst) wait for it, then act in order: `j j` move, `i` opens the note on that ticket, and
    the text lands in it. Posted from the App's mount, where the keys of a real start-up
    queue up (the App's own messages wait for its mount)."""
    from textual.widgets import TextArea

    from tests.app.test_writes import burst, up
    from triage_tui.ui.app import TriageApp
    from triage_tui.ui.screens.composer import Composer

    mount = TriageApp.on_mount

    def typed_meanwhile(self):
        burst(self, "j", "j", "i", "hello")
        return mount(self)

    monkeypatch.setattr(TriageApp, "on_mount", typed_meanwhile)
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await up(pilot, app, Composer)
        await until(pilot, lambda: app.screen.query_one(TextArea).text.endswith("hello"))
        assert app.queue_table.cursor == 2
