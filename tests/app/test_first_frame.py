"""Start-up puts the queue on the terminal in its first frame, then the rest."""

from __future__ import annotations

import re

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
