"""Handover texts, ready to paste into Slack (plain markdown)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from triage_tui.triage.macros import STATUS_LABELS, render_placeholders, without_greeting


@dataclass(frozen=True)
class HandoverTicket:
    id: int
    subject: str
    status: str
    next_step: str = ""


def custom_field_text(entries: Iterable[Any], word: str) -> str:
    """The value of the incident's custom field whose name holds `word` ("Degraded",
    "What's degraded"), as incident.io's CustomFieldEntryV2 carries it: text, option, link or
    number. incident.io has no built-in field for it: an organisation adds one, or not."""
    for entry in entries:
        field = entry.get("custom_field") if isinstance(entry, dict) else None
        if not isinstance(field, dict) or word.lower() not in str(field.get("name") or "").lower():
            continue
        values = []
        for value in entry.get("values") or []:
            if not isinstance(value, dict):
                continue
            option = value.get("value_option")
            shown = value.get("value_text") or (option or {}).get("value") or value.get("value_link")
            shown = shown or value.get("value_numeric")
            if shown:
                values.append(str(shown).strip())
        if values:
            return ", ".join(values)
    return ""


def customer_wording(macro_text: str | None) -> str:
    """The incident macro's reply as a customer reads it, on one line: no greeting, no
    sign-off, no placeholder left as `{{...}}` (defaults filled, the rest left out)."""
    if not macro_text:
        return ""
    body = render_placeholders(without_greeting(macro_text), {})
    lines = []
    for line in body.splitlines():
        kept = " ".join(_LEFT_OVER.sub("", line).split())
        if not kept:  # a sign-off line that was only a placeholder leaves nothing
            continue
        # One line, so each of the reply's lines ends as a sentence ("...late. What works: ...");
        # a link is left as it is, a full stop would become part of it.
        ends_sentence = kept[-1] in ".!?:;" or kept.split()[-1].startswith(("http://", "https://"))
        lines.append(kept if ends_sentence else kept + ".")
    return " ".join(lines)


_LEFT_OVER = re.compile(r"\{\{[^}]*\}\}")


@dataclass(frozen=True)
class Update:
    """An incident update: when, and its message."""

    at: dt.datetime | None
    message: str


def incident_handover(
    *,
    reference: str,
    name: str,
    status: str,
    severity: str | None,
    broken: str,
    works: str,
    degraded: str,
    tagged_tickets: int,
    macro_text: str | None,
    summary: str | None,
    updates: Sequence[Update],
    now: dt.datetime,
) -> str:
    """The Support Watcher's handover (support-handbook.md: status, ticket count, key facts,
    what users were told). Users were told what the incident macro says (rendered as they
    read it), or, with no macro yet, the latest incident update (newest first in `updates`)."""
    told = customer_wording(macro_text)
    if told:
        told_line = f"{told} (the incident macro)"
    elif updates and updates[0].message.strip():
        told_line = f"{_one_line(updates[0].message)} (latest update{_at(updates[0].at)}; no incident macro yet)"
    else:
        told_line = "nothing yet: no incident macro and no update"
    lines = [
        f"*Support Watcher handover: {reference} {name}* ({now:%Y-%m-%d %H:%M} UTC)",
        f"• Status: {status}" + (f", severity {severity}" if severity else ""),
        f"• Broken: {broken or 'not yet described'}",
        f"• Degraded: {degraded or 'not yet described'}",
        f"• Works: {works or 'not yet described'}",
        f"• Tickets tagged: {tagged_tickets}",
        f"• Users were told: {told_line}",
    ]
    facts = ([_one_line(summary)] if summary and summary.strip() else []) + [
        f"{_one_line(u.message)}{_at(u.at)}" for u in updates[:3] if u.message.strip()
    ]
    if facts:
        lines.append("• Key facts:")
        lines += [f"  – {fact}" for fact in facts]
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _at(moment: dt.datetime | None) -> str:
    return f" ({moment:%H:%M} UTC)" if moment else ""


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
