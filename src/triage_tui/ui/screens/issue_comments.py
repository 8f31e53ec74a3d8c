"""A GitHub issue's conversation: its body and comments as plain text (untrusted), read from
GitHub when opened; `w` writes a comment from here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from triage_tui.triage.bug_reports import without_marker
from triage_tui.ui import keys
from triage_tui.ui.flows import run_flow
from triage_tui.ui.safe import plain


class IssueComments(ModalScreen[None]):
    BINDINGS = keys.bindings(keys.ISSUE_COMMENTS)

    def __init__(
        self,
        issue: dict,
        ask: Callable[[tuple[str, int]], None],
        comment: Callable[[], Awaitable[None]],
        queued: Callable[[], list[dict]] = list,
    ) -> None:
        super().__init__(classes="composer")
        self.issue = issue
        self.asked = (issue["repo"], int(issue["number"]))
        self.ask = ask
        self.write_comment = comment
        self.queued = queued  # our comments to it still in the outbox
        self.comments: list[dict[str, Any]] = []
        self.waiting_for: set[str] = set()  # ids of queued comments not yet read back

    def compose(self) -> ComposeResult:
        with Vertical(id="composer-box"):
            title = Text(f"{self.issue['repo']}#{self.issue['number']} ", style="bold")
            title.append_text(plain(self.issue.get("title"), "bold", limit=200))
            yield Static(title, id="composer-title")
            with VerticalScroll(id="issue-comments-scroll"):
                yield Static(id="issue-comments")
            hint = keys.hint(self.app, ("issue.comment", "comment"), ("issue.close", "close"))
            yield Static(Text(hint, style="dim"), id="composer-hint")

    def on_mount(self) -> None:
        self._show([], "reading the comments from GitHub…")
        self.query_one("#issue-comments-scroll").focus()
        self.ask(self.asked)

    def _show(self, comments: list[dict[str, Any]], status: str | None) -> None:
        text = Text()
        text.append_text(plain(self.issue.get("body") or "(no description)", multiline=True, limit=5000))
        for comment in comments:
            text.append("\n\n")
            text.append_text(plain(comment.get("author") or "someone", "bold", limit=80))
            text.append_text(plain(f"  {(comment.get('created_at') or '')[:16].replace('T', ' ')}", "dim"))
            text.append("\n")
            text.append_text(plain(without_marker(comment.get("body") or ""), multiline=True, limit=5000))
        for entry in self.queued():
            if entry.get("kind") == "github_comment":
                mark = "✗ not sent" if entry.get("status") == "failed" else "↑ queued"
                text.append(f"\n\nyou  {mark}\n", style="bold yellow")
                text.append_text(plain(without_marker(entry["payload"].get("body") or ""), multiline=True, limit=5000))
        if status:
            text.append(f"\n\n{status}", style="dim")
        self.query_one("#issue-comments", Static).update(text)

    def github_answered(self, answer: Any) -> None:
        if answer.kind != "issue_comments" or tuple(answer.asked) != self.asked or not self.is_mounted:
            return
        if answer.error:
            self._show([], f"✗ comments not read: {answer.error}")
            return
        self.comments = answer.comments
        self._show(answer.comments, None if answer.comments else "no comments yet")
        # The latest comment is what matters most: shown first, the older ones above it.
        self.query_one("#issue-comments-scroll", VerticalScroll).scroll_end(animate=False)

    async def action_comment(self) -> None:
        await run_flow(self, self._comment(), "comment")

    async def _comment(self) -> None:
        await self.write_comment()
        self.waiting_for = {e["id"] for e in self.queued()}
        self._show(self.comments, None)

    def outbox_changed(self) -> None:
        """A write went out: once our queued comment is sent, read the comments again."""
        if not self.is_mounted:
            return
        still = {e["id"] for e in self.queued()}
        if self.waiting_for - still:
            self.waiting_for = still
            self.ask(self.asked)
        else:
            self._show(self.comments, None)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self.query_one("#issue-comments-scroll", VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one("#issue-comments-scroll", VerticalScroll).scroll_up(animate=False)
