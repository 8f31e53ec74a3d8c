"""A write that met a colleague's newer change: show both, re-apply or drop."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from triage_tui.ui import keys
from triage_tui.ui.safe import plain

SHOWN = ("status", "priority", "group_id", "assignee_id", "tags", "updated_at")


def _version(title: str, values: dict) -> Text:
    text = Text(title + "\n", style="bold underline")
    for key in SHOWN:
        if key in values:
            text.append(f"{key}: ", style="bold")
            text.append_text(plain(str(values[key]), limit=300))
            text.append("\n")
    comment = values.get("comment")
    if isinstance(comment, dict):
        text.append("comment: ", style="bold")
        text.append_text(plain(comment.get("body"), multiline=True, limit=2000))
    return text


class ConflictScreen(ModalScreen[str | None]):
    BINDINGS = keys.bindings(keys.CONFLICT)

    def __init__(self, entry: dict) -> None:
        super().__init__(classes="confirm")
        self.entry = entry

    def compose(self) -> ComposeResult:
        mine = dict(self.entry["payload"].get("ticket", self.entry["payload"]))
        theirs = self.entry.get("theirs") or {}
        with Vertical(id="confirm-box"):
            yield Static(Text(f"Conflict: {self.entry['summary']}", style="bold red"))
            yield Static(
                Text("Someone changed this ticket after you looked at it. Nothing was overwritten.", style="dim")
            )
            with Horizontal(id="conflict-versions"):
                yield Static(_version("Mine (not sent)", mine), classes="conflict-side")
                yield Static(_version("Theirs (now in Zendesk)", theirs), classes="conflict-side")
            hint = keys.hint(
                self.app,
                ("conflict.reapply", "re-apply mine on top"),
                ("conflict.drop", "drop mine"),
                ("conflict.later", "decide later"),
            )
            yield Static(Text(hint, style="dim"), id="conflict-hint")

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
