"""Status keys: Open and Solved (asked first), Pending and On-hold (with a reply, as the
handbook wants), and assigning to me."""

from __future__ import annotations

from rich.text import Text

from triage_tui.triage.macros import ChangeSet
from triage_tui.triage.status_words import SOLVED_NOTE, STATUS_TITLES
from triage_tui.ui import words
from triage_tui.ui.flows import run_flow
from triage_tui.ui.safe import plain
from triage_tui.ui.screens.confirm import Confirm
from triage_tui.ui.ticket_flows.compose import compose
from triage_tui.ui.ticket_flows.screen import SelectionScreen
from triage_tui.ui.ticket_flows.selection import need_tickets, queue_change

LABELS = {"open": "Open", "solved": "Solved"}


async def set_status(screen: SelectionScreen, status: str) -> None:
    """Open or Solved for the selected ticket(s), once confirmed."""
    if tickets := need_tickets(screen):
        await run_flow(screen, _confirm(screen, tickets, status), f"set status {LABELS[status]}")


async def _confirm(screen: SelectionScreen, tickets: list[dict], status: str) -> None:
    label = LABELS[status]
    already = [t for t in tickets if t.get("status") == status]
    if already:
        ids = ", ".join(f"#{t['id']}" for t in already[:5])
        screen.notify(f"{ids} already {label}.", markup=False)
        tickets = [t for t in tickets if t.get("status") != status]
        if not tickets:
            return
    body = Text()
    body.append(f"Set {words.tickets(len(tickets))} to {label}:\n")
    for ticket in tickets[:10]:
        body.append(f"  #{ticket['id']} ")
        body.append_text(plain(ticket.get("subject"), limit=80))
        body.append("\n")
    if status == "solved":
        body.append(f"\n{SOLVED_NOTE}", style="dim")
    if await screen.app.push_screen_wait(Confirm(f"Set status {label}?", body)):
        queue_change(screen, tickets, ChangeSet(status=status), f"status {label}")


async def reply_and_set(screen: SelectionScreen, status: str) -> None:
    """Pending or On-hold: a reply to the customer that sets it (the handbook asks for one)."""
    if tickets := need_tickets(screen):
        title = STATUS_TITLES[status]
        flow = compose(screen, tickets, public=True, change=ChangeSet(status=status), title=title)
        await run_flow(screen, flow, title)


def assign_me(screen: SelectionScreen) -> None:
    if tickets := need_tickets(screen):
        queue_change(screen, tickets, ChangeSet(assign_to_me=True), "assign to me")
