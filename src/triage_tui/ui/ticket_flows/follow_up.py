"""`N`: a follow-up ticket of a closed one, for its requester (Zendesk refuses any change
to a closed ticket): the subject on the first line, the public reply below."""

from __future__ import annotations

from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage.corrections import follow_up_template, parse_follow_up
from triage_tui.ui import keys
from triage_tui.ui.flows import edit_until_valid, queue_write, run_flow
from triage_tui.ui.safe import clean
from triage_tui.ui.ticket_flows.screen import SelectionScreen
from triage_tui.ui.ticket_flows.selection import current_ticket


async def follow_up(screen: SelectionScreen) -> None:
    ticket = current_ticket(screen)
    if ticket is None:
        return
    if ticket.get("status") != "closed":
        reply = keys.label(screen.app, "ticket.reply")
        screen.notify(
            f"#{ticket['id']} is not closed: reply to it ({reply}); a follow-up is for closed tickets.",
            severity="warning",
            markup=False,
        )
        return
    await run_flow(screen, _follow_up(screen, ticket), "follow-up")


async def _follow_up(screen: SelectionScreen, closed: dict) -> None:
    context = screen.context
    requester = context.workspace.user(closed.get("requester_id"))
    first = (requester.name or "").split(" ")[0] if requester else ""
    hint = keys.hint(screen.app, ("editor.save", "create the follow-up"), ("editor.cancel", "cancel"))
    title = f"Follow-up of closed #{closed['id']}: subject on the first line, your public reply below"
    template = follow_up_template(clean(closed.get("subject"), limit=100), first)
    parsed = await edit_until_valid(screen, title, template, parse_follow_up, hint=hint, cursor_at_end=True)
    if parsed is None:
        return
    subject, body = parsed
    write = context.writes.follow_up
    if queue_write(screen, "Not queued", lambda: write(TicketRef.of(closed), subject=subject, text=body, public=True)):
        screen.notify(f"Queued: a follow-up of #{closed['id']} for its requester", markup=False)
        context.kick()
