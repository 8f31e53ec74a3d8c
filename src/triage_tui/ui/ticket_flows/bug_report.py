"""A bug report or feature request from one ticket (issue 26): the flow is
ui/flows_bugreport.py; here, the one ticket it starts from."""

from __future__ import annotations

from triage_tui.ui.flows import run_flow
from triage_tui.ui.flows_bugreport import bug_report_flow
from triage_tui.ui.ticket_flows.screen import SelectionScreen
from triage_tui.ui.ticket_flows.selection import need_tickets


async def bug_report(screen: SelectionScreen) -> None:
    tickets = need_tickets(screen)
    if not tickets:
        return
    if len(tickets) > 1:
        screen.notify("A bug report is from one ticket: unmark the others first.", severity="warning", markup=False)
        return
    await run_flow(screen, bug_report_flow(screen, screen.context, tickets[0]), "bug report")
