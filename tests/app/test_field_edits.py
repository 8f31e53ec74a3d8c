"""Field edits without escalating (issue 26, item 5): `E`, a field, a value; one safe update
of that field alone reaches Zendesk (no note, no `escalated` tag). Read back from the
sandbox's log of writes and its tickets."""

from __future__ import annotations

from tests.app.test_writes import burst, up
from tests.app.waiting import until
from triage_tui.ui.screens.picker import FuzzyPicker

SIZE = (80, 24)
SEVERITY_ID = 360200002  # the sandbox account's "Severity" drop-down (sandbox/data.py)


async def _edit(app, pilot, field: str, value: str) -> None:
    await pilot.press("E")
    await up(pilot, app, FuzzyPicker, "E opens the field picker")
    burst(app, field)
    await until(pilot, lambda: app.screen.shown and app.screen.shown[0].label.lower().startswith(field.lower()))
    burst(app, "enter")
    await until(
        pilot,
        lambda: (
            isinstance(app.screen, FuzzyPicker)
            and app.screen.title_text.startswith(field)
            and app.screen.query_one("#picker-input").has_focus
        ),
    )
    burst(app, value)
    await until(pilot, lambda: app.screen.shown and value.lower() in app.screen.shown[0].label.lower())
    burst(app, "enter")
    await until(pilot, lambda: not isinstance(app.screen, FuzzyPicker))


async def test_priority_severity_group_and_assignee_each_go_as_a_safe_update_of_that_field(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        ticket_id = app.queue_table.current_id
        before = dict(harness.sandbox.state.tickets[ticket_id])
        stamp = app.context.reads.ticket(ticket_id)["updated_at"]
        await _edit(app, pilot, "Priority", "Urgent")
        await _edit(app, pilot, "Severity", "Sev 1")
        support = next(g for g, name in app.context.workspace.groups.items() if name == "Support")
        await _edit(app, pilot, "Group", "Support")
    queued = harness.queued()
    assert [e["payload"]["ticket"] for e in queued] == [
        {"priority": "urgent", "safe_update": True, "updated_stamp": stamp},
        {"custom_fields": [{"id": SEVERITY_ID, "value": "sev_1"}], "safe_update": True, "updated_stamp": stamp},
        {"group_id": support, "safe_update": True, "updated_stamp": stamp},
    ]
    await harness.send()
    after = harness.sandbox.state.tickets[ticket_id]
    assert after["priority"] == "urgent" and after["group_id"] == support
    assert {"id": SEVERITY_ID, "value": "sev_1"} in after["custom_fields"]
    # Not an escalation: no tag added, no comment written.
    assert after["tags"] == before["tags"]
    puts = [w for w in harness.writes() if w.get("ticket_id") == ticket_id]
    assert len(puts) == 3 and not any("comment" in w["body"] for w in puts)
    assert all(w["body"]["safe_update"] is True for w in puts)


async def test_assignee_picker_offers_me_first_and_a_stale_view_is_a_conflict(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        ticket_id = app.queue_table.current_id
        was = harness.sandbox.state.tickets[ticket_id].get("assignee_id")
        me = app.context.reads.me()
        await pilot.press("E")
        await up(pilot, app, FuzzyPicker)
        burst(app, "Assignee", "enter")
        await until(pilot, lambda: isinstance(app.screen, FuzzyPicker) and "Assignee of" in app.screen.title_text)
        assert app.screen.shown[0].key == str(me.id) and app.screen.shown[0].hint == "me"
        burst(app, "enter")
        await until(pilot, lambda: not isinstance(app.screen, FuzzyPicker))
    # A colleague changed the ticket after our view: Zendesk answers 409, nothing is overwritten.
    state = harness.sandbox.state
    state.tickets[ticket_id]["updated_at"] = "2030-01-01T00:00:00Z"
    await harness.engine.engine.send()
    entry = harness.engine.outbox.entries(("conflict",))[0]
    assert entry["payload"]["ticket"]["assignee_id"] == me.id
    assert state.tickets[ticket_id].get("assignee_id") == was
