"""`B` on a ticket: a bug report or feature request, from the keyboard at 80x24 (issue 26).

With the app's real sync worker against the sandbox; what reached GitHub and Zendesk is
read back from the sandbox's state. Keys are posted as a terminal sends them (a burst).
"""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.widgets import Input, OptionList, Static, TextArea

from tests.app.test_find import found
from tests.app.test_writes import burst
from tests.waiting import until
from triage_tui.triage.bug_reports import BUG
from triage_tui.ui.screens.bug_report import NOTES, BugReportForm

SMALL = (80, 24)
MAIN = "PostHog/posthog"
DUPLICATE = 27100  # seeded: "Funnel conversion drops to zero after step 3 with breakdown"


def ctrl(app, letter: str) -> None:
    app.post_message(events.Key(f"ctrl+{letter}", None))


def funnel_ticket(sandbox) -> dict:
    return min(
        (
            t
            for t in sandbox.state.tickets.values()
            if t["subject"].startswith("Funnel conversion drops") and t["status"] in ("new", "open")
        ),
        key=lambda t: t["id"],
    )


def replies_with(sandbox, ticket_id: int, url: str) -> list[dict]:
    return [c for c in sandbox.state.comments.get(ticket_id, []) if c.get("public") and url in c["body"]]


async def open_form(pilot, app, ticket: dict) -> BugReportForm:
    burst(app, "f", str(ticket["id"]), "enter")
    await found(pilot, app, ticket["id"])
    burst(app, "B")
    await until(pilot, lambda: isinstance(app.screen, BugReportForm), what="B opens the form")
    form = app.screen
    assert isinstance(form, BugReportForm)
    return form


async def test_b_finds_the_open_issue_and_a_plus_one_then_the_reply_goes_pending(live, sandbox):
    ticket = funnel_ticket(sandbox)
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        form = await open_form(pilot, live, ticket)
        # The duplicate search answers in the form: the seeded issue is offered.
        await until(
            pilot, lambda: form.query_one("#bugreport-issues", OptionList).option_count > 1, what="search answered"
        )
        burst(live, "tab", "Breakdown by cohort shows 0%. ", "tab", "down", "ctrl+s")
        await until(pilot, lambda: not isinstance(live.screen, BugReportForm), what="the form closes")
        url = f"https://github.com/{MAIN}/issues/{DUPLICATE}"
        await until(pilot, lambda: replies_with(sandbox, ticket["id"], url), what="the reply reached Zendesk")
    comments = sandbox.state.issue_comments[f"{MAIN}#{DUPLICATE}"]
    assert comments[-1]["body"].startswith("+1") and "Breakdown by cohort shows 0%." in comments[-1]["body"]
    assert f"/agent/tickets/{ticket['id']}" in comments[-1]["body"]
    assert len(replies_with(sandbox, ticket["id"], url)) == 1
    assert sandbox.state.tickets[ticket["id"]]["status"] == "pending"
    assert not [w for w in sandbox.state.writes if w.get("path") == f"/repos/{MAIN}/issues"]  # no new issue


async def test_b_opens_a_feature_request_replies_solved_and_copies_the_alert(live, sandbox):
    ticket = funnel_ticket(sandbox)
    sandbox.state.tickets[ticket["id"]]["priority"] = "high"
    before = {issue["number"] for issue in sandbox.state.issues[MAIN]}
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        form = await open_form(pilot, live, ticket)
        ctrl(live, "t")  # feature request
        burst(live, "tab", "Customers want a breakdown by cohort in funnels. ")
        ctrl(live, "s")
        await until(pilot, lambda: not isinstance(live.screen, BugReportForm), what="the form closes")
        assert form.kind == "feature"
        await until(pilot, lambda: len(sandbox.state.issues[MAIN]) > len(before), what="the issue was opened")
        [issue] = [i for i in sandbox.state.issues[MAIN] if i["number"] not in before]
        await until(
            pilot, lambda: replies_with(sandbox, ticket["id"], issue["html_url"]), what="the reply reached Zendesk"
        )
        await until(pilot, lambda: issue["html_url"] in (live.clipboard or ""), what="the alert copied")
        assert live.clipboard == f"New feature request from a high priority customer: {issue['html_url']}"
    assert [label["name"] for label in issue["labels"]] == ["enhancement", "feature"]
    assert "Customers want a breakdown by cohort in funnels." in issue["body"]
    assert "What they want to do:" in issue["body"] and "Steps to reproduce" not in issue["body"]
    assert "From: " in issue["body"] and f"/agent/tickets/{ticket['id']}" in issue["body"]
    assert sandbox.state.tickets[ticket["id"]]["status"] == "solved"


async def test_keys_after_ctrl_s_in_the_form_move_the_queue(harness):
    """`B`, what you found, then `ctrl+s j` in one read: the report is queued and `j` moves
    the queue's cursor to the next ticket, as after ctrl+s in the composer."""
    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        table = app.queue_table
        start, acted = table.cursor, table.current_id
        burst(app, "B")
        await until(pilot, lambda: isinstance(app.screen, BugReportForm), what="B opens the form")
        burst(app, "tab", "Crashes at launch. ", "ctrl+s", "j")
        await until(pilot, lambda: app.outbox.entries(), what="the report queued")
        await until(pilot, lambda: app.screen is app.main and table.current_id != acted, what="j after ctrl+s")
        assert table.cursor == start + 1


async def test_backspace_in_a_burst_edits_the_title_and_the_notes_in_the_order_typed():
    """A terminal hands a fast typist's keys over in one read: backspace is a bound key,
    and must act where it was typed, not after the letters behind it (ui/in_order.py), nor
    in the notes because Tab (acted on as it arrives) moved the focus there meanwhile."""
    form = BugReportForm("#12: bug report", [MAIN], "Funnel", search=lambda asked: None)
    app: App[None] = App()
    async with app.run_test(size=SMALL) as pilot:
        app.push_screen(form)
        await until(pilot, lambda: form.query_one("#bugreport-title").has_focus, what="the form is up")
        title = form.query_one("#bugreport-title", Input)
        notes = form.query_one("#bugreport-notes", TextArea)
        # The subject is selected as the form opens: typing replaces it.
        burst(app, " abc", "backspace", "backspace", "XY", "tab", "Seen", "backspace", "x ")
        await until(pilot, lambda: "Seex " in notes.text, what="the notes typed")
        assert notes.text == "Seex " + NOTES[BUG]  # typed where the cursor starts: the top
        assert title.value == " aXY"


IOS = "PostHog/posthog-ios"


def ios_ticket(sandbox) -> dict:
    """Seeded: "iOS SDK crashes on launch after update", "Since posthog-ios 3.x ..."."""
    return min(
        (
            t
            for t in sandbox.state.tickets.values()
            if t["subject"].startswith("iOS SDK crashes") and t["status"] in ("new", "open")
        ),
        key=lambda t: t["id"],
    )


def new_issues(sandbox, repo: str, before: set[int]) -> list[dict]:
    return [i for i in sandbox.state.issues.get(repo, []) if i["number"] not in before]


async def test_b_on_an_sdk_ticket_opens_the_issue_in_the_sdks_repository(live, sandbox):
    """The SDK page routes SDK bugs to the SDK's repository: a ticket that names posthog-ios
    starts the form there, says why, and the issue opens there."""
    ticket = ios_ticket(sandbox)
    before = {i["number"] for i in sandbox.state.issues[IOS]}
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        form = await open_form(pilot, live, ticket)
        shown = str(form.query_one("#bugreport-repo", Static).render())
        assert IOS in shown and "'posthog-ios' in the ticket" in shown
        burst(live, "tab", "Crashes in PostHogSDK.setup on iOS 15. ", "ctrl+s")
        await until(pilot, lambda: new_issues(sandbox, IOS, before), what="the issue opened in posthog-ios")
        [issue] = new_issues(sandbox, IOS, before)
        await until(pilot, lambda: replies_with(sandbox, ticket["id"], issue["html_url"]), what="the reply")
    assert "Crashes in PostHogSDK.setup on iOS 15." in issue["body"]
    assert not [w for w in sandbox.state.writes if w.get("path") == f"/repos/{MAIN}/issues"]


async def test_ctrl_r_in_a_burst_sends_the_report_to_the_product_repository_instead(live, sandbox):
    """`ctrl+r` then the title and `ctrl+s` in one read: the switch comes first, the search
    runs again in the product's repository, and the issue opens there."""
    ticket = ios_ticket(sandbox)
    before = {i["number"] for i in sandbox.state.issues[MAIN]}
    ios_before = {i["number"] for i in sandbox.state.issues[IOS]}
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        form = await open_form(pilot, live, ticket)
        burst(live, "ctrl+r", "Dashboard shows no iOS events", "tab", "Seen on the web app. ", "ctrl+s")
        await until(pilot, lambda: new_issues(sandbox, MAIN, before), what="the issue opened in the product's")
        assert form.repo == MAIN
    [issue] = new_issues(sandbox, MAIN, before)
    assert issue["title"] == "Dashboard shows no iOS events"
    assert not new_issues(sandbox, IOS, ios_before)
