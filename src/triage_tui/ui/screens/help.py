"""The effective keys, remaps included, with the binding ids a config can remap."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help.close", tooltip="Close the help")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__(classes="help")
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
        table.add_column(Text("Keys"), style="bold", no_wrap=True)
        table.add_column(Text("Does"))
        table.add_column(Text("Remap id ([keys] in config)"), style="dim", no_wrap=True)
        for keys, description, binding_id in self.rows:
            table.add_row(Text(keys), Text(description), Text(binding_id))
        with VerticalScroll(id="help-box"):
            yield Static(Text("triage-tui keys", style="bold"))
            yield Static(table)
            yield Static(Text("escape closes", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
