"""Field edits without escalating (issue 26, item 5): `E`, a field, a value; one safe update
of that field alone reaches Zendesk (no note, no `escalated` tag). Read back from the
sandbox's log of writes and its tickets."""

from __future__ import annotations

from tests.app.test_find import toasts
from tests.app.test_writes import burst, up
from tests.waiting import until
from triage_tui.ui.screens.picker import FuzzyPicker

SIZE = (80, 24)
SEVERITY_ID = 360200002  # the sandbox account's "Severity" drop-down (triage_sandbox/data.py)


async def _edit(app, pilot, words: str, label: str) -> None:
    """E, the words, enter: one burst, as a fast typist sends it in one read."""
    burst(app, "E", words, "enter")
    await until(pilot, lambda: any(label in m for m in app.said), what=f"queued: {label}")


async def test_priority_severity_group_and_assignee_each_go_as_a_safe_update_of_that_field(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        ticket_id = app.queue_table.current_id
        before = dict(harness.sandbox.state.tickets[ticket_id])
        stamp = app.context.reads.ticket(ticket_id)["updated_at"]
        app.said = toasts(app)
        await _edit(app, pilot, "priority urgent", "Queued: priority: Urgent")
        await _edit(app, pilot, "severity sev 1", "Queued: severity: Sev 1")
        support = next(g for g, name in app.context.workspace.groups.items() if name == "Support")
        await _edit(app, pilot, "group support", "Queued: group: Support")
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
        burst(app, "assignee")
        await until(pilot, lambda: app.screen.shown and app.screen.shown[0].label.startswith("Assignee"))
        assert app.screen.shown[0].key == f"assignee={me.id}" and app.screen.shown[0].hint == "me"
        burst(app, "enter")
        await until(pilot, lambda: not isinstance(app.screen, FuzzyPicker))
    # A colleague changed the ticket after our view: Zendesk answers 409, nothing is overwritten.
    state = harness.sandbox.state
    state.tickets[ticket_id]["updated_at"] = "2030-01-01T00:00:00Z"
    await harness.engine.engine.send()
    entry = harness.engine.outbox.entries(("conflict",))[0]
    assert entry["payload"]["ticket"]["assignee_id"] == me.id
    assert state.tickets[ticket_id].get("assignee_id") == was
