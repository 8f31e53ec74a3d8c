"""Incident watch and SDK rotation actions, asserting what reached the sandbox."""

from __future__ import annotations

from textual.widgets import Input, TextArea

from triage_tui.ui.screens.picker import FuzzyPicker
from triage_tui.ui.screens.text_editor import ImpactForm, TextEditor
from triage_tui.ui.widgets.incidents import IncidentPane
from triage_tui.ui.widgets.sdk import SdkPane

SIZE = (160, 48)


async def open_incident(app, pilot, reference: str, mode_key: str = "2") -> None:
    await pilot.press(mode_key)
    pane = app.main.query_one(IncidentPane)
    index = next(i for i, inc in enumerate(pane.incidents) if inc.reference == reference)
    pane.query_one("#incident-list").highlighted = index
    await pilot.pause()


async def test_incident_pane_lists_live_incidents_with_watcher_warning(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("I")
        assert app.main.has_class("-split")
        pane = app.main.query_one(IncidentPane)
        assert [i.reference for i in pane.incidents] == ["INC-232", "INC-231"]
        options = pane.query_one("#incident-list")
        listing = "\n".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))
        assert "no support watcher" in listing and "INC-231" in listing
        await open_incident(app, pilot, "INC-231")
        detail = str(pane.query_one("#incident-detail").render())
        assert "Tagged tickets (3)" in detail and "Fix is rolling out" in detail


async def test_w_raises_my_hand_as_support_watcher(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_incident(app, pilot, "INC-232")
        await pilot.press("w")
    await harness.send()
    incident = harness.sandbox.state.incidents["01INC232"]
    watcher = next(a for a in incident["incident_role_assignments"] if a["role"]["name"] == "Support Watcher")
    assert watcher["assignee"]["email"] == "agent@example.com"


async def test_t_attaches_marked_tickets_to_an_incident(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        ids = app.queue_table.selected_ids()
        await pilot.press("t")
        assert isinstance(app.screen, FuzzyPicker)
        await pilot.press(*"INC-232", "enter")
    await harness.send()
    for ticket_id in ids:
        assert "incident/232" in harness.sandbox.state.tickets[ticket_id]["tags"]
    attached = {
        a["resource"]["external_id"]
        for a in harness.sandbox.state.incident_attachments
        if a["incident_id"] == "01INC232"
    }
    assert {str(i) for i in ids} <= attached


async def test_M_creates_the_incident_macro_from_the_template(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_incident(app, pilot, "INC-231")
        await pilot.press("M")
        assert isinstance(app.screen, ImpactForm)
        app.screen.query_one("#impact-broken", Input).value = "EU event ingestion is delayed"
        app.screen.query_one("#impact-works", Input).value = "capture; no data is lost"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, TextEditor)
        assert "EU event ingestion is delayed" in app.screen.query_one(TextArea).text
        await pilot.press("ctrl+s")
    await harness.send()
    created = [m for m in harness.sandbox.state.macros.values() if m["title"].startswith("Incident INC-231")]
    assert len(created) == 1
    actions = {a["field"]: a["value"] for a in created[0]["actions"]}
    assert "incident/231" in actions["current_tags"].split()
    assert "status.posthog.com" in actions["comment_value"]


async def test_F_follows_up_every_tagged_ticket_and_deletes_the_macro(harness):
    app = harness.app()
    tagged = [t["id"] for t in harness.sandbox.state.tickets.values() if "incident/231" in t["tags"]]
    async with app.run_test(size=SIZE) as pilot:
        await open_incident(app, pilot, "INC-231")
        await pilot.press("M")
        await pilot.press("ctrl+s", "ctrl+s")
    await harness.send()  # the macro exists now
    await harness.engine.engine.poll("reference")
    # F says "resolved" only of a resolved incident (a live one gets an update, test_writes).
    closed = next(s for s in harness.sandbox.state.incident_statuses if s["category"] == "closed")
    harness.sandbox.state.incidents["01INC231"]["incident_status"] = closed
    await harness.engine.engine.poll("incidentio")
    again = harness.app()
    async with again.run_test(size=SIZE) as pilot:
        await open_incident(again, pilot, "INC-231")
        await pilot.press("F")
        assert isinstance(again.screen, TextEditor)
        await pilot.press("ctrl+s")
    await harness.send()
    for ticket_id in tagged:
        last = harness.sandbox.state.comments[ticket_id][-1]
        assert "has been resolved" in last["body"] and last["public"]
        assert "{{" not in last["body"]  # placeholders filled per ticket
        assert harness.sandbox.state.tickets[ticket_id]["status"] == "solved"
    assert not [m for m in harness.sandbox.state.macros.values() if m["title"].startswith("Incident INC-231")]


async def test_H_handover_is_saved_and_copied(harness, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = harness.app()
    copied: list[str] = []
    app.copy_to_clipboard = copied.append
    async with app.run_test(size=SIZE) as pilot:
        await open_incident(app, pilot, "INC-231")
        await pilot.press("H")
        text = app.screen.query_one(TextArea).text
        assert "INC-231" in text and "Tickets tagged: 3" in text
        await pilot.press("ctrl+s")
    saved = list((tmp_path / "state" / "triage-tui").glob("handover-INC-231-*.md"))
    assert saved and saved[0].read_text() == copied[0]


async def test_sdk_view_orders_unlabelled_first_and_labels_an_issue(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        pane = app.main.query_one(SdkPane)
        assert pane.issues and pane.issues[0]["labels"] == []
        issue = pane.current
        await pilot.press("l")
        await pilot.press(*"SDK Support", "enter")
    await harness.send()
    labels = next(i for i in harness.sandbox.state.issues[issue["repo"]] if i["number"] == issue["number"])["labels"]
    assert "SDK Support Hero" in [label["name"] for label in labels]


async def test_u_shows_and_copies_the_issue_url(harness):
    app = harness.app()
    copied: list[str] = []
    app.copy_to_clipboard = copied.append
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "u")
        assert copied and copied[0].startswith("https://github.com/PostHog/")


async def test_a_resolved_incident_stays_to_follow_up_and_the_macro_is_a_reminder(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_incident(app, pilot, "INC-231")
        await pilot.press("M", "ctrl+s", "ctrl+s")
    await harness.send()
    await harness.engine.engine.poll("reference")
    with harness.sandbox.state.lock:  # the incident is resolved in incident.io
        closed = next(s for s in harness.sandbox.state.incident_statuses if s["category"] == "closed")
        harness.sandbox.state.incidents["01INC231"]["incident_status"] = closed
    report = await harness.engine.engine.poll("incidentio")
    assert "01INC231" in report.changed
    again = harness.app()
    notes: list[str] = []
    again.notify = lambda message, **kw: notes.append(message)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        pane = again.main.query_one(IncidentPane)
        resolved = next(i for i in pane.incidents if i.reference == "INC-231")
        assert not resolved.is_live
        assert any("INC-231 is resolved but its macro still exists" in n for n in notes)


async def test_H_says_what_users_were_told_and_what_is_degraded_never_the_macros_placeholders(harness):
    """Issue 24: the handover quoted `Hey {{ticket.requester.first_name ...}}` and left out
    "degraded" (support-handbook.md: a handover says what users were told)."""
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_incident(app, pilot, "INC-231")
        await pilot.press("M")
        assert isinstance(app.screen, ImpactForm)
        await pilot.press(*"EU ingestion delayed", "tab", *"capture", "tab", *"dashboards are slow", "ctrl+s")
        assert isinstance(app.screen, TextEditor)
        await pilot.press("ctrl+s")
        await harness.send()
        await pilot.press("H")
        text = app.screen.query_one(TextArea).text
    told = next(line for line in text.splitlines() if line.startswith("• Users were told:"))
    assert "{{" not in text and "Hey" not in told
    assert "EU ingestion delayed" in told and "status.posthog.com" in told
    assert "• Degraded: dashboards are slow" in text
