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
from triage_tui.ui.screens import settle_cursors


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
            yield Static(Text(self.title_text, style="bold"), id="composer-title")
            yield TextArea(self.initial, id="composer-text", soft_wrap=True)
            hint = self.hint or keys.hint(self.app, ("editor.save", "save"), ("editor.cancel", "cancel"))
            yield Static(Text(hint, style="dim"), id="composer-hint")

    def on_mount(self) -> None:
        settle_cursors(self)
        area = self.query_one(TextArea)
        if self.cursor_at_end:
            area.move_cursor(area.document.end)
        area.focus()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        if self.send is not None:
            self.error = self.send(text)
            if self.error:  # not used: stay open with the text, and say why
                hint = self.hint or keys.hint(self.app, ("editor.save", "save"), ("editor.cancel", "cancel"))
                line = Text(f"✗ {self.error}\n", style="bold red")
                line.append(hint, style="dim")
                self.query_one("#composer-hint", Static).update(line)
                self.notify(self.error, severity="error", markup=False, timeout=15)
                return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ImpactForm(ModalScreen[Impact | None]):
    """What is broken, what works, what is degraded: the incident macro's facts."""

    BINDINGS = keys.bindings(keys.IMPACT)

    def __init__(self, title: str, broken: str = "", works: str = "", degraded: str = "") -> None:
        super().__init__(classes="composer")
        self.title_text = title
        self.values = (broken, works, degraded)

    def compose(self) -> ComposeResult:
        with Vertical(id="composer-box"):
            yield Static(Text(self.title_text, style="bold"), id="composer-title")
            yield Static("What is broken")
            yield Input(self.values[0], id="impact-broken")
            yield Static("What still works")
            yield Input(self.values[1], id="impact-works")
            yield Static("What is degraded")
            yield Input(self.values[2], id="impact-degraded")
            hint = keys.hint(
                self.app, ("impact.next_field", "next field"), ("impact.save", "continue"), ("impact.cancel", "cancel")
            )
            yield Static(Text(hint, style="dim"), id="composer-hint")

    def on_mount(self) -> None:
        settle_cursors(self)
        self.query_one("#impact-broken", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def action_next_field(self) -> None:
        fields = list(self.query(Input).results(Input))
        current = next((i for i, box in enumerate(fields) if box is self.focused), -1)
        self.set_focus(fields[(current + 1) % len(fields)])  # at once, before the next key

    def action_save(self) -> None:
        broken, works, degraded = (
            self.query_one(f"#impact-{name}", Input).value for name in ("broken", "works", "degraded")
        )
        self.dismiss(Impact(broken, works, degraded))

    def action_cancel(self) -> None:
        self.dismiss(None)
