"""The effective keys, remaps included, with the binding ids a config can remap."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from triage_tui.ui import keys


class HelpScreen(ModalScreen[None]):
    BINDINGS = keys.bindings(keys.HELP)

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__(classes="help")
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
        table.add_column(Text("Keys"), style="bold", no_wrap=True)
        table.add_column(Text("Does"))
        table.add_column(Text("Remap id ([keys] in config)"), style="dim", no_wrap=True)
        for shown, description, binding_id in self.rows:
            table.add_row(Text(shown), Text(description), Text(binding_id))
        with VerticalScroll(id="help-box"):
            yield Static(Text("triage-tui keys", style="bold"))
            yield Static(table)
            yield Static(Text(f"{keys.label(self.app, 'help.close')} closes", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
