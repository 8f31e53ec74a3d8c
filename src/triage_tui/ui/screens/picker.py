"""A fuzzy picker: type to narrow, arrows to move, enter to choose, a preview beside."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from triage_tui.ui import keys
from triage_tui.ui.in_order import InOrderInput, close_after_typed, typed_so_far
from triage_tui.ui.safe import clean, plain
from triage_tui.ui.screens import settle_cursors
from triage_tui.ui.widgets.keybar import KeyBar


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    hint: str = ""


class FuzzyPicker(ModalScreen[str | None]):
    BINDINGS = keys.bindings(keys.PICKER)

    def __init__(
        self,
        title: str,
        choices: list[Choice],
        preview: Callable[[str], Text] | None = None,
        *,
        placeholder: str = "Type to filter",
    ) -> None:
        super().__init__(classes="picker")
        self.title_text = title
        self.choices = choices
        self.preview = preview
        self.placeholder = placeholder
        self.shown: list[Choice] = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(Text(clean(self.title_text), style="bold"), id="picker-title")
            yield InOrderInput(placeholder=self.placeholder, id="picker-input")
            yield OptionList(id="picker-options")
            if self.preview is not None:
                yield Static(id="picker-preview")
        yield KeyBar()

    def on_mount(self) -> None:
        settle_cursors(self)
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        if query:
            matcher = Matcher(query)
            scored = [(matcher.match(f"{c.label} {c.hint}"), c) for c in self.choices]
            self.shown = [c for score, c in sorted(scored, key=lambda pair: -pair[0]) if score > 0]
        else:
            self.shown = list(self.choices)
        options = self.query_one(OptionList)
        options.clear_options()
        for choice in self.shown:
            prompt = plain(choice.label, limit=200)
            if choice.hint:
                prompt.append("  ")
                prompt.append_text(plain(choice.hint, "dim", limit=120))
            options.add_option(Option(prompt, id=choice.key))
        if self.shown:
            options.highlighted = 0
        self._preview()

    def _preview(self) -> None:
        if self.preview is None:
            return
        widget = self.query_one("#picker-preview", Static)
        options = self.query_one(OptionList)
        index = options.highlighted
        if index is None or index >= len(self.shown):
            widget.update(Text("No match", style="dim"))
        else:
            widget.update(self.preview(self.shown[index].key))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        await self.action_choose()

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if not self.shown:
            return
        current = options.highlighted or 0
        options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    async def action_choose(self) -> None:
        # enter is handled as it arrives: the choice is made on what was typed before it
        # (`e replay enter`), and the keys after it reach the next screen (the note).
        await typed_so_far(self.query_one(Input))
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self.shown) and self.is_active:
            await close_after_typed(self, self.shown[index].key)

    async def action_cancel(self) -> None:
        await typed_so_far(self.query_one(Input))
        if self.is_active:
            await close_after_typed(self, None)
