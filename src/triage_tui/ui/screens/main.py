"""The main screen: queue, detail, incident watch and SDK panes, and every ticket key."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input

from triage_tui.ui.screens import settle_cursors

from triage_tui.ui.widgets.detail import DetailPane
from triage_tui.ui.widgets.incidents import IncidentPane
from triage_tui.ui.widgets.queue import QueueTable
from triage_tui.ui.widgets.sdk import SdkPane
from triage_tui.ui.widgets.status import StatusLine
from triage_tui.workspace import Row

WIDE = 120


def _b(key: str, action: str, description: str, binding_id: str, tooltip: str, show: bool = True, priority: bool = False) -> Binding:
    return Binding(key, action, description, show=show, id=binding_id, tooltip=tooltip, priority=priority)


class MainScreen(Screen):
    """Ticket actions live here, not on the App, so they never fire behind a modal."""

    BINDINGS = [
        _b("q", "app.quit", "Quit", "app.quit", "Quit triage-tui (queued writes stay queued)"),
        _b("question_mark", "app.help", "Help", "app.help", "Show every key and its remap id"),
        _b("enter", "app.open_ticket", "Open", "ticket.open", "Open the ticket: focus the conversation", show=False),
        _b("tab", "app.cycle_panes", "Pane", "app.cycle", "Move to the next pane", show=False),
        # Priority: handled as the key arrives, so the letters typed right after it (in the
        # same read: a fast typist, a paste) reach the filter box, not the queue's keys.
        _b("slash", "app.filter", "Filter", "queue.filter", "Filter the queue by subject, requester, org, tags, id", priority=True),
        _b("n", "app.next_ticket", "Next", "queue.next", "Jump to the ticket to take now (closest to breach)"),
        _b("V", "app.next_view", "View", "queue.view", "Cycle the queue view (mine, SME, all, escalated, newest)"),
        _b("R", "app.refresh", "Refresh", "app.refresh", "Sync now", show=False),
        _b("r", "app.reply", "Reply", "ticket.reply", "Write a public reply"),
        _b("i", "app.note", "Note", "ticket.note", "Write an internal note"),
        _b("o", "app.set_open", "Open st.", "ticket.open_status", "Set status Open", show=False),
        _b("s", "app.solve", "Solve", "ticket.solve", "Set status Solved (confirm with enter)"),
        _b("p", "app.pending", "Pending", "ticket.pending", "Reply and set Pending (pauses the SLA)", show=False),
        _b("h", "app.hold", "On-hold", "ticket.hold", "Reply and set On-hold (use sparingly)", show=False),
        _b("e", "app.escalate", "Escalate", "ticket.escalate", "Escalate to a team group with an internal note"),
        _b("a", "app.assign_me", "Assign me", "ticket.assign", "Assign the ticket to me", show=False),
        _b("m", "app.macro", "Macro", "ticket.macro", "Pick a macro: preview, then compose"),
        _b("t", "app.attach_incident", "Incident", "ticket.attach", "Attach the ticket(s) to an incident", show=False),
        _b("v", "app.reveal", "Reveal", "ticket.reveal", "Reveal content behind a content warning", show=False),
        _b("C", "app.conflicts", "Conflicts", "outbox.conflicts", "Resolve conflicts and failed writes", show=False),
        _b("I", "app.toggle_incidents", "Incidents", "app.incidents", "Toggle the incident watch split"),
        _b("1", "app.mode('queue')", "Queue", "app.mode_queue", "Queue and ticket", show=False),
        _b("2", "app.mode('incidents')", "Incidents", "app.mode_incidents", "Incident watch, full screen", show=False),
        _b("3", "app.mode('sdk')", "SDK", "app.mode_sdk", "SDK rotation view", show=False),
        _b("H", "app.rotation_handover", "Handover", "app.handover", "Write the end-of-rotation handover", show=False),
        _b("escape", "app.clear_filter", "Clear", "queue.clear", "Clear the filter, back to the queue", show=False),
    ]

    def __init__(self, rows: list[Row], queued: set[int], status: Text) -> None:
        # Classes and content set before mount: the first layout is the first frame, with
        # no restyle of the tree and no relayout after it.
        width = self.app.size.width
        super().__init__(classes=f"-mode-queue {'-wide' if width >= WIDE else '-narrow'}")
        self._rows, self._queued, self._status = rows, queued, status
        self.side_panes_ready = False
        self._side_panes_mounting: asyncio.Future | None = None

    def compose(self) -> ComposeResult:
        app = self.app
        yield StatusLine(self._status, id="status")
        with Horizontal(id="workspace"):
            with Vertical(id="left"):
                yield QueueTable(app.workspace, app.now, rows=self._rows, queued=self._queued, id="queue")  # type: ignore[attr-defined]
                yield DetailPane(id="detail")

    def on_mount(self) -> None:
        settle_cursors(self)
        self.query_one(QueueTable).focus()
        # The detail, the side panes and the alerts follow the queue's first frame.
        self.app.call_after_refresh(self.app.refresh_the_rest)  # type: ignore[attr-defined]

    async def mount_side_panes(self) -> None:
        """The filter box, the incident and SDK panes and the key bar, mounted after the
        queue's first paint: they are a fifth of the screen's start-up and none of it is
        the queue."""
        if self._side_panes_mounting is None:
            self._side_panes_mounting = asyncio.ensure_future(self._mount_side_panes())
        await asyncio.shield(self._side_panes_mounting)  # a second caller waits for the first

    async def _mount_side_panes(self) -> None:
        filter_box = Input(placeholder="filter: subject, requester, org, tag, id (enter keeps it, escape clears)", id="filter")
        await self.mount(filter_box, after="#status")
        settle_cursors(self)
        await self.query_one("#workspace").mount(IncidentPane(id="incidents"), SdkPane(id="sdk"))
        await self.mount(Footer())
        self.refresh_bindings()  # a footer mounted after the last focus change learns the keys
        self.side_panes_ready = True

    def on_resize(self) -> None:
        self.apply_width(self.size.width)

    def apply_width(self, width: int) -> None:
        self.set_class(width >= WIDE, "-wide")
        self.set_class(width < WIDE, "-narrow")
