"""A macro on the selected ticket(s): picked (or chosen in the palette), then composed with
its actions staged."""

from __future__ import annotations

from triage_tui.triage.macros import ChangeSet
from triage_tui.ui.flows import run_flow
from triage_tui.ui.ticket_flows.compose import compose
from triage_tui.ui.ticket_flows.macro_picker import macro_change, pick_macro
from triage_tui.ui.ticket_flows.screen import SelectionScreen
from triage_tui.ui.ticket_flows.selection import need_tickets


async def macro(screen: SelectionScreen) -> None:
    """The macro picker, then the composer."""
    if tickets := need_tickets(screen):
        await run_flow(screen, _pick_then_compose(screen, tickets), "macro")


async def macro_by_id(screen: SelectionScreen, macro_id: int) -> None:
    """A macro chosen elsewhere (the palette): straight to the composer, actions staged."""
    if tickets := need_tickets(screen):
        chosen = next(m for m in screen.context.workspace.macros() if m.id == macro_id)
        picked = macro_change(screen.context, tickets[0], chosen, keep_placeholders=len(tickets) > 1)
        await run_flow(screen, _compose_macro(screen, tickets, *picked), "macro")


async def _pick_then_compose(screen: SelectionScreen, tickets: list[dict]) -> None:
    picked = await pick_macro(screen, tickets[0], keep_placeholders=len(tickets) > 1)
    if picked is not None:
        await _compose_macro(screen, tickets, *picked)


async def _compose_macro(screen: SelectionScreen, tickets: list[dict], text: str, change: ChangeSet) -> None:
    await compose(screen, tickets, public=change.public, change=change.with_comment(None), title="Macro", text=text)
