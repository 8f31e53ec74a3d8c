"""The filter and find box and the search view: `/` filters the cached queue as you
type; `f` (or enter on a filter nothing cached matches) asks Zendesk, and its answer is the
queue's search view, where every ticket key works; escape goes back to the queue as it was.
"""

from __future__ import annotations

from textual.widgets import Input

from triage_tui.read.search import SEARCH_VIEW
from triage_tui.ui.context import Context
from triage_tui.ui.screens.queue_screen import QueueScreen
from triage_tui.ui.widgets.filter_box import FilterBox


class FindScreen(QueueScreen):
    def __init__(self, context: Context, view: str) -> None:
        super().__init__(context, view)
        # The view, the ticket under the cursor and the filter when the search view opened.
        self._before_search: tuple[str, int | None, str] = (view, None, "")
        self._burst_marks: set[int] = set()  # what `P` marked in the search view: escape takes them back
        self._burst_lead: int | None = None  # the possible incident `P` shows: P again, the next

    def watch_view(self, old: str, new: str) -> None:
        if new == SEARCH_VIEW and old != SEARCH_VIEW:
            # However it is reached (f, V, the palette): escape comes back to this.
            self._before_search = (old, self.queue_table.current_id, self.filter_text)
        self.refresh_queue()

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
        self.set_reactive(FindScreen.filter_text, text)

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

    def leave_search(self) -> None:
        """Back to the queue as it was: its view, its filter, the ticket under the cursor."""
        view, ticket_id, text = self._before_search
        self.set_reactive(FindScreen.view, view)
        self.context.workspace.end_search()
        self.queue_table.marked -= self._burst_marks  # left unattached: no hidden marks
        self._burst_marks = set()
        self._burst_lead = None
        self._show_filter(text)
        self.refresh_queue(keep_id=ticket_id)
