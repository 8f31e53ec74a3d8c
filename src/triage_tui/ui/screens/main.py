"""The main screen: the queue and the ticket, the incident watch and SDK panes beside or
instead of them, and the keys that move between them. The ticket keys come from
`TicketScreen`; the incident and SDK keys live on their panes.

It is built in layers, each a module: `queue_screen` (start-up, the rows, the detail, the
status line, what a sync report changes), `find_box` (the filter and Zendesk search),
`related_walk` (related tickets, possible incidents), and here the modes and navigation.
One screen, not Textual modes: the split shows the incident pane beside the queue, and one
pane in one screen keeps its cursor across 1, 2 and I; the reactive `mode` and `split`
watchers below repaint.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import Input

from triage_tui.read.entries import Row
from triage_tui.read.search import SEARCH_VIEW
from triage_tui.ui import keys
from triage_tui.ui.screens.queue_screen import WIDE
from triage_tui.ui.screens.related_walk import RelatedScreen
from triage_tui.ui.widgets.detail import DetailPane

MODES = ("queue", "incidents", "sdk")


class MainScreen(RelatedScreen):
    """Ticket actions live here, not on the App, so they never fire behind a modal."""

    BINDINGS = keys.bindings(keys.MAIN)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]  # noqa: RUF012 - as Textual declares it

    # -- reactive state ---------------------------------------------------------------
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
            from triage_tui.ui.widgets.incidents import IncidentPane  # imported with the panes

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
        from triage_tui.ui.links import open_or_copy, ticket_url

        ticket_id = self.queue_table.current_id
        if ticket_id is not None:
            open_or_copy(self, ticket_url(self.context.config.zendesk, ticket_id))

    def action_reveal(self) -> None:
        self.query_one(DetailPane).reveal()

    async def action_rotation_handover(self) -> None:
        # The handbook's two handovers (ui/handover_flow.py): the SDK rotation's from its view.
        # Imported on the key, as the ticket flows are: the first frame needs neither.
        from triage_tui.ui.flows import run_flow, save_handover
        from triage_tui.ui.handover_flow import hero_text, sdk_text

        context = self.context
        if self.mode == "sdk":
            title, text, name = "SDK rotation handover (#support-client-libraries)", sdk_text(context), "handover-sdk"
        else:
            title, text, name = "Support Hero handover", hero_text(context), "handover-rotation"
        await run_flow(self, save_handover(self, title, text, name, context.now), "rotation handover")


def _effective_keys(app: App, binding_ids: Iterable[str]) -> set[str]:
    """The keys these bindings answer to now, remaps included."""
    return {one for binding_id in binding_ids for one in keys.effective(app, binding_id).split(",")}
