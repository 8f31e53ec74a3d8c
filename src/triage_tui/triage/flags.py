"""Labelled warnings the detail pane shows before the agent reads or replies."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from triage_tui.triage.incidents import incident_numbers

Severity = Literal["danger", "warning", "info"]
# The handbook: warn before showing a ticket's content when it (or its org) carries this tag.
CONTENT_WARNING = "content_warning"

FREE_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
        "icloud.com",
        "proton.me",
        "protonmail.com",
    }
)
_TEMP_ORG = re.compile(r"(gmail|free[- ]?email|personal).*user|please assign", re.IGNORECASE)
_SELF_HOSTED = re.compile(r"\bself[- ]?host(ed|ing)?\b|\bhobby deploy|\bdocker[- ]compose\b", re.IGNORECASE)
_BILLING = re.compile(r"\b(invoice|billing|refund|charged?|payment|credit card|subscription)\b", re.IGNORECASE)
_LEGAL = re.compile(
    r"\b(subpoena|lawyer|attorney|legal action|court order|law enforcement|dpa request)\b", re.IGNORECASE
)
_ABUSE = re.compile(r"\b(idiots?|stupid|useless morons?|f\*+k|fuck(ing)?|scam(mers)?)\b", re.IGNORECASE)
_LEAD = re.compile(
    r"\b(pricing for|enterprise plan|talk to sales|quote for|procurement|volume discount)\b", re.IGNORECASE
)


def is_temp_org(name: str | None) -> bool:
    """A free-email holding organization ("Gmail user - please assign to correct org")."""
    return bool(name and _TEMP_ORG.search(name))


@dataclass(frozen=True)
class Flag:
    key: str
    label: str
    severity: Severity


def ticket_flags(
    *,
    tags: Iterable[str],
    text: str,
    org_name: str | None,
    org_tags: Iterable[str] = (),
    requester_email: str | None = None,
    cs_tag: str = "cs_tagged",
    sla_stage: str | None = None,
) -> list[Flag]:
    """Every handbook warning that applies, most serious first."""
    tags = set(tags)
    org_tags = set(org_tags)
    flags: list[Flag] = []
    if CONTENT_WARNING in tags or CONTENT_WARNING in org_tags:
        flags.append(Flag(CONTENT_WARNING, "Content warning: press v to reveal the conversation", "danger"))
    if "legal" in tags or _LEGAL.search(text):
        flags.append(Flag("legal", "Legal request: do not answer, flag it to the team lead", "danger"))
    if "abusive" in tags or _ABUSE.search(text):
        flags.append(Flag("abusive", "Abusive message: do not answer, flag it", "danger"))
    if sla_stage == "breached":
        flags.append(Flag("sla", "SLA breached", "danger"))
    elif sla_stage:
        flags.append(Flag("sla", f"SLA breach in under {sla_stage}", "warning"))
    if cs_tag in tags:
        flags.append(Flag("cs_tagged", "Customer Success tagged the team: urgent", "warning"))
    domain = (requester_email or "").rpartition("@")[2].lower()
    if (org_name and _TEMP_ORG.search(org_name)) or (not org_name and domain in FREE_EMAIL_DOMAINS):
        flags.append(Flag("temp_org", "Requester is in a free-email temp org: assign their real org", "warning"))
    if "billing" in tags or _BILLING.search(text):
        flags.append(Flag("billing", "Billing question: route to the billing group", "info"))
    if "self_hosted" in tags or _SELF_HOSTED.search(text):
        flags.append(Flag("self_hosted", "Self-hosted deployment: point to the open-source support docs", "info"))
    if "sf-lead" in tags or _LEAD.search(text):
        flags.append(Flag("lead", 'Sales lead: use the "Create a lead" macro (sf-lead)', "info"))
    for number in incident_numbers(tags):
        flags.append(Flag("incident", f"Linked to incident INC-{number}", "warning"))
    return flags
