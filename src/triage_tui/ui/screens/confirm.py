"""Confirm a change: enter to go ahead, escape to cancel."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from triage_tui.ui import keys
from triage_tui.ui.in_order import close_after_typed
from triage_tui.ui.safe import clean


class Confirm(ModalScreen[bool]):
    BINDINGS = keys.bindings(keys.CONFIRM)

    def __init__(self, title: str, body: Text) -> None:
        super().__init__(classes="confirm")
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Text(clean(self.title_text), style="bold"), id="confirm-title")
            yield Static(self.body, id="confirm-body")
            hint = f"{keys.label(self.app, 'confirm.yes')}: confirm   {keys.label(self.app, 'confirm.no')}: cancel"
            yield Static(Text(hint, style="dim"), id="confirm-hint")

    async def action_answer(self, value: bool) -> None:
        # A priority key, handled as it arrives: the keys typed after it (`s enter j`) are
        # held until the screen below is back, so they reach it instead of this dialog.
        if self.is_active:
            await close_after_typed(self, value)
