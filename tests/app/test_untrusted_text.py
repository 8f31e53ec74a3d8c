"""Text from GitHub is untrusted (DESIGN.md, "Untrusted text"): a login or a comment with
markup or an escape sequence is shown as inert characters in the wave 3 screens, never as
a live escape sequence reaching the terminal, never as markup or an action link."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, Static

from tests.waiting import until
from triage_tui.ui.screens.bug_report import BugReportForm
from triage_tui.ui.screens.confirm import Confirm
from triage_tui.ui.screens.conflict import ConflictScreen
from triage_tui.ui.screens.issue_comments import IssueComments
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.screens.text_editor import TextEditor
from triage_tui.ui.widgets.sdk import SdkPane

HOSTILE = "[bold]boss[/bold] [@click=app.quit]x[/] \x1b[31mred\x1b]52;c;cHduZWQ=\x07"


async def _nothing() -> None:
    return None


async def test_a_comment_authors_login_and_body_are_inert_on_the_issue_comments_screen():
    issue = {"repo": "PostHog/posthog-js", "number": 7, "title": HOSTILE, "body": HOSTILE}
    screen = IssueComments(issue, ask=lambda asked: None, comment=_nothing)
    app: App[None] = App()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(screen)
        await until(pilot, lambda: screen.is_mounted, what="the comments screen is up")
        comment = {"author": HOSTILE, "created_at": "2026-12-07T09:00:00Z", "body": HOSTILE}
        screen.github_answered(
            SimpleNamespace(kind="issue_comments", asked=screen.asked, error=None, comments=[comment])
        )
        await pilot.pause()
        shown = screen.query_one("#issue-comments").render()
        text = str(shown)
        assert "\x1b" not in text and "\x07" not in text
        assert text.count("[@click=app.quit]") == 3  # body, author, comment: the characters, not a link
        assert not [span for span in getattr(shown, "spans", []) if "click" in str(span.style)]


FAILED = {
    "status": "failed",
    "summary": f"Follow-up of #12: {HOSTILE}",
    "payload": {"ticket": {"subject": "Follow-up", "comment": {"body": "Thanks"}}},
    "last_error": f"HTTP 422: Subject {HOSTILE} is invalid",  # a service may echo what it refused
}


@pytest.mark.parametrize(
    "entry",
    [
        FAILED,
        FAILED | {"status": "conflict", "theirs": {"status": "open"}, "their_changes": []},
        FAILED | {"deleted": {"ticket_id": 12}},
    ],
    ids=["failed", "conflict", "deleted"],
)
async def test_a_write_whose_summary_carries_a_hostile_subject_is_inert_on_the_conflict_screen(entry):
    """A write's summary carries a ticket's subject (a follow-up, a moved requester's name),
    and `C` shows it for a write that failed, was overtaken or hit a deleted ticket."""
    app: App[None] = App()
    screen = ConflictScreen(entry)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(screen)
        await until(pilot, lambda: screen.is_mounted, what="the conflict screen is up")
        text = "\n".join(str(widget.render()) for widget in screen.query(Static))
        assert "[@click=app.quit]" in text
        assert "\x1b" not in text and "\x07" not in text


def test_an_sdk_issues_assignee_logins_are_inert_in_its_detail():
    """GitHub logins are GitHub's data, not ours: the SDK view's "Assigned:" line is plain."""
    pane = SimpleNamespace(
        is_mobile=lambda issue: False,
        context=SimpleNamespace(reads=SimpleNamespace(unsent_for=lambda target: [])),
    )
    issue = {"repo": "PostHog/posthog-js", "number": 7, "comments": 2, "assignees": [{"login": HOSTILE}]}
    lines = SdkPane._work_lines(pane, issue)  # type: ignore[arg-type]  # a stand-in with the fields it reads
    assert "[@click=app.quit]" in lines.plain
    assert "\x1b" not in lines.plain and "\x07" not in lines.plain
    assert lines.plain.startswith("\nAssigned: ")


@pytest.mark.parametrize("dialog", ["editor", "picker", "confirm"])
async def test_an_incident_name_in_a_dialog_title_is_inert(dialog):
    """An incident's macro is titled `Incident <ref>: <name>` (incident.io's name, untrusted),
    and the macro editor's title repeats it; pickers and confirms take titles the same way."""
    title = f"New macro: Incident INC-7: {HOSTILE}"
    screen = {
        "editor": lambda: TextEditor(title, "", "ctrl+s saves"),
        "picker": lambda: FuzzyPicker(title, [Choice("a", "A")]),
        "confirm": lambda: Confirm(title, Text("body")),
    }[dialog]()
    assert isinstance(screen, Screen)
    app: App[None] = App()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(screen)
        await until(pilot, lambda: screen.is_mounted, what="the dialog is up")
        text = str(screen.query_one("#composer-title, #picker-title, #confirm-title").render())
        assert "[@click=app.quit]" in text
        assert "\x1b" not in text and "\x07" not in text


async def test_a_hostile_subject_prefilled_as_the_bug_reports_title_is_inert():
    """The bug report form starts from the ticket's subject (the requester's words): shown
    in an Input, and sent to GitHub as the issue's title, without its escape sequences."""
    form = BugReportForm("#12: bug report", ["PostHog/posthog"], HOSTILE, search=lambda asked: None)
    app: App[None] = App()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(form)
        await until(pilot, lambda: form.is_mounted, what="the bug report form is up")
        title = form.query_one("#bugreport-title", Input).value
        assert "[@click=app.quit]" in title
        assert "\x1b" not in title and "\x07" not in title
