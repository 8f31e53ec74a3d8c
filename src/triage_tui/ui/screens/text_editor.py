"""Edit generated text (handover notes, the incident macro) before it is used.

With a `send` callback the editor queues the text itself and stays open, the text as it
is, when that says why it could not (the outbox is unavailable, the wording is wrong)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TextArea

from triage_tui.triage.incidents import Impact
from triage_tui.ui import keys
from triage_tui.ui.external_editor import edit_text_area
from triage_tui.ui.in_order import InOrderInput, InOrderTextArea, close_after_typed, typed_so_far
from triage_tui.ui.safe import clean
from triage_tui.ui.screens import settle_cursors
from triage_tui.ui.widgets.keybar import KeyBar


class TextEditor(ModalScreen[str | None]):
    BINDINGS = keys.bindings(keys.EDITOR)

    def __init__(
        self,
        title: str,
        text: str,
        hint: str | None = None,
        send: Callable[[str], str | None] | None = None,
        *,
        cursor_at_end: bool = False,
    ) -> None:
        super().__init__(classes="composer")
        self.title_text = title
        self.initial = text
        self.hint = hint
        self.send = send
        self.cursor_at_end = cursor_at_end  # a template that ends where the typing starts (a follow-up)
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="composer-box"):
            yield Static(Text(clean(self.title_text), style="bold"), id="composer-title")
            yield InOrderTextArea(self.initial, id="composer-text", soft_wrap=True)
            yield Static(Text(self._hint(), style="dim"), id="composer-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        settle_cursors(self)
        area = self.query_one(TextArea)
        if self.cursor_at_end:
            area.move_cursor(area.document.end)
        area.focus()

    def _hint(self) -> str:
        hint = self.hint or keys.hint(self.app, ("editor.save", "save"), ("editor.cancel", "cancel"))
        return f"{hint} · {keys.label(self.app, 'editor.external')} $EDITOR"

    async def action_save(self) -> None:
        area = self.query_one(TextArea)
        await typed_so_far(area)
        area.read_only = True  # frozen: the text is what was typed before ctrl+s
        text = area.text
        if self.send is not None:
            self.error = self.send(text)
            if self.error:  # not used: stay open with the text, and say why
                area.read_only = False
                line = Text(f"✗ {self.error}\n", style="bold red")
                line.append(self._hint(), style="dim")
                self.query_one("#composer-hint", Static).update(line)
                self.notify(self.error, severity="error", markup=False, timeout=15)
                return
        await close_after_typed(self, text)

    async def action_cancel(self) -> None:
        await typed_so_far(self.query_one(TextArea))
        await close_after_typed(self, None)

    def action_external_editor(self) -> None:
        edit_text_area(self.query_one(TextArea))


class ImpactForm(ModalScreen[Impact | None]):
    """What is broken, what works, what is degraded: the incident macro's facts."""

    BINDINGS = keys.bindings(keys.IMPACT)

    def __init__(self, title: str, broken: str = "", works: str = "", degraded: str = "") -> None:
        super().__init__(classes="composer")
        self.title_text = title
        self.values = (broken, works, degraded)

    def compose(self) -> ComposeResult:
        with Vertical(id="composer-box"):
            yield Static(Text(clean(self.title_text), style="bold"), id="composer-title")
            yield Static("What is broken")
            yield InOrderInput(self.values[0], id="impact-broken")
            yield Static("What still works")
            yield InOrderInput(self.values[1], id="impact-works")
            yield Static("What is degraded")
            yield InOrderInput(self.values[2], id="impact-degraded")
            hint = keys.hint(
                self.app, ("impact.next_field", "next field"), ("impact.save", "continue"), ("impact.cancel", "cancel")
            )
            yield Static(Text(hint, style="dim"), id="composer-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        settle_cursors(self)
        self.query_one("#impact-broken", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def action_next_field(self) -> None:
        fields = list(self.query(Input).results(Input))
        current = next((i for i, box in enumerate(fields) if box is self.focused), -1)
        self.set_focus(fields[(current + 1) % len(fields)])  # at once, before the next key

    async def _typed_so_far(self) -> None:
        for box in self.query(Input).results(Input):  # tab moved the focus: each may hold keys
            await typed_so_far(box)

    async def action_save(self) -> None:
        await self._typed_so_far()
        broken, works, degraded = (
            self.query_one(f"#impact-{name}", Input).value for name in ("broken", "works", "degraded")
        )
        await close_after_typed(self, Impact(broken, works, degraded))

    async def action_cancel(self) -> None:
        await self._typed_so_far()
        await close_after_typed(self, None)
