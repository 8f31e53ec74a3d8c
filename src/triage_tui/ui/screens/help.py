"""`?`: every key, grouped by where it acts (queue, ticket, composer, incidents, SDK,
global, dialogs), read from the live bindings (remaps included) with the remap ids a
config can use; Textual's own keys (the palette, ctrl+q); and a legend of the queue's row
markers and colours."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from triage_tui.ui import keys
from triage_tui.ui.widgets.keybar import KeyBar
from triage_tui.ui.widgets.queue import LEGEND


def _table(keys_width: int, id_width: int) -> Table:
    """One section's table; every section has the same column widths, so they line up."""
    table = Table(box=None, expand=True, show_edge=False, pad_edge=False, show_header=False)
    table.add_column("Keys", style="bold", no_wrap=True, width=keys_width)
    table.add_column("Does", ratio=1)
    table.add_column("Remap id", style="dim", no_wrap=True, width=id_width)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = keys.bindings(keys.HELP)

    def __init__(self, rows: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__(classes="help")
        # (keys, what it does, remap id) for every binding, remaps included.
        self.rows = rows or []

    def _sections(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        by_id = {binding_id: (shown, does, binding_id) for shown, does, binding_id in self.rows}
        sections = [(title, [by_id[key.id] for key in section if key.id in by_id]) for title, section in keys.SECTIONS]
        # The App's own keys (Textual's: the command palette, ctrl+q), as they are bound now.
        ours = {key.id for key in keys.BY_ID.values()}
        textual: list[tuple[str, str, str]] = []
        # The bottom screen's active bindings end with the App's (remaps included): public
        # API, where the App's own binding map is Textual's private attribute.
        app_bindings = self.app.screen_stack[0].active_bindings
        for key, active in app_bindings.items():
            binding = active.binding
            if active.node is not self.app:
                continue
            if binding.id in ours or binding.system or not (binding.tooltip or binding.description):
                continue
            shown = self.app.get_key_display(Binding(key, ""))
            textual.append((shown, binding.tooltip or binding.description, "(Textual)"))
        if textual:
            sections.append(("Terminal app", textual))
        return sections

    def compose(self) -> ComposeResult:
        if not self.rows:
            self.rows = keys.key_rows(self.app)
        with VerticalScroll(id="help-box"):
            yield Static(Text('triage-tui keys  (remap with [keys] <id> = "key" in the config)', style="bold"))
            sections = self._sections()
            every = [row for _, rows in sections for row in rows]
            keys_width = min(14, max(len(row[0]) for row in every))
            id_width = max(len(row[2]) for row in every)
            for title, rows in sections:
                table = _table(keys_width, id_width)
                for shown, does, binding_id in rows:
                    table.add_row(Text(shown), Text(does), Text(binding_id))
                yield Static(Text(title, style="bold underline"), classes="help-section")
                yield Static(table)
            legend = _table(keys_width, id_width)
            for marker, style, meaning in LEGEND:
                legend.add_row(Text(marker, style=style), Text(meaning), Text(""))
            yield Static(Text("Queue rows: markers and colours", style="bold underline"), classes="help-section")
            yield Static(legend)
            yield Static(Text(f"{keys.label(self.app, 'help.close')} closes", style="dim"))
        yield KeyBar()

    def action_scroll(self, how: str) -> None:
        """j/k a line, space/b a page, g/G to either end: at 80x24 the help is six pages."""
        box = self.query_one("#help-box", VerticalScroll)
        page = box.scrollable_content_region.height
        y = {
            "down": box.scroll_y + 1,
            "up": box.scroll_y - 1,
            "page_down": box.scroll_y + page,
            "page_up": box.scroll_y - page,
            "home": 0,
            "end": box.max_scroll_y,
        }[how]
        box.scroll_to(y=y, animate=False, immediate=True)  # at once: the next key of a burst counts from here

    def action_close(self) -> None:
        self.dismiss(None)
