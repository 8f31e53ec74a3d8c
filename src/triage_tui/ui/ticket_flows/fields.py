"""The field-edit key: priority, severity, group or assignee of the selected ticket(s),
each a safe update of that field alone (no note, no `escalated` tag: not an escalation).

One picker of every field and value; the routing guards' "assign it" asks for one field.
"""

from __future__ import annotations

from collections.abc import Mapping

from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage.field_edits import change_for, editable_fields, options, severity_field
from triage_tui.ui.context import Context
from triage_tui.ui.flows import queue_write, run_flow
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.ticket_flows.screen import SelectionScreen
from triage_tui.ui.ticket_flows.selection import after_queue, need_tickets

AGENT_ROLES = ("agent", "admin")


def _severity(context: Context) -> Mapping | None:
    fields = context.reads.store.list("ticket_fields")
    return severity_field(fields, context.config.zendesk.severity_field)


def _agents(context: Context) -> dict[int, str]:
    users = context.reads.store.all_records("user").values()
    agents = {
        int(u["id"]): str(u.get("name") or u.get("email") or u["id"]) for u in users if u.get("role") in AGENT_ROLES
    }
    me = context.reads.me()
    if me.id is not None:
        agents.setdefault(me.id, me.name or "me")
    return agents


async def edit_fields(screen: SelectionScreen) -> None:
    if tickets := need_tickets(screen):
        await run_flow(screen, _edit_fields(screen, tickets), "edit a field")


async def _edit_fields(screen: SelectionScreen, tickets: list[dict]) -> None:
    """One picker of every field and value ("Priority: High"): typing "pri hi" and
    enter is one choice, so a burst of keys never falls between two screens."""
    context = screen.context
    severity = _severity(context)
    groups = context.workspace.groups
    agents = _agents(context)
    me = context.reads.me().id
    fields = editable_fields(tickets, severity=severity, groups=groups, users=agents)
    what = f"#{tickets[0]['id']}" if len(tickets) == 1 else f"{len(tickets)} tickets"
    choices: list[Choice] = []
    for field in fields:
        name = field.label.split(" (")[0]
        for option in options(field.key, severity=severity, groups=groups, agents=agents, me=me):
            hint = "now" if option.label == field.current else option.hint
            choices.append(Choice(f"{field.key}={option.key}", f"{name}: {option.label}", hint))
    picked = await screen.app.push_screen_wait(
        FuzzyPicker(f"Edit {what} (not an escalation): type a field and a value", choices)
    )
    if picked is not None:
        field_key, _, value = picked.partition("=")
        _queue_field(screen, tickets, field_key, value, severity, next(c.label for c in choices if c.key == picked))


async def edit_field(screen: SelectionScreen, tickets: list[dict], field: str) -> None:
    """The value picker of one field, then the write (the guards' "assign it")."""
    context = screen.context
    severity = _severity(context)
    groups = context.workspace.groups
    agents = _agents(context)
    fields = editable_fields(tickets, severity=severity, groups=groups, users=agents)
    what = f"#{tickets[0]['id']}" if len(tickets) == 1 else f"{len(tickets)} tickets"
    label = next(f.label for f in fields if f.key == field)
    choices = options(field, severity=severity, groups=groups, agents=agents, me=context.reads.me().id)
    value = await screen.app.push_screen_wait(
        FuzzyPicker(f"{label.split(' (')[0]} of {what}:", [Choice(o.key, o.label, o.hint) for o in choices])
    )
    if value is None:
        return
    shown = next((o.label for o in choices if o.key == value), value)
    _queue_field(screen, tickets, field, value, severity, f"{label.split(' (')[0]}: {shown}")


def _queue_field(
    screen: SelectionScreen, tickets: list[dict], field: str, value: str, severity: Mapping | None, what: str
) -> None:
    change = change_for(field, value, severity=severity)
    summary = what[0].lower() + what[1:]
    writes = screen.context.writes
    # One safe update per ticket (never update_many: it has no safe_update), so a
    # colleague's change since our view is a conflict, not overwritten.
    if queue_write(
        screen,
        f"Not queued: {summary}",
        lambda: writes.update_each([(TicketRef.of(t), change) for t in tickets], summary),
    ):
        after_queue(screen, tickets, summary)
