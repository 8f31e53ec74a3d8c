"""Handover texts, ready to paste into Slack (plain markdown)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from triage_tui.triage.macros import STATUS_LABELS


@dataclass(frozen=True)
class HandoverTicket:
    id: int
    subject: str
    status: str
    next_step: str = ""


def incident_handover(
    *,
    reference: str,
    name: str,
    status: str,
    severity: str | None,
    broken: str,
    works: str,
    tagged_tickets: int,
    told_users: str | None,
    key_facts: Sequence[str],
    now: dt.datetime,
) -> str:
    lines = [
        f"*Support Watcher handover: {reference} {name}* ({now:%Y-%m-%d %H:%M} UTC)",
        f"• Status: {status}" + (f", severity {severity}" if severity else ""),
        f"• Broken: {broken or 'not yet described'}",
        f"• Works: {works or 'not yet described'}",
        f"• Tickets tagged: {tagged_tickets}",
        "• Users were told: " + (told_users.strip().splitlines()[0] if told_users else "no incident macro yet"),
    ]
    if key_facts:
        lines.append("• Key facts:")
        lines += [f"  – {fact}" for fact in key_facts]
    return "\n".join(lines)


def rotation_handover(tickets: Sequence[HandoverTicket], *, engineer: str, now: dt.datetime) -> str:
    order = {"open": 0, "new": 0, "hold": 1, "pending": 2}
    lines = [f"*Support rotation handover from {engineer}* ({now:%Y-%m-%d})"]
    if not tickets:
        lines.append("Nothing in progress: the queue is yours, clean.")
        return "\n".join(lines)
    for ticket in sorted(tickets, key=lambda t: (order.get(t.status, 3), t.id)):
        step = f": {ticket.next_step}" if ticket.next_step else ""
        lines.append(f"• #{ticket.id} [{STATUS_LABELS.get(ticket.status, ticket.status)}] {ticket.subject}{step}")
    return "\n".join(lines)
