"""Working a GitHub issue in the SDK view at 80x24 (issue 26): `c` reads its comments, `w`
comments, `A` assigns me, `E` escalates a mobile SDK issue with a mention of
@PostHog/team-client-libraries (sdk-support-rotation.md, "Mobile SDKs"). With the app's
real sync worker; what reached GitHub is read back from the sandbox."""

from __future__ import annotations

from tests.app.test_writes import burst
from tests.waiting import until
from triage_tui.ui.screens.issue_comments import IssueComments
from triage_tui.ui.widgets.sdk import SdkPane

SMALL = (80, 24)


def comments_of(sandbox, issue: dict) -> list[dict]:
    return sandbox.state.issue_comments.get(f"{issue['repo']}#{issue['number']}", [])


async def sdk_issue(pilot, app) -> dict:
    burst(app, "3")
    pane = app.main.query_one(SdkPane)
    await until(pilot, lambda: pane.current is not None, what="the SDK view shows an issue")
    return pane.current


async def test_c_reads_the_comments_and_w_comments_on_the_issue(live, sandbox):
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        issue = await sdk_issue(pilot, live)
        burst(live, "c")
        await until(pilot, lambda: isinstance(live.screen, IssueComments), what="c opens the comments")
        screen = live.screen
        await until(pilot, lambda: screen.comments or "no comments yet" in shown(screen), what="comments read")
        expected = [c["body"] for c in comments_of(sandbox, issue)]  # what GitHub holds, read by the app
        assert len(screen.comments) == issue["comments"] == len(expected)
        assert all(body in shown(screen) for body in expected)
        burst(live, "w", "Looking into this today.", "ctrl+s")
        await until(
            pilot,
            lambda: any(c["body"].startswith("Looking into this today.") for c in comments_of(sandbox, issue)),
            what="the comment reached GitHub",
        )
        # Read back once sent: shown as GitHub has it, without the hidden marker.
        await until(pilot, lambda: any("Looking into this today." in c["body"] for c in screen.comments))
        assert "triage-tui:" not in shown(screen)
    posted = [c for c in comments_of(sandbox, issue) if c["body"].startswith("Looking into this today.")]
    assert len(posted) == 1


async def test_a_assigns_me_and_e_escalates_a_mobile_issue_to_the_client_libraries_team(live, sandbox):
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        issue = await sdk_issue(pilot, live)
        assert live.main.query_one(SdkPane).is_mobile(issue), "the view lists mobile issues first"
        burst(live, "A")
        target = next(i for i in sandbox.state.issues[issue["repo"]] if i["number"] == issue["number"])
        await until(pilot, lambda: target["assignees"], what="assigned on GitHub")
        assert [a["login"] for a in target["assignees"]] == ["sandbox-agent"]
        await until(pilot, lambda: "Assigned: sandbox-agent" in pane_text(live), what="the view says so")
        burst(live, "E")
        await until(pilot, lambda: live.screen is not live.main, what="E opens the editor")
        burst(live, "ctrl+s")
        await until(pilot, lambda: comments_of(sandbox, issue), what="the escalation reached GitHub")
    [escalation] = [c for c in comments_of(sandbox, issue) if "@PostHog/team-client-libraries" in c["body"]]
    assert escalation["body"].startswith("@PostHog/team-client-libraries ")


async def test_e_on_an_issue_that_is_not_mobile_says_to_route_it_instead(live, sandbox):
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        await sdk_issue(pilot, live)
        pane = live.main.query_one(SdkPane)
        while pane.is_mobile(pane.current):
            burst(live, "j")
            await pilot.pause()
        said: list[str] = []
        live.notify = lambda message, **options: said.append(str(message))
        burst(live, "E")
        await until(pilot, lambda: said, what="a toast")
    assert "not a mobile SDK issue" in said[0]
    assert not [w for w in sandbox.state.writes if w.get("api") == "github"]


def shown(screen: IssueComments) -> str:
    return str(screen.query_one("#issue-comments").render())


def pane_text(app) -> str:
    return str(app.main.query_one("#sdk-detail").render())


async def test_the_sdk_view_lists_the_rotations_zendesk_tickets_mobile_on_the_shorter_sla(live, sandbox):
    """sdk-support-rotation.md: the escalated SDK tickets and the mobile ones are Zendesk
    filters; mobile SDK issues get a faster SLA (`[sdk] mobile_sla_factor`, half by default)."""
    mobile = min(
        (t for t in sandbox.state.tickets.values() if "mobile" in t["tags"] and t["status"] in ("new", "open")),
        key=lambda t: t["id"],
    )
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        await sdk_issue(pilot, live)
        zendesk = live.main.query_one("#sdk-zendesk")
        await until(pilot, lambda: "Escalated SDK tickets" in str(zendesk.render()), what="the views are listed")
        text = str(zendesk.render())
        assert "Mobile SDK tickets" in text and "(SLA ×0.5)" in text
        pane = live.main.query_one(SdkPane)
        rows = pane._zendesk_rows(live.context.reads.sdk_views())
        [(seconds, is_mobile, _)] = [row for row in rows if row[2]["id"] == mobile["id"]]
        entry = live.workspace.entries[mobile["id"]]
        full = entry.clock.seconds_to_breach(live.context.now(), live.workspace.calendar)
        target = live.context.config.sla.targets[entry.plan]
        assert is_mobile and seconds == full - target * 3600 / 2
