"""A ticket's placeholders: Zendesk's own, plus what an escalation note states (the plan,
the ticket's link, its SLA in words)."""

from __future__ import annotations

from triage_tui.triage.sla_words import sla_placeholder
from triage_tui.ui.context import Context


def placeholders(context: Context, ticket: dict) -> dict[str, str]:
    workspace = context.workspace
    values = dict(workspace.placeholders(ticket))
    base = context.config.zendesk.base_url()
    values["ticket.link"] = f"{base}/agent/tickets/{ticket['id']}" if base else f"#{ticket['id']}"
    entry = workspace.entries.get(ticket["id"])
    if entry is not None:
        if entry.plan:
            values["ticket.plan"] = workspace.plan_label(entry.plan)
        clock = entry.clock
        # Asked of a running clock only: an idle or paused one says so without a count.
        seconds = clock.seconds_to_breach(context.now(), workspace.calendar) if clock.state == "running" else None
        values["ticket.sla"] = sla_placeholder(clock.state, seconds)
    return values
