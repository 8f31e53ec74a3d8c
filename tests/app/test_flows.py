"""Multi-step flows: one worker awaiting each screen; a failing one is shown, not fatal."""

from __future__ import annotations

from tests.app.palette import palette_top
from tests.waiting import until
from triage_tui.ui.screens.confirm import Confirm
from triage_tui.ui.widgets.incidents import IncidentPane

SIZE = (160, 48)


async def test_a_flow_that_fails_is_shown_and_the_app_stays_up(harness):
    app = harness.app()
    notes: list[tuple[str, str]] = []
    app.notify = lambda message, severity="information", **kw: notes.append((message, severity))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    app.context.writes.update_ticket = broken
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, Confirm)
        await pilot.press("enter")
        await until(pilot, lambda: any(severity == "error" for _, severity in notes))
        assert ("set status Solved failed: disk full", "error") in notes
        await pilot.press("j")  # still answering keys
        assert app.is_running and app.queue_table.cursor == 1


async def test_modes_and_the_split_are_reactive_state(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        main = app.main
        await pilot.press("I")
        assert main.split and main.has_class("-split") and main.mode == "queue"
        await pilot.press("3")
        assert main.mode == "sdk" and main.has_class("-mode-sdk") and not main.has_class("-mode-queue")
        await pilot.press("I")  # back to the queue, the split off again
        assert main.mode == "queue" and not main.split and not main.has_class("-split")
        main.view = "escalated"
        await pilot.pause()
        assert all("escalated" in r.entry.ticket.tags for r in app.queue_table.rows)
        # The palette opens an incident in the incident view.
        await pilot.press("ctrl+p", *"INC-231")
        await until(pilot, lambda: palette_top(app).startswith("INC-231"))
        await pilot.press("enter")
        pane = main.query_one(IncidentPane)
        await until(pilot, lambda: main.mode == "incidents" and pane.current and pane.current.reference == "INC-231")
        assert main.has_class("-mode-incidents")


async def test_keys_in_the_same_read_as_a_dialog_key_reach_the_dialog(harness):
    """A fast typist (or a paste) sends `s` and `enter` in one read: the enter answers the
    dialog `s` opens, as it would have if the dialog were up already."""
    from textual import events

    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        ticket_id = app.queue_table.current_id
        for key, char in [("s", "s"), ("enter", "\r")]:
            app.post_message(events.Key(key, char))
        await until(pilot, lambda: harness.queued(), what="the solve is queued")
        assert not isinstance(app.screen, Confirm)
        assert [e["payload"]["ticket_id"] for e in harness.queued()] == [ticket_id]
