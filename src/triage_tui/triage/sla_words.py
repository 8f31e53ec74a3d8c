"""The SLA clock in words: the toast of `n`, an escalation note's "SLA:" line, the detail's
"SLA:" fact. Business hours throughout, as the handbook counts them."""

from __future__ import annotations

from triage_tui.triage.macros import STATUS_LABELS
from triage_tui.triage.sla import format_duration


def breach_phrase(seconds_to_breach: float | None, plan: str = "") -> str:
    """ "40m to breach", "breached 1h00m ago", or "no SLA clock (Free plan)"."""
    if seconds_to_breach is None:
        return f"no SLA clock ({plan} plan)" if plan else "no SLA clock"
    if seconds_to_breach < 0:
        return f"breached {format_duration(-seconds_to_breach)} ago"
    return f"{format_duration(seconds_to_breach)} to breach"


def sla_placeholder(state: str, seconds_to_breach: float | None) -> str:
    """`{{ticket.sla}}` in an escalation note: what the team escalated to needs to know."""
    if state == "idle" or (state != "paused" and seconds_to_breach is None):
        return "no SLA clock"
    if state == "paused":
        return "paused (pending or on-hold)"
    return f"{breach_phrase(seconds_to_breach)} (business hours)"


def detail_sla(
    status: str,
    state: str | None,
    remaining_when_paused: float | None,
    seconds_to_breach: float | None,
    stage: str | None,
    *,
    from_zendesk: bool,
) -> str:
    """The detail's "SLA:" fact: the clock as the queue shows it (a paused clock says so), and
    where the number comes from: Zendesk's own SLA policy (its breach_at) when the account
    has one for the ticket, else the handbook's business-hours clock. `state` is None when
    the ticket has no clock at all."""
    source = "Zendesk" if from_zendesk else "handbook"
    # Pending and On-hold pause the clock (the handbook), as the queue shows them.
    if status in ("pending", "hold") or state == "paused":
        remaining = remaining_when_paused if state == "paused" else None
        left = f", {format_duration(remaining)} left" if remaining is not None else ""
        return f"paused ({STATUS_LABELS.get(status, status)}{left}) · {source}"
    if seconds_to_breach is None:
        return "no clock"
    shown_stage = f" ({stage})" if stage else ""
    return f"{format_duration(seconds_to_breach)}{shown_stage} · {source}"
