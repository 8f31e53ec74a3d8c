"""Escalation to a team's group: which team (the configured ones first), then the internal
note saying what was found and what is needed; the group and the tag are set on send."""

from __future__ import annotations

from triage_tui.triage.escalation import (
    ESCALATION_TEMPLATE,
    FIRST_FIELD,
    escalation_gaps,
    escalation_refusal,
    escalation_title,
)
from triage_tui.triage.macros import ChangeSet
from triage_tui.ui import words
from triage_tui.ui.flows import run_flow
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.ticket_flows.compose import compose
from triage_tui.ui.ticket_flows.screen import SelectionScreen
from triage_tui.ui.ticket_flows.selection import need_tickets


async def escalate(screen: SelectionScreen) -> None:
    """The team picker, then the escalation note."""
    if tickets := need_tickets(screen):
        await run_flow(screen, _pick_team(screen, tickets), "escalate")


async def escalate_to(screen: SelectionScreen, group_id: int) -> None:
    """The escalation note to a team chosen elsewhere (the palette)."""
    if tickets := need_tickets(screen):
        await run_flow(screen, _note(screen, tickets, group_id), "escalate")


async def _pick_team(screen: SelectionScreen, tickets: list[dict]) -> None:
    context = screen.context
    wanted = [name.lower() for name in context.config.zendesk.escalation_groups]
    groups = sorted(context.workspace.groups.items(), key=lambda g: (g[1].lower() not in wanted, g[1].lower()))
    choices = [Choice(str(gid), name, "team" if name.lower() in wanted else "") for gid, name in groups]
    picker = FuzzyPicker(f"Escalate {words.tickets(len(tickets))} to which team?", choices)
    key = await screen.app.push_screen_wait(picker)
    if key is not None:
        await _note(screen, tickets, int(key))


async def _note(screen: SelectionScreen, tickets: list[dict], group_id: int) -> None:
    zendesk = screen.context.config.zendesk
    change = ChangeSet(group_id=group_id, add_tags=(zendesk.escalation_tag,))
    team = screen.context.workspace.groups.get(group_id, group_id)
    await compose(
        screen,
        tickets,
        public=False,
        change=change,
        title=escalation_title(team),
        text=ESCALATION_TEMPLATE,
        check=lambda text: escalation_refusal(escalation_gaps(text), team),
        cursor_after=FIRST_FIELD,
    )
