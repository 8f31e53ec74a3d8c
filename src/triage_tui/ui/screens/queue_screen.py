"""The queue and the ticket under its cursor: how the main screen composes and starts, and
how it draws its rows, its detail and its status line from the workspace.

The screen starts itself: its first frame is the queue (composed with its rows and status);
the detail, the side panes and their first fill follow a frame later, then the App hears
that the screen is up (`Painted`, `Started`). A sync report reaches it through the
context's `reported` signal, the workspace already up to date: it redraws its rows and the
ticket shown; the status line and the side panes follow the same signal on their own.
"""

from __future__ import annotations

import asyncio
from asyncio import Event
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer

from triage_tui.read.search import SEARCH_VIEW
from triage_tui.sync.events import SyncEvent
from triage_tui.sync.search_outcome import SearchOutcome
from triage_tui.ui import keys
from triage_tui.ui.context import Context
from triage_tui.ui.safe import clean
from triage_tui.ui.screens import settle_cursors
from triage_tui.ui.ticket_actions import TicketScreen
from triage_tui.ui.widgets.detail import DetailPane
from triage_tui.ui.widgets.filter_box import FilterBox
from triage_tui.ui.widgets.queue import QueueTable
from triage_tui.ui.widgets.status import StatusLine, current, status_text

if TYPE_CHECKING:
    from triage_tui.ui.widgets.incidents import IncidentPane

WIDE = 120


class QueueScreen(TicketScreen):
    """State is reactive: `view` and `filter_text` choose the queue's rows, `mode` the
    full-screen view (queue, incidents, SDK), `split` the incident pane beside the queue."""

    view: reactive[str] = reactive("all", init=False)
    filter_text: reactive[str] = reactive("", init=False)
    mode: reactive[str] = reactive("queue", init=False, always_update=True)  # 1 on the queue: focus it again
    split: reactive[bool] = reactive(False, init=False)

    class Painted(Message):
        """The queue's first frame is on screen."""

    class Started(Message):
        """The detail, the side panes and their first fill followed it: the screen is up."""

    def __init__(self, context: Context, view: str) -> None:
        # Classes, rows and status set before mount: the first layout is the first frame,
        # with no restyle of the tree and no relayout after it.
        width = self.app.size.width
        super().__init__(classes=f"-mode-queue {'-wide' if width >= WIDE else '-narrow'}")
        self.context = context
        self.set_reactive(QueueScreen.view, view)
        self._rows = context.workspace.rows(view)
        self._queued = context.reads.queued_ticket_ids()
        self.side_panes_ready = False
        self.composed = Event()  # set once mounted: keys read before it wait for it
        self._side_panes_mounting: asyncio.Future | None = None
        self._detail_timer: Timer | None = None
        self._fetch_timer: Timer | None = None
        self._hints_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        context = self.context
        yield StatusLine(self.status_line_text(len(self._rows)), self.status_now, context.reported, id="status")
        with Horizontal(id="workspace"), Vertical(id="left"):
            yield QueueTable(context.workspace, context.now, rows=self._rows, queued=self._queued, id="queue")
            yield DetailPane(id="detail")

    # -- start-up -----------------------------------------------------------------------
    def on_mount(self) -> None:
        self.composed.set()
        settle_cursors(self)
        self.queue_table.focus()
        self.context.reported.subscribe(self, self._synced)
        self.set_interval(60, self.refresh_queue)  # ages and SLA clocks move on with no poll
        # The detail, the side panes and the alerts follow the queue's first frame (run by the
        # App's loop, not this screen's: keys typed meanwhile reach the screen's bindings).
        self.app.call_after_refresh(self._start_the_rest)

    async def _start_the_rest(self) -> None:
        self.post_message(self.Painted())
        app = self.app
        if not app.is_running or getattr(app, "quitting", False):
            return  # closed within the first frame
        self.refresh_detail()
        await self.mount_side_panes()
        if not app.is_running:
            return  # closed while mounting: the panes were never composed
        self._redraw_the_rest()
        self.post_message(self.Started())

    def repaint(self) -> None:
        """Everything again from the workspace: the queue first, the rest a frame later."""
        self.refresh_queue()
        self.call_after_refresh(self._redraw_the_rest)

    def _redraw_the_rest(self) -> None:
        self.refresh_detail()
        self.refresh_incidents()
        self.refresh_sdk()
        self.refresh_status()

    @property
    def queue_table(self) -> QueueTable:
        return self.query_one(QueueTable)

    async def mount_side_panes(self) -> None:
        """The filter box, the incident and SDK panes and the key bar, mounted after the
        queue's first paint: they are a fifth of the screen's start-up and none of it is
        the queue."""
        if self._side_panes_mounting is None:
            self._side_panes_mounting = asyncio.ensure_future(self._mount_side_panes())
        await asyncio.shield(self._side_panes_mounting)  # a second caller waits for the first

    async def _mount_side_panes(self) -> None:
        # Imported here, not with the screen: the first frame needs none of these panes, nor
        # the incident, handover and SDK rules they import.
        from triage_tui.ui.widgets.incidents import IncidentPane
        from triage_tui.ui.widgets.keybar import KeyBar
        from triage_tui.ui.widgets.sdk import SdkPane

        # q may be handled between any two of these steps (a key read runs before this task's
        # first step, too): once the app is exiting, the screen is no longer attached and
        # mounting on it raises, so each step first asks whether there is still a screen.
        if not self.is_attached:
            return
        await self.mount(FilterBox(self._box_placeholder(), id="filter"), after="#status")
        settle_cursors(self)
        if not self.is_attached:
            return
        await self.query_one("#workspace").mount(
            IncidentPane(self.context, id="incidents"), SdkPane(self.context, id="sdk")
        )
        if not self.is_attached:
            return
        await self.mount(KeyBar(id="keybar"))
        self.side_panes_ready = True

    async def ensure_side_panes(self) -> bool:
        """A key typed in the first frames: mount the panes now rather than drop the key."""
        await self.mount_side_panes()
        return self.side_panes_ready

    # -- a sync report ------------------------------------------------------------------
    def _synced(self, event: SyncEvent) -> None:
        """The rows and the ticket shown, from a report the workspace already took in."""
        try:
            self.queue_table  # noqa: B018 - closing: the screen is there, its widgets are gone
        except NoMatches:
            return
        if event.crashed:
            self.search_interrupted("sync restarted before Zendesk answered: search again")
        # A poll that changed nothing leaves the queue alone (the status line moves on).
        if event.reference_changed or event.changed_tickets or event.outbox_changed:
            self.refresh_queue()  # outbox_changed alone: the ↑ marks of queued writes
        if event.comments_for is not None or event.changed_tickets:
            self.refresh_detail()
        if event.searched is not None:
            self.search_answered(event.searched)

    # -- the search view's answer (asking is `ui/screens/find_box.py`) ----------------------
    def search_answered(self, outcome: SearchOutcome) -> None:
        if not self.context.workspace.finish_search(outcome):
            return  # a search since replaced by another
        self._show_found()
        if outcome.error:
            self.notify(f"Search failed: {outcome.error}", severity="warning", markup=False)

    def search_interrupted(self, reason: str) -> None:
        if self.context.workspace.interrupt_search(reason):
            self._show_found()

    def _show_found(self) -> None:
        if self.view == SEARCH_VIEW:
            self.refresh_queue()
            self.queue_table.cursor = 0
            self.refresh_detail()

    def watch_filter_text(self) -> None:
        self.refresh_queue()

    # -- painting ---------------------------------------------------------------------
    def status_line_text(self, count: int) -> Text:
        reads = self.context.reads
        return status_text(
            view=clean(self.context.workspace.view_names().get(self.view, self.view), limit=40),
            count=count,
            filter_text=self.filter_text,
            sources=current(reads.sync_states(), self.context.now()),
            queued=reads.queued_per_source(),
            counts=reads.outbox_counts(),
            offline_mode=self.context.offline,
            conflicts_key=keys.label(self.app, "outbox.conflicts"),
            problem=self.context.sync_problem(),
            marked=self._marks(),
            note=self._status_note(count),
        )

    def status_now(self) -> Text | None:
        """The status line as it is now; None once the queue is gone (the screen closing)."""
        try:
            return self.status_line_text(len(self.queue_table.rows))
        except NoMatches:
            return None

    def _status_note(self, count: int) -> str | None:
        found = self.context.workspace.found
        if self.view == SEARCH_VIEW and found is not None:
            return clean(found.summary(), limit=120) or None
        if self._enter_searches(count):
            return f"none cached: {keys.label(self.app, 'ticket.open')} searches Zendesk"
        return None

    def _enter_searches(self, count: int) -> bool:
        """In the filter box, enter asks Zendesk when nothing cached matches (and sync runs)."""
        filtering = self.has_class("-filtering") and not self.has_class("-finding")
        return filtering and bool(self.filter_text) and not count and not self.context.offline

    def _box_placeholder(self) -> str:
        app = self.app
        enter = keys.label(app, "ticket.open")
        if self.has_class("-finding"):
            return f"find in Zendesk, solved too: 12345, jane@acme.com, org name, words ({enter})"
        clear = keys.label(app, "queue.clear")
        return f"filter: subject, requester, org, tag, id ({enter} keeps it, {clear} clears)"

    def _marks(self) -> tuple[int, int]:
        """Marked tickets: on screen, and hidden by the filter or the view."""
        try:
            table = self.queue_table
        except NoMatches:  # composing: nothing marked yet
            return (0, 0)
        shown = table.visible_marks()
        return (shown, len(table.marked) - shown)

    def refresh_queue(self, keep_id: int | None = None) -> None:
        workspace = self.context.workspace
        rows = workspace.rows(self.view, self.filter_text)
        table = self.queue_table
        queued = self.context.reads.queued_ticket_ids()
        # A write just queued here: the cursor keeps its place when that ticket moves.
        if (current := table.current_id) is not None and current in queued - table.queued:
            table.acted.add(current)
        table.queued = queued
        table.marked &= workspace.markable_ids()  # a solved ticket leaves the queue and its mark
        table.set_rows(rows, keep_id)
        if self.has_class("-filtering") and not self.has_class("-finding"):
            self.query_one("#filter", FilterBox).enter_searches(self._enter_searches(len(rows)))
        self.refresh_status()

    def refresh_status(self) -> None:
        self.query_one(StatusLine).redraw()

    def refresh_detail(self) -> None:
        pane = self.query_one(DetailPane)
        pane.offline = self.context.offline
        workspace = self.context.workspace
        ticket_id = self.queue_table.current_id
        detail = workspace.detail(ticket_id) if ticket_id is not None else None
        if self.composing is None:
            self.context.presence(detail.ticket.id if detail else None, "viewing")
        if detail is None:
            pane.show(None, empty=self._nothing_shown())
            return
        assignee = workspace.user(detail.ticket.assignee_id)
        plan = workspace.plan_label(detail.entry.plan) if detail.entry else ""
        group = workspace.groups.get(detail.ticket.group_id or -1, "")
        pane.show(detail, plan, group, assignee.display_name if assignee else "")

    def _nothing_shown(self) -> str:
        found = self.context.workspace.found
        if self.view == SEARCH_VIEW and found is not None:
            back = keys.label(self.app, "queue.clear")
            return f"Zendesk: {clean(found.summary(), limit=300)}\n\n{back}: back to the queue"
        return "No ticket selected"

    def refresh_incidents(self) -> None:
        if self.side_panes_ready:
            from triage_tui.ui.widgets.incidents import IncidentPane  # imported by then: a lookup

            self.query_one(IncidentPane).reload()

    def refresh_sdk(self) -> None:
        if self.side_panes_ready:
            from triage_tui.ui.widgets.sdk import SdkPane  # imported by then: a lookup

            self.query_one(SdkPane).reload()

    def on_queue_table_highlighted(self, message: QueueTable.Highlighted) -> None:
        # A held-down j repaints two queue lines per row; the detail (a relayout) and the
        # conversation fetch follow once the cursor settles.
        for timer in (self._detail_timer, self._fetch_timer, self._hints_timer):
            if timer is not None:
                timer.stop()
        self._detail_timer = self.set_timer(0.04, self.refresh_detail)
        if message.row is not None:
            # Asked once the cursor's move is painted (at 15 ms the hints thread's work met
            # the key's own paint: +1.5 ms a key), computed there while the detail waits for
            # the cursor to settle: the detail then paints them at once, not "…" first.
            ticket_id = message.row.entry.id
            self._hints_timer = self.set_timer(0.025, lambda: self.context.workspace.suggestions.shown(ticket_id))
        if message.row is not None and not self.context.offline:
            self._fetch_timer = self.set_timer(0.25, lambda: self.context.fetch_comments(ticket_id))

    def on_queue_table_marks_changed(self, message: QueueTable.MarksChanged) -> None:
        self.refresh_status()

    def on_incident_pane_written(self, message: IncidentPane.Written) -> None:
        self.refresh_queue()
