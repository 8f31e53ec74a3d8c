"""`O`: the requester out of a temporary free-email organization ("Gmail user - please
assign to correct org") into their real one, as the handbook asks."""

from __future__ import annotations

from triage_tui.triage.corrections import real_org_choices
from triage_tui.triage.flags import is_temp_org
from triage_tui.triage.guards import reply_guard
from triage_tui.ui.flows import queue_write, run_flow
from triage_tui.ui.safe import clean
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.ticket_flows.screen import SelectionScreen
from triage_tui.ui.ticket_flows.selection import current_ticket


async def move_requester(screen: SelectionScreen) -> None:
    ticket = current_ticket(screen)
    if ticket is not None:
        await run_flow(screen, _move_requester(screen, ticket), "move the requester")


async def _move_requester(screen: SelectionScreen, ticket: dict) -> None:
    context = screen.context
    store = context.reads.store
    user = store.record("user", ticket.get("requester_id"))
    if user is None:
        screen.notify(f"#{ticket['id']}: its requester is not cached yet.", severity="warning", markup=False)
        return
    texts = [str(ticket.get("subject") or ""), str(ticket.get("description") or "")]
    guard = reply_guard(ticket["id"], ticket.get("tags") or [], texts)
    if guard is not None and guard.action == "refuse":
        # The handbook: assign the real org unless it is a community question ticket.
        screen.notify(f"#{ticket['id']} is a community question: its asker keeps their org.", markup=False)
        return
    current = context.reads.org_name(user.get("organization_id"))
    if not is_temp_org(current):
        screen.notify(
            f"{clean(user.get('name'), limit=40)} is in {clean(current, limit=40) or 'no organization'}, "
            "not a temporary one: nothing to move.",
            markup=False,
        )
        return
    choices = real_org_choices(store.all_records("org").values(), user.get("email"))
    picked = await screen.app.push_screen_wait(
        FuzzyPicker(
            f"Move {clean(user.get('name'), limit=30)} out of {clean(current, limit=45)} into:",
            [Choice(str(c.id), c.name, c.hint) for c in choices],
        )
    )
    if picked is None:
        return
    org = next(c for c in choices if str(c.id) == picked)
    move = context.writes.move_requester
    if queue_write(screen, "Not queued", lambda: move(user, {"id": org.id, "name": org.name})):
        screen.notify(f"Queued: {clean(user.get('name'), limit=40)} moves to {clean(org.name, limit=60)}", markup=False)
        context.kick()
