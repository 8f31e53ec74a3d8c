"""Attaching the selected ticket(s) to a live incident: its tag on each ticket and an
incident.io attachment (the Support Watcher's duty)."""

from __future__ import annotations

from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage.incidents import incident_tag
from triage_tui.ui import words
from triage_tui.ui.flows import queue_write, run_flow
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.ticket_flows.screen import SelectionScreen
from triage_tui.ui.ticket_flows.selection import need_tickets
from triage_tui.ui.widgets.queue import QueueTable


async def attach_to_incident(screen: SelectionScreen) -> None:
    if tickets := need_tickets(screen):
        await run_flow(screen, _attach(screen, tickets), "attach to an incident")


async def _attach(screen: SelectionScreen, tickets: list[dict]) -> None:
    context = screen.context
    incidents = context.workspace.incidents()
    if not incidents:
        screen.notify("No live incidents.", markup=False)
        return
    choices = [Choice(i.id, f"{i.reference} {i.name}", i.incident_status.name) for i in incidents]
    picker = FuzzyPicker(f"Attach {words.tickets(len(tickets))} to which incident?", choices)
    key = await screen.app.push_screen_wait(picker)
    if key is None:
        return
    incident = next(i for i in incidents if i.id == key)
    attach = context.writes.attach_many
    if not queue_write(
        screen,
        f"Not attached to {incident.reference}",
        lambda: attach(TicketRef.each(tickets), incident.model_dump(mode="json")),
    ):
        return
    screen.query_one(QueueTable).marked.clear()
    tag = incident_tag(incident.reference)
    screen.notify(f"Queued: {words.tickets(len(tickets))} tagged {tag} and attached", markup=False)
    context.kick()
    screen.refresh_queue()
