"""The bug report / feature request form: kind, title, what the engineer found, and the
open GitHub issues like it (searched as the form opens), one of which may be chosen for a
+1 instead of a new issue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from triage_tui.triage.bug_reports import BUG, FEATURE, search_words
from triage_tui.ui import keys
from triage_tui.ui.in_order import InOrderInput, InOrderTextArea, close_after_typed, on_key_in_order, typed_so_far
from triage_tui.ui.safe import clean, plain
from triage_tui.ui.screens import settle_cursors

NEW = "new"  # the option "none of these: open a new issue"
NOTES = {
    BUG: "Steps to reproduce:\n\nLink to the insight (or other):\n",
    FEATURE: "What they want to do:\n\nWhy (their use case):\n",
}


class InOrderOptionList(OptionList):
    """`down` then `ctrl+s` in one read: the issue moved to is the one chosen."""

    async def on_key(self, event: events.Key) -> None:
        await on_key_in_order(self, event)


@dataclass(frozen=True)
class BugReportChoice:
    kind: str
    title: str
    notes: str
    existing: int | None  # an open issue chosen for a +1, or None for a new one
    repo: str  # where the issue is opened (or the +1 posted)


class BugReportForm(ModalScreen[BugReportChoice | None]):
    BINDINGS = keys.bindings(keys.BUG_REPORT)

    def __init__(
        self,
        heading: str,
        repos: list[str],
        subject: str,
        search: Callable[[tuple[str, str]], None],
        *,
        low_priority: bool = False,
        named: str | None = None,
    ) -> None:
        """`repos`: where the report may go, the one to start with first; `named`: the words
        of the ticket that chose it (None: the product's repository, by default)."""
        super().__init__(classes="composer")
        self.heading = heading
        self.repos = repos
        self.repo = repos[0]
        self.named = named
        self.subject = subject
        self.search_github = search
        self.low_priority = low_priority
        self.kind = BUG
        self.asked: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="composer-box"):
            yield Static(Text(clean(self.heading), style="bold"), id="composer-title")
            yield Static(id="bugreport-kind")
            yield Static(id="bugreport-repo")
            # The requester's subject: shown, then sent as the issue's title, without escapes.
            yield InOrderInput(clean(self.subject), id="bugreport-title", placeholder="Issue title")
            yield InOrderTextArea(NOTES[BUG], id="bugreport-notes", soft_wrap=True)
            yield Static(id="bugreport-status")
            yield InOrderOptionList(id="bugreport-issues")
            hint = keys.hint(
                self.app,
                ("bugreport.send", "send"),
                ("bugreport.kind", "bug/feature"),
                ("bugreport.search", "search"),
                ("bugreport.next_field", "next field"),
                ("bugreport.cancel", "cancel"),
            )
            yield Static(Text(hint, style="dim"), id="composer-hint")

    def on_mount(self) -> None:
        settle_cursors(self)
        self._show_kind()
        self._show_repo()
        options = self.query_one("#bugreport-issues", OptionList)
        options.add_option(self._new_option())
        options.highlighted = 0
        self.query_one("#bugreport-title", Input).focus()
        self.action_search()

    def _new_option(self) -> Option:
        return Option(Text(f"+ none of these: open a new issue in {self.repo}", style="bold"), id=NEW)

    def _show_kind(self) -> None:
        line = Text("Kind: ")
        line.append("bug report" if self.kind == BUG else "feature request", style="bold")
        line.append(f"  ({keys.label(self.app, 'bugreport.kind')} switches)", style="dim")
        if self.kind == FEATURE and self.low_priority:
            line.append(
                "\nLow priority: the reply gives them the link to open a feature request (no issue from us)",
                style="yellow",
            )
        self.query_one("#bugreport-kind", Static).update(line)

    def _show_repo(self) -> None:
        line = Text("In: ")
        line.append(self.repo, style="bold")
        why = f"{self.named!r} in the ticket" if self.named and self.repo == self.repos[0] else ""
        switch = f"{keys.label(self.app, 'bugreport.repo')} switches" if len(self.repos) > 1 else ""
        if why or switch:
            line.append_text(plain(f"  ({'; '.join(part for part in (why, switch) if part)})", "dim"))
        self.query_one("#bugreport-repo", Static).update(line)

    async def action_switch_repo(self) -> None:
        """The next repository: the SDK the ticket names, the product's, the other SDKs. The
        search runs again there (an issue chosen in the last one no longer applies)."""
        await typed_so_far(self.focused)  # a title typed before ctrl+r is searched for
        self.repo = self.repos[(self.repos.index(self.repo) + 1) % len(self.repos)]
        self._show_repo()
        options = self.query_one("#bugreport-issues", OptionList)
        options.clear_options()
        options.add_option(self._new_option())
        options.highlighted = 0
        self.action_search()

    # -- the duplicate search ---------------------------------------------------------------
    def action_search(self) -> None:
        words = search_words(self.query_one("#bugreport-title", Input).value)
        self.asked = (self.repo, words)
        status = self.query_one("#bugreport-status", Static)
        status.update(plain(f"Open issues like it in {self.repo} (searching: {words or 'no words'})", "dim"))
        self.search_github(self.asked)

    def github_answered(self, answer: Any) -> None:
        """The sync worker's answer to a search: shown if it answers the latest one asked."""
        if answer.kind != "github_search" or tuple(answer.asked) != self.asked or not self.is_mounted:
            return
        status = self.query_one("#bugreport-status", Static)
        options = self.query_one("#bugreport-issues", OptionList)
        options.clear_options()
        options.add_option(self._new_option())
        options.highlighted = 0
        if answer.error:
            status.update(plain(f"✗ GitHub search: {answer.error}", "bold red"))
            return
        for issue in answer.issues:
            prompt = Text(f"#{issue['number']} ", style="bold")
            prompt.append_text(plain(issue.get("title"), limit=200))
            if issue.get("labels"):
                prompt.append_text(plain(f"  {', '.join(issue['labels'])}", "dim", limit=80))
            options.add_option(Option(prompt, id=str(issue["number"])))
        options.highlighted = 0  # a new issue unless one is chosen (down, then send)
        shown = f"{len(answer.issues)} of {answer.total}" if answer.total > len(answer.issues) else str(answer.total)
        more = " (GitHub's search timed out: there may be more)" if answer.incomplete else ""
        status.update(plain(f"Open issues like it in {self.repo}: {shown}{more}; choose one for a +1", "dim"))

    # -- keys ------------------------------------------------------------------------------
    async def action_toggle_kind(self) -> None:
        await typed_so_far(self.focused)  # "untouched" counts the notes typed before ctrl+t
        notes = self.query_one("#bugreport-notes", TextArea)
        untouched = notes.text == NOTES[self.kind]
        self.kind = FEATURE if self.kind == BUG else BUG
        if untouched:  # the other form's headings; what was typed is never replaced
            notes.load_text(NOTES[self.kind])
        self._show_kind()

    async def action_next_field(self) -> None:
        # Tab acts as it arrives: the keys typed before it (a backspace included) are acted
        # on in this field first, as a bound key acts where the focus is when it is handled.
        await typed_so_far(self.focused)
        fields = [
            self.query_one("#bugreport-title", Input),
            self.query_one("#bugreport-notes", TextArea),
            self.query_one("#bugreport-issues", OptionList),
        ]
        current = next((i for i, box in enumerate(fields) if box is self.focused), -1)
        self.set_focus(fields[(current + 1) % len(fields)])

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        await self.action_next_field()

    async def _typed_so_far(self) -> None:
        for box in self.query("#bugreport-title, #bugreport-notes, #bugreport-issues"):
            await typed_so_far(box)

    async def action_send(self) -> None:
        await self._typed_so_far()  # what was typed (and chosen) before ctrl+s, all of it
        title = self.query_one("#bugreport-title", Input).value.strip()
        if not title:
            self.notify("Not sent: the issue needs a title.", severity="error", markup=False)
            return
        options = self.query_one("#bugreport-issues", OptionList)
        index = options.highlighted
        chosen = options.get_option_at_index(index).id if index is not None else NEW
        existing = None if chosen in (None, NEW) else int(chosen)
        notes = self.query_one("#bugreport-notes", TextArea).text
        await close_after_typed(self, BugReportChoice(self.kind, title, notes, existing, self.repo))

    async def action_cancel(self) -> None:
        await self._typed_so_far()
        await close_after_typed(self, None)
