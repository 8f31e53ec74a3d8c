"""Picking a macro for a ticket: the picker (suggested ones first) with a preview of what
the macro changes, and the macro's text and changes for that ticket."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text

from triage_tui.triage.macros import ChangeSet, changes_from_actions
from triage_tui.ui.safe import plain
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.ticket_flows.screen import SelectionScreen

if TYPE_CHECKING:
    from triage_tui.models.zendesk import Macro
    from triage_tui.ui.context import Context


def describe(context: Context, ticket: dict) -> Callable[[ChangeSet], list[str]]:
    """What a change would do to this ticket, in lines ("Status: Open → Pending")."""
    me = context.reads.me().display
    groups = context.workspace.groups
    status, tags = ticket.get("status", ""), ticket.get("tags") or []
    return lambda change: change.describe(status=status, tags=tags, group_names=groups, me_name=me)


def macro_change(
    context: Context, ticket: dict, macro: Macro, *, keep_placeholders: bool = False
) -> tuple[str, ChangeSet]:
    """A macro's text and changes for this ticket, placeholders filled (or kept, to be
    filled per ticket of a bulk action)."""
    actions = [a.model_dump() for a in macro.actions]
    values = None if keep_placeholders else context.workspace.placeholders(ticket)
    change = replace(changes_from_actions(actions, values), macro_id=macro.id)
    return change.comment or "", change


def _preview(context: Context, ticket: dict, macros: dict[str, Macro]) -> Callable[[str], Text]:
    lines_of = describe(context, ticket)

    def preview(key: str) -> Text:
        _, change = macro_change(context, ticket, macros[key])
        text = Text()
        for line in lines_of(change):
            text.append("• ")
            text.append_text(plain(line, limit=200))
            text.append("\n")
        if change.comment:
            text.append("\n")
            text.append_text(plain(change.comment, multiline=True, limit=4000))
        return text

    return preview


async def pick_macro(
    screen: SelectionScreen, ticket: dict, *, keep_placeholders: bool = False
) -> tuple[str, ChangeSet] | None:
    """A macro from the picker (with a preview of what it changes): its text and changes."""
    context = screen.context
    macros = {str(m.id): m for m in context.workspace.macros()}
    if not macros:
        screen.notify("No macros cached yet.", severity="warning")
        return None
    # The macros suggested for this ticket first, best first; then all of them by title.
    hints = context.workspace.suggestions.for_ticket(ticket["id"])
    suggested = [str(m) for m, _ in (hints.macros if hints else []) if str(m) in macros]
    choices = [Choice(key, macros[key].title, "suggested") for key in suggested] + [
        Choice(key, m.title)
        for key, m in sorted(macros.items(), key=lambda item: item[1].title.lower())
        if key not in suggested
    ]
    key = await screen.app.push_screen_wait(FuzzyPicker("Macros", choices, _preview(context, ticket, macros)))
    if key is None:
        return None
    return macro_change(context, ticket, macros[key], keep_placeholders=keep_placeholders)
