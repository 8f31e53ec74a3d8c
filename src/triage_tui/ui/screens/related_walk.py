"""Walking from a ticket: `x` to its related tickets one by one and back where it started;
`P` shows a possible incident's tickets (a burst of alike new tickets) as a view, marked."""

from __future__ import annotations

from dataclasses import dataclass

from triage_tui.read.search import SEARCH_VIEW
from triage_tui.sync.search_outcome import SearchOutcome
from triage_tui.triage.bursts import Burst
from triage_tui.ui import keys
from triage_tui.ui.screens.find_box import FindScreen


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


class RelatedScreen(FindScreen):
    _trail: RelatedTrail | None = None  # where `x` came from and goes next

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
                    self.set_reactive(RelatedScreen.view, trail.view)
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
        self.set_reactive(RelatedScreen.view, "all")
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
