"""What was just done shows at once, as queued (↑), before the service has it; it turns
confirmed when the write is through (issue 12: before, `w` still said "no support watcher"
until the next incident.io poll, and `l` still said "needs label" for ~5 minutes)."""

from __future__ import annotations

from tests.app.test_incidents_and_sdk import SIZE, open_incident
from triage_tui.ui.widgets.incidents import IncidentPane
from triage_tui.ui.widgets.sdk import SdkPane


def listing(pane, selector: str) -> str:
    options = pane.query_one(selector)
    return "\n".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))


async def test_a_raised_hand_shows_at_once_then_is_confirmed(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_incident(app, pilot, "INC-232")
        pane = app.main.query_one(IncidentPane)
        await pilot.press("w")
        await pilot.pause()
        assert "you as Support Watcher (queued)" in listing(pane, "#incident-list")
        assert "you ↑ (queued" in str(pane.query_one("#incident-detail").render())
    await harness.send()
    incident = harness.sandbox.state.incidents["01INC232"]
    watcher = next(a for a in incident["incident_role_assignments"] if a["role"]["name"] == "Support Watcher")
    assert watcher["assignee"]["email"] == "agent@example.com"
    again = harness.app()
    async with again.run_test(size=SIZE) as pilot:  # sent: no longer queued, the role is there
        await open_incident(again, pilot, "INC-232")
        pane = again.main.query_one(IncidentPane)
        assert "(queued)" not in listing(pane, "#incident-list")
        detail = str(pane.query_one("#incident-detail").render())
        assert "Support Watcher: none" not in detail and "queued" not in detail


async def test_a_queued_label_shows_at_once_and_the_issue_stops_needing_one(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        pane = app.main.query_one(SdkPane)
        issue = pane.current
        assert issue["labels"] == []
        await pilot.press("l")
        await pilot.press(*"SDK Support", "enter")
        await pilot.pause()
        shown = listing(pane, "#sdk-list")
        assert "SDK Support Hero ↑" in shown
        labelled = next(i for i in pane.issues if i["id"] == issue["id"])
        assert any(label["name"] == "SDK Support Hero" for label in labelled["labels"])
    await harness.send()
    labels = next(i for i in harness.sandbox.state.issues[issue["repo"]] if i["number"] == issue["number"])["labels"]
    assert "SDK Support Hero" in [label["name"] for label in labels]
