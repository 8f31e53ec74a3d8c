"""The floor: a bare Textual app with a Header, a DataTable and a Footer.

`python bench/floor_app.py ROWS`: ROWS rows of queue-like text. What the framework costs
before triage-tui adds anything; the benchmarks report triage-tui as a ratio to this.
"""

import sys
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Footer, Header


class Floor(App):
    BINDINGS: ClassVar[list[BindingType]] = [("q", "quit", "Quit")]

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("SLA", "Tier", "Pri", "Status", "Org / requester", "Subject")
        table.add_rows(
            (
                f"{i % 48}h{i % 60:02d}m",
                f"{i % 7 + 1} Queue",
                "Norm",
                "Open",
                f"Org {i % 97}",
                f"row-{i} Subject of ticket number {i}",
            )
            for i in range(self.rows)
        )
        table.focus()


if __name__ == "__main__":
    Floor(int(sys.argv[1]) if len(sys.argv) > 1 else 50).run()
