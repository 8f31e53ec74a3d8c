"""Type-ahead as a terminal sends it: a paste or an SSH read delivers the key that opens a
composer or picker and the text after it in one burst, with no pause between them.
Every key must reach what the first one opened, in order (issue 12)."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea

from tests.app.test_writes import burst, up
from tests.waiting import until
from triage_tui.ui.screens.composer import Composer
from triage_tui.ui.screens.picker import FuzzyPicker


async def settle(pilot, rounds: int = 10) -> None:
    for _ in range(rounds):
        await pilot.pause()


async def test_r_then_text_in_one_burst_lands_in_the_reply(harness):
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, "r", "Thanks for the details, looking now")
        await up(pilot, app, Composer)
        await settle(pilot)
        text = app.screen.query_one(TextArea).text
    assert text.endswith("Thanks for the details, looking now"), text


async def test_i_then_text_then_ctrl_s_in_one_burst_sends_the_whole_note(harness):
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        ticket_id = app.main.queue_table.current_id
        burst(app, "i", "pasted note", "ctrl+s")
        await settle(pilot, 20)
    await harness.send()
    bodies = [c["body"] for c in harness.sandbox.state.comments.get(ticket_id, [])]
    assert any(body.endswith("pasted note") for body in bodies), bodies


async def test_e_then_a_team_name_in_one_burst_filters_the_picker_to_that_team(harness):
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, "e", "replay")
        await up(pilot, app, FuzzyPicker)
        await settle(pilot)
        typed = app.screen.query_one(Input).value
    assert typed == "replay"


async def test_m_then_a_macro_name_in_one_burst_reaches_the_macro_picker(harness):
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, "m", "create a lead")
        await up(pilot, app, FuzzyPicker)
        await settle(pilot)
        typed = app.screen.query_one(Input).value
    assert typed == "create a lead"


async def test_in_the_filter_box_r_and_e_are_letters_not_keys(harness):
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.post_message(events.Key("slash", "/"))  # "/" as a terminal sends it, then the rest
        burst(app, "error")
        await settle(pilot)
        assert app.screen is app.main  # no composer, no picker opened
        assert app.main.query_one(Input).value == "error"


async def test_M_then_the_facts_with_tabs_in_one_burst_fill_each_field_in_order(harness):
    from tests.app.test_incidents_and_sdk import open_incident
    from triage_tui.ui.screens.text_editor import ImpactForm

    app = harness.app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_incident(app, pilot, "INC-232")
        burst(app, "M", "Replay fails", "tab", "Analytics works", "tab", "Slow exports")
        await up(pilot, app, ImpactForm)
        await settle(pilot, 20)
        values = [app.screen.query_one(f"#impact-{name}", Input).value for name in ("broken", "works", "degraded")]
    wanted = ("Replay fails", "Analytics works", "Slow exports")
    assert all(value.endswith(end) for value, end in zip(values, wanted, strict=True)), values


async def test_marks_and_moves_then_i_in_one_burst_note_the_tickets_marked_first(harness):
    """A priority key must not overtake the queue keys typed before it in the same read:
    `space space i` wrote the note for one ticket, the marks arriving after the composer."""
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        rows = [row.entry.id for row in app.queue_table.rows[:3]]
        burst(app, "space", "j", "space", "i", "both, separately", "ctrl+s")
        await pilot.pause()
        await up(pilot, app, type(app.main), "back on the queue")
        await until(pilot, lambda: len(app.outbox.entries()) >= 2, what=app.outbox.entries)
        targets = sorted(entry["target"] for entry in app.outbox.entries())
        assert targets == sorted(f"zendesk:ticket:{ticket_id}" for ticket_id in (rows[0], rows[2]))
