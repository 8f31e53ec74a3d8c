"""Macros, incidents and SDK issues as the screen shows them, modelled from the cached API
JSON. The models are imported on first use: the first paint needs none of them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from triage_tui.read.reads import Reads

if TYPE_CHECKING:
    from triage_tui.models.incidentio import Incident, IncidentUpdate
    from triage_tui.models.zendesk import Macro


def macros(reads: Reads) -> list[Macro]:
    from triage_tui.models.zendesk import Macro

    return [Macro.model_validate(m) for m in reads.raw_macros()]


def incidents(reads: Reads, now: dt.datetime) -> list[Incident]:
    """Live incidents, newest first, then recently resolved ones (to follow up); a record
    that no longer parses is left out."""
    from triage_tui.models.incidentio import Incident

    found: dict[str, Incident] = {}
    for raw in reads.raw_incidents():
        try:
            incident = Incident.model_validate(raw)
        except ValueError:
            continue
        found[incident.id] = incident
    return sorted(found.values(), key=lambda i: (not i.is_live, -(i.created_at or now).timestamp()))


def incident_updates(reads: Reads, incident_id: str) -> list[IncidentUpdate]:
    from triage_tui.models.incidentio import IncidentUpdate

    return [IncidentUpdate.model_validate(u) for u in reads.raw_incident_updates(incident_id)]


def issues(reads: Reads, repos: list[str]) -> list[dict]:
    found: list[dict] = []
    for repo in repos:
        found += reads.raw_issues(repo)
    return found
