"""The tickets a key acts on (the marked ones, else the one under the cursor), and what
the screen does once a change to them is queued."""

from __future__ import annotations

from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage.macros import ChangeSet
from triage_tui.ui import keys, words
from triage_tui.ui.flows import queue_write
from triage_tui.ui.ticket_flows.screen import SelectionScreen
from triage_tui.ui.widgets.queue import QueueTable


def need_tickets(screen: SelectionScreen) -> list[dict] | None:
    """The selected tickets a change may go to, or None (and the reason shown)."""
    tickets = screen.context.reads.tickets(screen.query_one(QueueTable).selected_ids())
    closed = [t for t in tickets if t.get("status") == "closed"]
    if closed:
        # Zendesk refuses any change to a closed ticket: say so now, not as a failed write.
        ids = ", ".join(f"#{t['id']}" for t in closed[:5])
        follow_up = keys.label(screen.app, "ticket.follow_up")
        screen.notify(
            f"{ids} closed: Zendesk allows no change ({follow_up} writes a follow-up ticket).",
            severity="warning",
            markup=False,
        )
        tickets = [t for t in tickets if t.get("status") != "closed"]
    if not tickets:
        if not closed:
            screen.notify("No ticket selected.", severity="warning")
        return None
    return tickets


def after_queue(screen: SelectionScreen, tickets: list[dict], summary: str) -> None:
    """The screen after writes were queued: marks cleared, the toast, a redraw."""
    screen.query_one(QueueTable).marked.clear()
    screen.notify(f"Queued: {summary} ({words.tickets(len(tickets))})", markup=False)
    screen.context.kick()
    screen.refresh_queue()
    screen.refresh_detail()


def queue_change(screen: SelectionScreen, tickets: list[dict], change: ChangeSet, summary: str) -> None:
    """One change to every selected ticket: all queued, or none (and the reason shown)."""
    writes = screen.context.writes

    def write() -> list[dict]:
        if len(tickets) == 1:
            return [writes.update_ticket(TicketRef.of(tickets[0]), change, f"#{tickets[0]['id']}: {summary}")]
        return writes.update_tickets(TicketRef.each(tickets), change, summary)

    if queue_write(screen, f"Not queued: {summary}", write):
        after_queue(screen, tickets, summary)


def current_ticket(screen: SelectionScreen) -> dict | None:
    """The ticket under the cursor alone (marks aside), or None (and the reason shown)."""
    ticket_id = screen.query_one(QueueTable).current_id
    ticket = screen.context.reads.ticket(ticket_id) if ticket_id is not None else None
    if ticket is None:
        screen.notify("No ticket selected.", severity="warning")
    return ticket
