"""Raise an incident from tickets (issue 26, item 7): `!`, a severity from /v1/severities, a
name and a summary carrying the tickets' links, then raise my hand. What reached
incident.io (the create with its idempotency key, the attachment) and Zendesk (the
`incident/<n>` tag) is read back from the sandbox."""

from __future__ import annotations

from tests.app.test_writes import burst, up
from tests.waiting import until
from triage_tui.ui.screens.picker import FuzzyPicker
from triage_tui.ui.screens.text_editor import TextEditor

SIZE = (80, 24)


async def test_raise_from_two_marked_tickets_creates_one_incident_attaches_both_and_makes_me_watcher(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        marked = app.queue_table.selected_ids()
        assert len(marked) == 2
        await pilot.press("exclamation_mark")
        await up(pilot, app, FuzzyPicker, "! opens the severity picker")
        assert [c.label for c in app.screen.shown] == ["Minor", "Major", "Critical"]
        burst(app, "Major", "enter")
        await up(pilot, app, TextEditor)
        text = app.screen.query_one("#composer-text").text
        links = [f"{harness.sandbox.url}/agent/tickets/{tid}" for tid in marked]
        assert all(link in text for link in links)
        burst(app, "Exports failing for several customers", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, FuzzyPicker) and "who watches" in app.screen.title_text)
        assert app.screen.shown[0].label.startswith("Raise it and raise my hand")
        burst(app, "enter")
        await until(pilot, lambda: not isinstance(app.screen, FuzzyPicker))
    [entry] = harness.queued()
    assert entry["kind"] == "incident_create"
    await harness.send()
    created = [w for w in harness.writes("incidentio") if w["path"] == "/v2/incidents"]
    assert len(created) == 1
    body = created[0]["body"]
    assert body["name"] == "Exports failing for several customers"
    assert body["idempotency_key"].startswith("triage-tui-") and body["visibility"] == "public"
    assert body["severity_id"] == "01SEVMAJOR"
    assert all(link in body["summary"] for link in links)
    me = app.context.reads.me()
    assert body["incident_role_assignments"] == [{"incident_role_id": "01ROLEWATCH", "assignee": {"email": me.email}}]
    incident = next(
        i for i in harness.sandbox.state.incidents.values() if i["idempotency_key"] == body["idempotency_key"]
    )
    number = incident["reference"].split("-")[1]
    attached = {
        a["resource"]["external_id"]
        for a in harness.sandbox.state.incident_attachments
        if a["incident_id"] == incident["id"]
    }
    assert attached == {str(tid) for tid in marked}
    for tid in marked:
        assert f"incident/{number}" in harness.sandbox.state.tickets[tid]["tags"]
    # The new incident is in the cache at once: the incident view shows it, w works on it.
    assert any(i["id"] == incident["id"] for i in harness.engine.store.list("incidents"))


async def test_an_empty_name_is_refused_in_the_editor_and_nothing_is_queued(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "j", "space")
        await pilot.press("exclamation_mark")
        await up(pilot, app, FuzzyPicker)
        burst(app, "enter")
        await up(pilot, app, TextEditor)
        burst(app, "ctrl+s")  # two tickets: the first line (the name) is left to write
        await until(pilot, lambda: app.screen.error is not None)
        assert "first line" in app.screen.error and isinstance(app.screen, TextEditor)
        burst(app, "escape")
        await until(pilot, lambda: not isinstance(app.screen, TextEditor))
    assert harness.queued() == []
