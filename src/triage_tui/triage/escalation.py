"""The handbook's escalation: an internal note to the team's group "saying what was found
and what is needed". The app fills in what it knows; an untouched template is not sent."""

from __future__ import annotations

import re

# What you found and what is needed are the engineer's; the rest the app knows, per ticket.
ESCALATION_TEMPLATE = (
    "Found: \n"
    "Needed: \n"
    "\n"
    "Customer: {{ticket.organization.name | default: 'no organization'}} "
    "({{ticket.plan | default: 'plan unknown'}})\n"
    "Ticket: {{ticket.link}}\n"
    "SLA: {{ticket.sla}}"
)
ESCALATION_FIELDS = ("Found:", "Needed:")
# Where the cursor starts in the composer: after the first thing to say.
FIRST_FIELD = ESCALATION_FIELDS[0]


def escalation_title(team: object) -> str:
    """The composer's title for an escalation to `team` (a group's name, or its id)."""
    return f"Escalate to {team}: what you found, what is needed"


def escalation_gaps(text: str) -> list[str]:
    """The escalation fields left empty ("Found:" with nothing after it before the next
    field): an untouched template is not sent."""
    lines = text.splitlines()
    gaps = []
    for field in ESCALATION_FIELDS:
        start = next((i for i, line in enumerate(lines) if line.strip().startswith(field)), None)
        if start is None:
            continue  # the engineer wrote the note their own way
        body = [lines[start].strip()[len(field) :]]
        for line in lines[start + 1 :]:
            if not line.strip() or any(line.strip().startswith(f) for f in ESCALATION_FIELDS):
                break
            body.append(line)
        if not re.sub(r"<[^>\n]*>", "", "".join(body)).strip():  # "<what you checked>" is untouched too
            gaps.append(field)
    return gaps


def escalation_refusal(gaps: list[str], team: object) -> str | None:
    """Why the note is not sent yet (the composer stays open and says it), or None."""
    if not gaps:
        return None
    return (
        f"Not sent: nothing under {' and '.join(gaps)} yet. Say what you found and what "
        f"{team} needs to do (the rest is filled in)."
    )
