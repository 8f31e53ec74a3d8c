"""The ticket keys: status, replies and notes, macros, escalation, field edits, incidents,
follow-ups and corrections, conflicts.

They act on the queue's selection (the marked tickets, else the one under the cursor), so
they live on the screen that holds the queue: `MainScreen` is a `TicketScreen`. Each action
calls one flow of ui/ticket_flows/, a worker awaiting its screens in turn: pick a macro,
then compose, then queue the writes.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from triage_tui.triage.tiers import why_next
from triage_tui.ui.ticket_flows.screen import SelectionScreen

if TYPE_CHECKING:
    from triage_tui.read.entries import Row


def _flow(name: str) -> ModuleType:
    """A flow's module (ui/ticket_flows/), imported when one of its keys is first pressed:
    the queue's first frame needs none of them, nor what they import (pickers, text boxes,
    macros, handover): 42 modules fewer to import before that frame."""
    return importlib.import_module(f"triage_tui.ui.ticket_flows.{name}")


class TicketScreen(SelectionScreen):
    """A screen whose keys act on the queue's selected tickets."""

    def why_this_ticket(self, row: Row) -> str:
        """What `n` says of the ticket it chose (the hook for MainScreen.action_next_ticket)."""
        workspace = self.context.workspace
        counted = workspace.countdown(row)
        plan = workspace.plan_label(row.entry.plan) if row.entry.plan else ""
        return why_next(row.entry.id, row.tier, counted.seconds_to_breach, plan)

    # -- status --------------------------------------------------------------------------
    async def action_set_open(self) -> None:
        await _flow("status").set_status(self, "open")

    async def action_solve(self) -> None:
        await _flow("status").set_status(self, "solved")

    async def action_pending(self) -> None:
        await _flow("status").reply_and_set(self, "pending")

    async def action_hold(self) -> None:
        await _flow("status").reply_and_set(self, "hold")

    def action_assign_me(self) -> None:
        _flow("status").assign_me(self)

    async def action_edit_fields(self) -> None:
        await _flow("fields").edit_fields(self)

    # -- replies, notes, macros ---------------------------------------------------------
    async def action_reply(self) -> None:
        await _flow("compose").reply(self)

    async def action_note(self) -> None:
        await _flow("compose").note(self)

    async def action_macro(self) -> None:
        await _flow("macro").macro(self)

    async def compose_macro(self, macro_id: int) -> None:
        """A macro chosen in the palette: straight to the composer, actions staged."""
        await _flow("macro").macro_by_id(self, macro_id)

    # -- routing: escalation, billing, community questions, bug reports --------------------
    async def action_escalate(self) -> None:
        await _flow("escalate").escalate(self)

    async def escalate_to(self, group_id: int) -> None:
        """The escalation note to a team chosen in the palette."""
        await _flow("escalate").escalate_to(self, group_id)

    async def action_billing_follower(self) -> None:
        await _flow("billing").billing_follower(self)

    def action_open_question(self) -> None:
        _flow("guards").open_question(self)

    async def action_bug_report(self) -> None:
        await _flow("bug_report").bug_report(self)

    # -- incidents ---------------------------------------------------------------------------
    async def action_attach_incident(self) -> None:
        await _flow("attach").attach_to_incident(self)

    async def action_raise_incident(self) -> None:
        await _flow("raise_incident").raise_incident(self)

    # -- corrections: a closed ticket's follow-up, a requester's real org -------------------
    async def action_follow_up(self) -> None:
        await _flow("follow_up").follow_up(self)

    async def action_move_requester(self) -> None:
        await _flow("real_org").move_requester(self)

    # -- the outbox's conflicts and failed writes ------------------------------------------
    async def action_conflicts(self) -> None:
        await _flow("conflicts").resolve_conflicts(self)
