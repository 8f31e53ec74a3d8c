"""The composer: a public reply or internal note, with staged changes shown before sending.

On send it hands what was composed to its `send` callback (which queues the writes); when
that says why it could not (the outbox is unavailable, the note is incomplete), the
composer stays open with the text and shows the reason: nothing the user typed is lost."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from triage_tui.triage.macros import ChangeSet, insertion_text, unfilled_placeholders
from triage_tui.ui import keys
from triage_tui.ui.external_editor import edit_text_area
from triage_tui.ui.flow_runner import run_flow
from triage_tui.ui.in_order import InOrderTextArea, close_after_typed, typed_so_far
from triage_tui.ui.safe import plain
from triage_tui.ui.screens import settle_cursors
from triage_tui.ui.screens.confirm import Confirm
from triage_tui.ui.widgets.keybar import KeyBar

# Picks a macro (a picker over the composer): its text and staged changes, or None.
MacroPick = Callable[[], Awaitable[tuple[str, ChangeSet] | None]]
# Queues what was composed: None once queued, else the one line that says why not.
Send = Callable[["Composed"], "str | None"]
# The text as each ticket will receive it (a bulk reply): (who, rendered text) per ticket.
RenderEach = Callable[[str], list[tuple[str, str]]]
PREVIEWED = 4  # tickets whose rendered text the composer shows; the others are counted


@dataclass(frozen=True)
class Composed:
    text: str
    public: bool
    change: ChangeSet


class Composer(ModalScreen[Composed | None]):
    BINDINGS = keys.bindings(keys.COMPOSER)
    # The text, not the customer's message above it: keys typed with the one that opened
    # the composer (a paste, an SSH burst) go where the reply is written.
    AUTO_FOCUS = "#composer-text"

    def __init__(
        self,
        *,
        title: str | Callable[[ChangeSet], str],
        public: bool,
        text: str,
        change: ChangeSet,
        describe: Callable[[ChangeSet], list[str]],
        save_draft: Callable[[str, bool], None],
        pick_macro: MacroPick | None = None,
        require_text: bool = True,
        send: Send | None = None,
        render_each: RenderEach | None = None,
        cursor_after: str | None = None,
        customer: str | None = None,
    ) -> None:
        super().__init__(classes="composer")
        self.title_for: Callable[[ChangeSet], str] = title if callable(title) else (lambda _change: title)
        self.public = public
        self.initial = text
        self.change = change
        self.describe = describe
        self.save_draft = save_draft
        self.pick_macro = pick_macro
        self.require_text = require_text
        self.send = send
        self.render_each = render_each
        self.cursor_after = cursor_after  # the cursor starts at the end of the line holding this
        self.customer = customer  # what the customer last wrote, shown above the reply
        self.error: str | None = None  # why the last send was not queued

    def compose(self) -> ComposeResult:
        with Vertical(id="composer-box"):
            yield Static(id="composer-title")
            if self.customer:
                # Untrusted text: plain, a few lines (it scrolls), never markup.
                yield VerticalScroll(
                    Static(plain(self.customer, "italic", multiline=True, limit=4000)), id="composer-customer"
                )
            yield InOrderTextArea(self.initial, id="composer-text", soft_wrap=True, show_line_numbers=False)
            yield Static(id="composer-changes")
            # One line at 80 columns; discard and $EDITOR are on the key bar just below.
            hint = keys.hint(
                self.app,
                ("composer.send", "send"),
                ("composer.close", "keep draft"),
                ("composer.macro", "macro"),
                ("composer.toggle", "reply/note"),
            )
            yield Static(Text(hint, style="dim"), id="composer-hint")
        yield KeyBar()  # the bottom line, undimmed by the dialog's backdrop

    def on_mount(self) -> None:
        settle_cursors(self)
        self._refresh()
        area = self.query_one(TextArea)
        area.focus()
        lines = self.initial.split("\n")
        row = next((i for i, line in enumerate(lines) if self.cursor_after and self.cursor_after in line), None)
        area.move_cursor(area.document.end if row is None else (row, len(lines[row])))

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def _refresh(self) -> None:
        kind = "Public reply" if self.public else "Internal note"
        title = Text()
        title.append(f" {kind} ", style="bold reverse green" if self.public else "bold reverse yellow")
        title.append(" ")
        title.append_text(plain(self.title_for(self.change), "bold", limit=200))
        self.query_one("#composer-title", Static).update(title)
        staged = self.change.with_comment(self.text or None, self.public)
        lines = self.describe(staged)
        changes = Text()
        changes.append("Will change:\n" if lines else "Nothing staged yet\n", style="bold")
        for line in lines:
            changes.append("  • ")
            changes.append_text(plain(line, limit=200))
            changes.append("\n")
        if self.render_each is None:
            missing = unfilled_placeholders(self.text)
        else:
            rendered = self.render_each(self.text)
            missing = list(dict.fromkeys(name for _, text in rendered for name in unfilled_placeholders(text)))
            changes.append("Each ticket receives:\n", style="bold")
            for who, text in rendered[:PREVIEWED]:
                changes.append(f"  {who}: ", style="bold")
                changes.append_text(plain(" ".join(text.split()), limit=90))
                changes.append("\n")
            if len(rendered) > PREVIEWED:
                changes.append(
                    f"  … and {len(rendered) - PREVIEWED} more, each with its own placeholders\n", style="dim"
                )
        if missing:
            changes.append(f"  ⚠ unfilled placeholders: {', '.join(missing)}\n", style="bold yellow")
        if self.error:
            changes.append_text(plain(f"✗ {self.error}", "bold red", limit=400))
        self.query_one("#composer-changes", Static).update(changes)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._refresh()

    def action_toggle_public(self) -> None:
        self.public = not self.public
        self._refresh()

    async def _typed_so_far(self) -> TextArea:
        """The text box, once it has typed every key that came before the one being handled
        (ctrl+s, escape and the others are handled as they arrive, ahead of the box)."""
        area = self.query_one(TextArea)
        await typed_so_far(area)
        if self.focused is not area:
            await typed_so_far(self.focused)
        return area

    async def action_send(self) -> None:
        area = await self._typed_so_far()
        area.read_only = True  # frozen: the text is what was typed before ctrl+s, nothing after
        text = self.text.strip()
        if self.require_text and not text:
            area.read_only = False
            self.notify(
                f"Write something first (or {keys.label(self.app, 'composer.close')} to close).", severity="warning"
            )
            return
        composed = Composed(text, self.public, self.change.with_comment(text or None, self.public))
        if self.send is not None:
            self.error = self.send(composed)
            if self.error:  # not queued: stay open, the text as it is, and say why
                area.read_only = False
                self._refresh()
                self.notify(self.error, severity="error", markup=False, timeout=15)
                return
        self.save_draft("", self.public)
        await close_after_typed(self, composed)

    async def action_close(self) -> None:
        await self._typed_so_far()
        self.save_draft(self.text, self.public)
        await close_after_typed(self, None)

    async def action_discard(self) -> None:
        await self._typed_so_far()
        if not self.text.strip():
            await self._discarded()
            return
        await run_flow(self, self._confirm_discard(), "discard the draft")

    async def _confirm_discard(self) -> None:
        lines = self.text.strip().splitlines()
        body = Text("Throw this draft away? It cannot be brought back.\n\n")
        body.append_text(plain(lines[0], "italic", limit=200))
        if len(lines) > 1:
            body.append(f"\n… and {len(lines) - 1} more line(s)", style="dim")
        if await self.app.push_screen_wait(Confirm("Discard the draft?", body)):
            await self._discarded()

    async def _discarded(self) -> None:
        self.save_draft("", self.public)
        self.notify("Draft discarded.", markup=False)
        await close_after_typed(self, None)

    def action_external_editor(self) -> None:
        edit_text_area(self.query_one(TextArea))

    async def action_insert_macro(self) -> None:
        await self._typed_so_far()  # the macro goes where the cursor is after the keys before it
        if self.pick_macro is not None:
            await run_flow(self, self._insert_macro(self.pick_macro), "insert a macro")

    async def _insert_macro(self, pick_macro: MacroPick) -> None:
        picked = await pick_macro()
        if picked is None:
            return
        text, change = picked
        area = self.query_one(TextArea)
        area.insert(insertion_text(area.text, text))
        self.change = self.change.merged(
            ChangeSet(
                status=change.status,
                priority=change.priority,
                group_id=change.group_id,
                assignee_id=change.assignee_id,
                assign_to_me=change.assign_to_me,
                set_tags=change.set_tags,
                add_tags=change.add_tags,
                remove_tags=change.remove_tags,
            )
        )
        self._refresh()
