"""`$`: the billing lead as a follower of a billing ticket, with an internal note of what
will eventually be needed (the handbook: billing issues go to billing)."""

from __future__ import annotations

from triage_tui.triage.guards import BILLING_NOTE
from triage_tui.triage.macros import ChangeSet
from triage_tui.ui.flows import run_flow
from triage_tui.ui.ticket_flows.compose import compose
from triage_tui.ui.ticket_flows.screen import SelectionScreen
from triage_tui.ui.ticket_flows.selection import need_tickets


async def billing_follower(screen: SelectionScreen) -> None:
    if tickets := need_tickets(screen):
        await run_flow(screen, _billing_follower(screen, tickets), "billing follower")


async def _billing_follower(screen: SelectionScreen, tickets: list[dict]) -> None:
    lead = screen.context.config.zendesk.billing_lead
    if not lead:
        screen.notify('No billing lead configured: set [zendesk] billing_lead = "email".', severity="warning")
        return
    await compose(
        screen,
        tickets,
        public=False,
        change=ChangeSet(followers=(lead,)),
        title=f"Billing: {lead} follows; say what will eventually be needed",
        text=BILLING_NOTE.format(lead=lead),
        cursor_after="needed: ",
    )
