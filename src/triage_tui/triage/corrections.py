"""Corrections the handbook asks for: a follow-up of a closed ticket, and a requester moved
out of a temporary (free-email) organization into their real one. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from triage_tui.triage.flags import is_temp_org
from triage_tui.triage.macros import without_greeting


@dataclass(frozen=True)
class OrgChoice:
    id: int
    name: str
    hint: str = ""


def real_org_choices(orgs: Iterable[Mapping], requester_email: str | None) -> list[OrgChoice]:
    """Every organization a requester could really belong to (no temporary ones), those
    whose domains match the requester's email first."""
    domain = (requester_email or "").rpartition("@")[2].lower()
    choices = []
    for org in orgs:
        name = str(org.get("name") or org.get("id"))
        if is_temp_org(name):
            continue
        domains = [str(d).lower() for d in org.get("domain_names") or []]
        choices.append(OrgChoice(int(org["id"]), name, "matches their email" if domain and domain in domains else ""))
    return sorted(choices, key=lambda c: (not c.hint, c.name.lower()))


def follow_up_template(subject: str, first_name: str) -> str:
    """The editor's text: the new ticket's subject on the first line, the reply below."""
    return f"Follow-up: {subject}\n\nHey {first_name or 'there'},\n\n"


def parse_follow_up(text: str) -> tuple[str, str] | str:
    """(subject, body), or why it cannot be sent."""
    lines = text.rstrip().splitlines()
    subject = lines[0].strip() if lines else ""
    body = "\n".join(lines[1:]).strip()
    if not subject:
        return "Not sent: the first line is the follow-up's subject, and it is empty."
    if not without_greeting(body).strip():
        return "Not sent: write the message below the subject line (a ticket needs its first comment)."
    return subject, body
