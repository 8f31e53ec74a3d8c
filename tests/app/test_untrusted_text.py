"""Text from GitHub is untrusted (DESIGN.md, "Untrusted text"): a login or a comment with
markup or an escape sequence is shown as inert characters in the wave 3 screens, never as
a live escape sequence reaching the terminal, never as markup or an action link."""

from __future__ import annotations

from types import SimpleNamespace

from textual.app import App

from tests.app.waiting import until
from triage_tui.ui.screens.issue_comments import IssueComments

HOSTILE = "[bold]boss[/bold] [@click=app.quit]x[/] \x1b[31mred\x1b]52;c;cHduZWQ=\x07"


async def _nothing() -> None:
    return None


async def test_a_comment_authors_login_and_body_are_inert_on_the_issue_comments_screen():
    issue = {"repo": "PostHog/posthog-js", "number": 7, "title": HOSTILE, "body": HOSTILE}
    screen = IssueComments(issue, ask=lambda asked: None, comment=_nothing)
    app = App()
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
