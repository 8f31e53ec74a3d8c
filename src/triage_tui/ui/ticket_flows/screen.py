"""What the ticket flows need of the screen they run on: its context, the queue whose
selection they act on, the drafts the cache could not keep, and two hooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from triage_tui.ui.context import Context


class SelectionScreen(Screen):
    """A screen with a queue whose selected tickets the ticket keys act on."""

    context: Context
    composing: int | None = None  # the ticket whose reply or note is open: colleagues see "replying"

    def refresh_queue(self, keep_id: int | None = None) -> None:
        """Redraw the queue (the marks of queued writes change): the subclass draws."""

    def refresh_detail(self) -> None:
        """Redraw the selected ticket's detail: the subclass draws."""

    async def public_reply_allowed(self, tickets: list[dict]) -> bool:
        """Whether a public reply to these tickets may be written (the routing guards'
        hook, ui/guards.py; here: always)."""
        return True

    def public_reply_refused(self, tickets: list[dict]) -> str | None:
        """Why a public reply to these tickets is not sent now, or None (the guards' hook)."""
        return None

    @property
    def unsent_drafts(self) -> dict[tuple[int, str], str]:
        """Texts the cache could not keep (disk full, read-only): (ticket id, "reply" or
        "note") -> text, offered again when the composer next opens for that ticket."""
        try:
            return self._unsent_drafts
        except AttributeError:
            self._unsent_drafts: dict[tuple[int, str], str] = {}
            return self._unsent_drafts
