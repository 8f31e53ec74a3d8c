"""What the ticket flows need of the screen they run on: its context, the queue whose
selection they act on, and what it remembers for them (drafts the cache could not keep,
guarded tickets the engineer chose to answer publicly)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from triage_tui.ui.context import Context


class SelectionScreen(Screen):
    """A screen with a queue whose selected tickets the ticket keys act on."""

    context: Context
    composing: int | None = None  # the ticket whose reply or note is open: colleagues see "replying"

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name, id, classes)
        # Texts the cache could not keep (disk full, read-only): (ticket id, "reply" or
        # "note") -> text, offered again when the composer next opens for that ticket.
        self.unsent_drafts: dict[tuple[int, str], str] = {}
        # Guarded tickets the engineer chose to answer publicly anyway (this session).
        self.public_confirmed: set[int] = set()

    def refresh_queue(self, keep_id: int | None = None) -> None:
        """Redraw the queue (the marks of queued writes change): the subclass draws."""

    def refresh_detail(self) -> None:
        """Redraw the selected ticket's detail: the subclass draws."""
