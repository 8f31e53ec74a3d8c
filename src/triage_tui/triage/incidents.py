"""Linking tickets to incidents, the incident macro, and the "raise an incident" hint."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

INCIDENT_TAG_PREFIX = "incident/"
TEMPLATE_TITLE = "Incident information"
_REFERENCE = re.compile(r"^[A-Za-z]+-(\d+)$")


def incident_tag(reference: str) -> str:
    """INC-123 -> "incident/123"."""
    match = _REFERENCE.match(reference.strip())
    number = match.group(1) if match else reference.strip()
    return f"{INCIDENT_TAG_PREFIX}{number}"


def incident_numbers(tags: Iterable[str]) -> list[str]:
    return [tag.removeprefix(INCIDENT_TAG_PREFIX) for tag in tags if tag.startswith(INCIDENT_TAG_PREFIX)]


@dataclass(frozen=True)
class Impact:
    broken: str = ""
    works: str = ""
    degraded: str = ""


def incident_macro_text(reference: str, name: str, impact: Impact, status_page_url: str) -> str:
    """The customer-facing reply: what is broken, what works, where to follow along."""
    lines = [
        "Hey {{ticket.requester.first_name | default: 'there'}},",
        "",
        "Thanks for reaching out. We're currently dealing with an incident that is "
        "affecting this: " + name.strip() + ".",
        "",
    ]
    if impact.broken:
        lines.append(f"What is affected: {impact.broken.strip()}")
    if impact.degraded:
        lines.append(f"What is degraded: {impact.degraded.strip()}")
    if impact.works:
        lines.append(f"What still works: {impact.works.strip()}")
    lines += [
        "",
        f"You can follow progress on our status page: {status_page_url}",
        "We'll update this ticket as soon as it is resolved.",
        "",
        "{{current_user.first_name}}",
    ]
    return "\n".join(lines)


def incident_macro(
    template_actions: Sequence[dict],
    reference: str,
    name: str,
    impact: Impact,
    status_page_url: str,
) -> dict:
    """A new macro cloned from "Incident information", carrying the `incident/<n>` tag.

    The template's non-comment actions (status, group, ...) are kept; its comment is replaced
    by this incident's text and the tag is appended to any tags it already adds.
    """
    tag = incident_tag(reference)
    actions: list[dict] = []
    tags_done = False
    for action in template_actions:
        field = action.get("field")
        if field in ("comment_value", "comment_value_html"):
            continue
        if field == "current_tags":
            existing = str(action.get("value") or "").split()
            actions.append({"field": "current_tags", "value": " ".join(dict.fromkeys(existing + [tag]))})
            tags_done = True
            continue
        actions.append(dict(action))
    actions.insert(
        0, {"field": "comment_value", "value": incident_macro_text(reference, name, impact, status_page_url)}
    )
    if not tags_done:
        actions.append({"field": "current_tags", "value": tag})
    return {"macro": {"title": f"Incident {reference}: {name.strip()}", "active": True, "actions": actions}}


def is_incident_macro(title: str, reference: str) -> bool:
    return title.startswith(f"Incident {reference}:")


# incident.io status categories: only these mean the impact is over and customers may be
# told it is resolved. Live, triage, paused, declined, merged, canceled: never.
RESOLVED_CATEGORIES = frozenset({"closed", "learning", "post-incident"})

_STAGE_WORDING = {
    "triage": "We're looking into reports of a problem and will confirm what is affected shortly.",
    "investigating": "Our team is investigating the cause right now.",
    "identified": "We have identified the cause and are working on a fix.",
    "fixing": "We have identified the cause and a fix is in progress.",
    "monitoring": "A fix has been deployed and we are monitoring to make sure it holds.",
    "paused": "Work on this is paused for now; we'll update you as soon as it resumes.",
}


_RESOLVED_WORDS = re.compile(r"\b(?:resolved|has been fixed|all clear)\b", re.IGNORECASE)


def is_resolved(category: str) -> bool:
    return category in RESOLVED_CATEGORIES


def says_resolved(text: str) -> bool:
    """The text tells the customer the incident is over (not for an incident still live)."""
    return _RESOLVED_WORDS.search(text) is not None


def update_text(reference: str, name: str, status_name: str, category: str, status_page_url: str) -> str:
    """A progress update for an incident that is not resolved: its real stage, never
    "resolved"."""
    stage = _STAGE_WORDING.get(status_name.strip().lower()) or _STAGE_WORDING.get(
        category.strip().lower(), "Our team is still working on it."
    )
    return "\n".join(
        [
            "Hey {{ticket.requester.first_name | default: 'there'}},",
            "",
            f"A quick update on the incident affecting {name.strip()}: it is not fixed yet. {stage}",
            f"You can follow progress on our status page: {status_page_url}",
            "We'll update this ticket again as soon as it is fixed.",
            "",
            "{{current_user.first_name}}",
        ]
    )


def follow_up_text(reference: str, name: str, status_page_url: str) -> str:
    return "\n".join(
        [
            "Hey {{ticket.requester.first_name | default: 'there'}},",
            "",
            (
                f"Good news: the incident affecting {name.strip()} has been resolved. "
                "Everything should be working as expected again."
            ),
            f"The full write-up is on our status page: {status_page_url}",
            "",
            "If you still see a problem, just reply here and we'll take a look.",
            "",
            "{{current_user.first_name}}",
        ]
    )
