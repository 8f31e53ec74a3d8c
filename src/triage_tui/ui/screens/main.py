"""The main screen: the queue and the ticket, the incident watch and SDK panes beside or
instead of them, and the keys that move between them. The ticket keys come from
`TicketScreen`; the incident and SDK keys live on their panes.

State is reactive: `view` and `filter_text` choose the queue's rows, `mode` the full-screen
view (queue, incidents, SDK), `split` the incident pane beside the queue; their watchers
repaint. One screen, not Textual modes: the split shows the incident pane beside the queue,
and one pane in one screen keeps its cursor across 1, 2 and I.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Input

from triage_tui.read.entries import Row
from triage_tui.read.search import SEARCH_VIEW
from triage_tui.sync.search_outcome import SearchOutcome
from triage_tui.triage.bursts import Burst
from triage_tui.ui import keys
from triage_tui.ui.context import Context
from triage_tui.ui.flows import run_flow, save_handover
from triage_tui.ui.handover_flow import hero_text, sdk_text
from triage_tui.ui.links import open_or_copy, ticket_url
from triage_tui.ui.safe import clean
from triage_tui.ui.screens import settle_cursors
from triage_tui.ui.ticket_actions import TicketScreen
from triage_tui.ui.widgets.detail import DetailPane
from triage_tui.ui.widgets.filter_box import FilterBox
from triage_tui.ui.widgets.incidents import IncidentPane
from triage_tui.ui.widgets.keybar import KeyBar
from triage_tui.ui.widgets.queue import QueueTable
from triage_tui.ui.widgets.sdk import SdkPane
from triage_tui.ui.widgets.status import StatusLine, current, status_text

WIDE = 120
MODES = ("queue", "incidents", "sdk")


@dataclass
class RelatedTrail:
    """`x` walking a ticket's related tickets: where it started and how far it went."""

    origin: int
    related: list[int]
    view: str
    filter_text: str
    step: int = -1
    at: int = 0

    def __post_init__(self) -> None:
        self.at = self.origin


class MainScreen(TicketScreen):
    """Ticket actions live here, not on the App, so they never fire behind a modal."""

    BINDINGS = keys.bindings(keys.MAIN)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]  # noqa: RUF012 - as Textual declares it

    view: reactive[str] = reactive("all", init=False)
    filter_text: reactive[str] = reactive("", init=False)
    mode: reactive[str] = reactive("queue", init=False, always_update=True)  # 1 on the queue: focus it again
    split: reactive[bool] = reactive(False, init=False)

    def __init__(self, context: Context, view: str) -> None:
        # Classes, rows and status set before mount: the first layout is the first frame,
        # with no restyle of the tree and no relayout after it.
        width = self.app.size.width
        super().__init__(classes=f"-mode-queue {'-wide' if width >= WIDE else '-narrow'}")
        self.context = context
        self.set_reactive(MainScreen.view, view)
        self._rows = context.workspace.rows(view)
        self._queued = context.reads.queued_ticket_ids()
        self.side_panes_ready = False
        self._side_panes_mounting: asyncio.Future | None = None
        self._detail_timer: Timer | None = None
        self._fetch_timer: Timer | None = None
        self._hints_timer: Timer | None = None
        # The view, the ticket under the cursor and the filter when the search view opened.
        self._before_search: tuple[str, int | None, str] = (view, None, "")
        self._trail: RelatedTrail | None = None  # where `x` came from and goes next
        self._burst_marks: set[int] = set()  # what `P` marked: escape takes them back
        self._burst_lead: int | None = None  # the possible incident `P` shows: P again, the next

    def compose(self) -> ComposeResult:
        context = self.context
        yield StatusLine(self.status_line_text(len(self._rows)), id="status")
        with Horizontal(id="workspace"), Vertical(id="left"):
            yield QueueTable(context.workspace, context.now, rows=self._rows, queued=self._queued, id="queue")
            yield DetailPane(id="detail")

    def on_mount(self) -> None:
        settle_cursors(self)
        self.queue_table.focus()
        # The detail, the side panes and the alerts follow the queue's first frame.
        self.app.call_after_refresh(self.app.refresh_the_rest)  # type: ignore[attr-defined]

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
        await self.mount(FilterBox(self._box_placeholder(), id="filter"), after="#status")
        settle_cursors(self)
        await self.query_one("#workspace").mount(
            IncidentPane(self.context, id="incidents"), SdkPane(self.context, id="sdk")
        )
        await self.mount(KeyBar(id="keybar"))
        self.side_panes_ready = True

    async def ensure_side_panes(self) -> bool:
        """A key typed in the first frames: mount the panes now rather than drop the key."""
        await self.mount_side_panes()
        return self.side_panes_ready

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
        self.query_one(StatusLine).show(self.status_line_text(len(self.queue_table.rows)))

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
            self.query_one(IncidentPane).reload()

    def refresh_sdk(self) -> None:
        if self.side_panes_ready:
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

    # -- reactive state ---------------------------------------------------------------
    def watch_view(self, old: str, new: str) -> None:
        if new == SEARCH_VIEW and old != SEARCH_VIEW:
            # However it is reached (f, V, the palette): escape comes back to this.
            self._before_search = (old, self.queue_table.current_id, self.filter_text)
        self.refresh_queue()

    def watch_filter_text(self) -> None:
        self.refresh_queue()

    def watch_mode(self, mode: str) -> None:
        """Queue, incidents or SDK full screen; the last two need the side panes mounted."""
        for name in MODES:
            self.set_class(name == mode, f"-mode-{name}")
        self.refresh_bindings()  # the ticket keys act (and show) only with the queue on screen
        # Focus at once, not on the next loop: whoever changed the mode may focus something
        # else right after (`f` from the incident view opens the find box).
        if mode == "incidents":
            self.refresh_incidents()
            self.set_focus(self.query_one("#incident-list"))
        elif mode == "sdk":
            self.refresh_sdk()
            self.set_focus(self.query_one("#sdk-list"))
        else:
            self.set_focus(self.queue_table)

    def watch_split(self, split: bool) -> None:
        self.set_class(split, "-split")
        if split:
            self.refresh_incidents()

    # -- navigation keys --------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in keys.TYPE_AHEAD_ACTIONS and isinstance(self.app.focused, Input):
            return False  # typed into a text box it is a character, not a key
        if action in keys.TICKET_ACTIONS and self.mode != "queue":
            return False  # the queue is hidden: its ticket is not what the user sees
        if self._focused_pane_binds(action):
            return False  # `u` in the focused incident list is the incident's link
        return not (getattr(self.app, "quitting", False) and action in keys.WORKSPACE_ACTIONS)

    def _focused_pane_binds(self, action: str) -> bool:
        """A widget between the focus and this screen binds this action's key too."""
        node: DOMNode | None = self.focused
        if action not in keys.PANE_SHARED_ACTIONS or node is None or node is self.queue_table:
            return False
        mine = _effective_keys(self.app, (key.id for key in keys.MAIN if key.action_name == action))
        while node is not None and node is not self:
            # A widget's bindings are its class's BINDINGS, by id, under the user's remaps.
            theirs = (b.id for b in getattr(type(node), "BINDINGS", ()) if isinstance(b, Binding) and b.id)
            if mine & _effective_keys(self.app, theirs):
                return True
            node = node.parent
        return False

    def action_cycle_panes(self) -> None:
        panes = [self.queue_table, self.query_one(DetailPane), *self.query("#incident-list, #sdk-list")]
        candidates = [w for w in panes if w.display and w.parent is not None and w.parent.display and w.region.area]
        if not candidates:
            return
        index = next((i for i, w in enumerate(candidates) if w is self.focused), -1)
        candidates[(index + 1) % len(candidates)].focus()

    def action_zoom(self) -> None:
        """The focused pane full screen (the conversation at 80x24), or back."""
        if self.maximized is not None:
            self.minimize()
        elif self.focused is not None:
            self.maximize(self.focused)  # an incident or SDK list: its whole pane

    def action_open_ticket(self) -> None:
        ticket_id = self.queue_table.current_id
        if ticket_id is None:
            return
        self.query_one(DetailPane).focus()
        if not self.context.offline:
            self.context.fetch_comments(ticket_id)

    async def action_filter(self) -> None:
        await self._open_box(finding=False)

    async def action_find(self) -> None:
        await self._open_box(finding=True)

    async def _open_box(self, *, finding: bool) -> None:
        """One box for both: `/` filters the cached queue as you type; `f` asks Zendesk,
        solved tickets included, when you press enter."""
        if not await self.ensure_side_panes():  # the box comes with them
            return
        if finding and self.mode != "queue":
            self.mode = "queue"
        self.add_class("-filtering")
        self.set_class(finding, "-finding")
        box = self.query_one("#filter", FilterBox)
        box.show_mode(finding=finding, placeholder=self._box_placeholder())
        box.value = "" if finding else self.filter_text
        # At once, not on the next loop: keys typed right after / must land in the box.
        self.set_focus(box)

    def _box_placeholder(self) -> str:
        app = self.app
        enter = keys.label(app, "ticket.open")
        if self.has_class("-finding"):
            return f"find in Zendesk, solved too: 12345, jane@acme.com, org name, words ({enter})"
        clear = keys.label(app, "queue.clear")
        return f"filter: subject, requester, org, tag, id ({enter} keeps it, {clear} clears)"

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter" and not self.has_class("-finding"):
            self.filter_text = event.value.strip()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "filter":
            return
        if self.has_class("-finding") or self._enter_searches(len(self.queue_table.rows)):
            # Nothing cached matches what was typed in the filter: Zendesk may know it.
            self.search_zendesk(event.value)
            return
        if not self.filter_text:
            self.remove_class("-filtering")
        self.queue_table.focus()

    def _close_box(self) -> None:
        """Escape in the box. The find box gives the filter box back as it was; the filter
        box clears its filter."""
        box = self.query_one("#filter", FilterBox)
        if self.has_class("-finding") and self.filter_text:
            self.remove_class("-finding")
            box.show_mode(finding=False, placeholder=self._box_placeholder())
            box.value = self.filter_text
            return
        box.value = ""
        self.remove_class("-filtering", "-finding")
        self.filter_text = ""

    def _show_filter(self, text: str) -> None:
        for box in self.query("#filter").results(FilterBox):
            box.show_mode(finding=False, placeholder=self._box_placeholder())
            box.value = text
        self.set_class(bool(text), "-filtering")
        self.remove_class("-finding")
        self.set_reactive(MainScreen.filter_text, text)

    def action_clear_filter(self) -> None:
        if self.filter_text or self.has_class("-filtering"):
            self._close_box()
        elif self.view == SEARCH_VIEW and self.focused is self.queue_table:
            self.leave_search()  # from the conversation, escape first goes back to the results
        # At once: a key typed right after escape (in the same read) is the queue's again.
        self.set_focus(self.queue_table)

    # -- find in Zendesk ----------------------------------------------------------------
    def search_zendesk(self, text: str) -> None:
        """Ask Zendesk (the sync worker does), and show the answer as the queue's search
        view: every ticket key works on what it finds."""
        text = " ".join(text.split())
        if not text:
            return
        if self.context.offline:
            self.notify("Cache only: Zendesk is not asked. / filters the cached queue.", markup=False)
            return
        typed_in_filter = self.has_class("-filtering") and not self.has_class("-finding")
        found = self.context.workspace.begin_search(text)
        self.context.search(found.number, text)
        self.mode = "queue"
        if self.view != SEARCH_VIEW:
            self.view = SEARCH_VIEW  # records what escape comes back to
            if typed_in_filter:
                view, ticket_id, _ = self._before_search
                self._before_search = (view, ticket_id, "")  # it matched nothing: it became the search
        # The results are not filtered by what the queue was: the filter waits for escape.
        self._show_filter("")
        self.refresh_queue()
        self.queue_table.cursor = 0
        self.set_focus(self.queue_table)
        self.refresh_detail()

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

    def leave_search(self) -> None:
        """Back to the queue as it was: its view, its filter, the ticket under the cursor."""
        view, ticket_id, text = self._before_search
        self.set_reactive(MainScreen.view, view)
        self.context.workspace.end_search()
        self.queue_table.marked -= self._burst_marks  # left unattached: no hidden marks
        self._burst_marks = set()
        self._burst_lead = None
        self._show_filter(text)
        self.refresh_queue(keep_id=ticket_id)

    def action_next_ticket(self) -> None:
        if self.view == SEARCH_VIEW:
            self.leave_search()  # the next ticket is the queue's, not a search result
        row: Row | None = self.context.workspace.next_row(self.queue_table.rows)
        if row is None:
            self.notify("Nothing awaits you in this view.", markup=False)
            return
        self.mode = "queue"
        self.queue_table.move_to(row.entry.id)
        self.queue_table.focus()
        self.notify(self.why_this_ticket(row), markup=False)

    def action_next_view(self) -> None:
        names = list(self.context.workspace.view_names())
        self.view = names[(names.index(self.view) + 1) % len(names)] if self.view in names else names[0]

    def show_view(self, view: str) -> None:
        self.view = view
        self.mode = "queue"

    def show_ticket(self, ticket_id: int) -> None:
        self.mode = "queue"
        if not self.queue_table.move_to(ticket_id) and self.view == SEARCH_VIEW:
            self.leave_search()  # a queue ticket the search did not find: the queue has it
            self.queue_table.move_to(ticket_id)

    async def show_incident(self, incident_id: str) -> None:
        await self.action_mode("incidents")
        if self.side_panes_ready:
            self.query_one(IncidentPane).select(incident_id)

    async def action_toggle_incidents(self) -> None:
        if not await self.ensure_side_panes():
            return
        if self.mode != "queue":
            self.mode = "queue"
        self.split = not self.split

    async def action_mode(self, mode: str) -> None:
        if mode != "queue" and not await self.ensure_side_panes():
            return
        self.mode = mode

    def action_ticket_url(self) -> None:
        ticket_id = self.queue_table.current_id
        if ticket_id is not None:
            open_or_copy(self, ticket_url(self.context.config.zendesk, ticket_id))

    def action_reveal(self) -> None:
        self.query_one(DetailPane).reveal()

    # -- related tickets and possible incidents -------------------------------------------
    def action_related(self) -> None:
        """The next of the ticket's related tickets; after the last, back where it started."""
        table = self.queue_table
        current = table.current_id
        if current is None:
            return
        trail = self._trail
        if trail is None or trail.at != current:
            hints = self.context.workspace.suggestions.for_ticket(current)
            if hints is None:
                self.notify("Still reading the cache for related tickets.", markup=False)
                return
            if not hints.related:
                self.notify(f"#{current} has no related tickets.", markup=False)
                return
            trail = RelatedTrail(current, hints.related, self.view, self.filter_text)
        self._trail = trail
        key = keys.label(self.app, "ticket.related")
        while True:
            trail.step += 1
            if trail.step >= len(trail.related):
                self._trail = None
                if self.view != trail.view or self.filter_text != trail.filter_text:
                    self._show_filter(trail.filter_text)
                    self.set_reactive(MainScreen.view, trail.view)
                    self.refresh_queue()
                table.move_to(trail.origin)
                self.notify(f"Back to #{trail.origin}.", markup=False, timeout=3)
                return
            target = trail.related[trail.step]
            if self._move_anywhere(target):
                trail.at = target
                shown = f"Related {trail.step + 1} of {len(trail.related)} for #{trail.origin}"
                self.notify(f"{shown}: {key} for the next, back after the last.", markup=False, timeout=3)
                return
            self.notify(f"#{target} is not in the queue (solved?): f finds it.", markup=False)

    def _move_anywhere(self, ticket_id: int) -> bool:
        """Put the cursor on a ticket: in this view, else in all unsolved, unfiltered."""
        self.mode = "queue"
        if self.queue_table.move_to(ticket_id):
            return True
        if self.view == SEARCH_VIEW:
            return False
        self._show_filter("")
        self.set_reactive(MainScreen.view, "all")
        self.refresh_queue()
        return self.queue_table.move_to(ticket_id)

    def action_possible_incident(self) -> None:
        """The largest possible incident's tickets as a view, all marked: `t` attaches them; `P`
        again shows the next one."""
        bursts = self.context.workspace.suggestions.bursts()
        if not bursts:
            self.notify("No possible incident: no burst of alike new tickets in the last hour.", markup=False)
            return
        leads = [b.lead for b in bursts]
        shown = self._burst_lead if self.view == SEARCH_VIEW else None
        self.show_burst(bursts[(leads.index(shown) + 1) % len(bursts)] if shown in leads else bursts[0])

    def show_burst(self, burst: Burst) -> None:
        workspace = self.context.workspace
        text = f"possible incident #{burst.lead}"
        found = workspace.begin_search(text)
        found.label = f"Possible incident ({len(burst.ids)})"
        workspace.finish_search(
            SearchOutcome(text, found.number, meaning=text, ids=list(burst.ids), count=len(burst.ids))
        )
        self.mode = "queue"
        if self.view != SEARCH_VIEW:
            self.view = SEARCH_VIEW  # records what escape comes back to
        self._show_filter("")
        table = self.queue_table
        table.marked -= self._burst_marks  # P again: the previous one's marks go
        added = (set(burst.ids) & workspace.markable_ids()) - table.marked
        table.marked |= added
        self._burst_marks = added
        self._burst_lead = burst.lead
        self.refresh_queue()
        table.cursor = 0
        self.set_focus(table)
        self.refresh_detail()
        attach, back = keys.label(self.app, "ticket.attach"), keys.label(self.app, "queue.clear")
        self.notify(
            f"{len(burst.ids)} tickets marked: {attach} attaches them to an incident, {back} goes back.",
            markup=False,
        )

    async def action_rotation_handover(self) -> None:
        # The handbook's two handovers (ui/handover_flow.py): the SDK rotation's from its view.
        context = self.context
        if self.mode == "sdk":
            title, text, name = "SDK rotation handover (#support-client-libraries)", sdk_text(context), "handover-sdk"
        else:
            title, text, name = "Support Hero handover", hero_text(context), "handover-rotation"
        await run_flow(self, save_handover(self, title, text, name, context.now), "rotation handover")


def _effective_keys(app: App, binding_ids: Iterable[str]) -> set[str]:
    """The keys these bindings answer to now, remaps included."""
    return {one for binding_id in binding_ids for one in keys.effective(app, binding_id).split(",")}
