"""A write that met a colleague's newer change: show both, re-apply or drop."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

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
    BINDINGS = [
        Binding("r", "choose('reapply')", "Re-apply mine", id="conflict.reapply", tooltip="Send my change on top of theirs"),
        Binding("d", "choose('drop')", "Drop mine", id="conflict.drop", tooltip="Keep their version, drop my change"),
        Binding("escape", "choose(None)", "Later", id="conflict.later", tooltip="Decide later"),
    ]

    def __init__(self, entry: dict) -> None:
        super().__init__(classes="confirm")
        self.entry = entry

    def compose(self) -> ComposeResult:
        mine = dict(self.entry["payload"].get("ticket", self.entry["payload"]))
        theirs = self.entry.get("theirs") or {}
        with Vertical(id="confirm-box"):
            yield Static(Text(f"Conflict: {self.entry['summary']}", style="bold red"))
            yield Static(Text("Someone changed this ticket after you looked at it. Nothing was overwritten.", style="dim"))
            with Horizontal(id="conflict-versions"):
                yield Static(_version("Mine (not sent)", mine), classes="conflict-side")
                yield Static(_version("Theirs (now in Zendesk)", theirs), classes="conflict-side")
            yield Static(Text("r re-apply mine on top · d drop mine · escape decide later", style="dim"))

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
