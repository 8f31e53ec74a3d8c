"""Raising an incident from tickets: the text the engineer starts from, and what it becomes.

The handbook: anyone can and should raise an incident when they suspect one ("when in
doubt, always raise an incident"), several tickets about the same issue being the usual
sign; then raise your hand to watch it. The text is a name on the first line and a
summary below, the tickets' links listed so the incident team can read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TicketLink:
    id: int
    subject: str
    url: str


@dataclass(frozen=True)
class IncidentDraft:
    name: str
    summary: str


def incident_template(tickets: Sequence[TicketLink]) -> str:
    """The editor's starting text: a name to write, what to say, the tickets' links."""
    lines = [
        tickets[0].subject if len(tickets) == 1 else "",
        "",
        "What is broken: ",
        "Since: ",
        "",
        f"Reported in {len(tickets)} Zendesk ticket{'s' if len(tickets) != 1 else ''}:",
    ]
    lines += [f"- #{t.id} {t.subject}: {t.url}" for t in tickets]
    return "\n".join(lines)


def parse_incident_text(text: str) -> IncidentDraft | str:
    """The name (the first line) and the summary (the rest), or why it cannot be raised."""
    lines = text.rstrip().splitlines()
    name = lines[0].strip() if lines else ""
    if not name:
        return "Not raised: the first line is the incident's name, and it is empty."
    if len(name) > 200:
        return "Not raised: the name (the first line) is over 200 characters; put the detail below it."
    return IncidentDraft(name, "\n".join(lines[1:]).strip())
