"""incident.io objects: incidents, severities, statuses, roles, updates, attachments."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from triage_tui.models.base import ApiModel, NullAsEmptyList

# The categories support treats as a live incident. Triage counts: an incident in triage is
# where support hears of it first. ("active" is also read as live in `is_live`: caches written
# against older sandboxes hold it, though the real API never sends it.)
LIVE_CATEGORIES = ("live", "triage")


class IncidentUser(ApiModel):
    id: str
    name: str | None = None
    email: str | None = None
    slack_user_id: str | None = None


class Actor(ApiModel):
    user: IncidentUser | None = None


class Severity(ApiModel):
    id: str
    name: str
    rank: int = 0
    description: str | None = None


class IncidentStatus(ApiModel):
    id: str
    name: str
    # triage, declined, merged, canceled, live, learning, closed, paused (the app shows
    # `live` as "Active"; the API says `live`).
    category: str = "live"
    rank: int = 0


class IncidentRole(ApiModel):
    id: str
    name: str
    role_type: str | None = None
    shortform: str | None = None
    description: str | None = None


class RoleAssignment(ApiModel):
    role: IncidentRole
    assignee: IncidentUser | None = None


class Incident(ApiModel):
    id: str
    reference: str
    name: str
    summary: str | None = None
    permalink: str | None = None
    incident_status: IncidentStatus
    severity: Severity | None = None
    incident_role_assignments: NullAsEmptyList[RoleAssignment] = Field(default_factory=list)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    mode: str | None = None
    visibility: str | None = None
    slack_channel_name: str | None = None

    @property
    def number(self) -> str:
        """INC-123 -> "123": the suffix of the `incident/<number>` ticket tag."""
        return self.reference.rsplit("-", 1)[-1]

    @property
    def is_live(self) -> bool:
        return self.incident_status.category in LIVE_CATEGORIES or self.incident_status.category == "active"

    def assignee_of(self, role_name: str) -> IncidentUser | None:
        for assignment in self.incident_role_assignments:
            if assignment.role.name.lower() == role_name.lower() and assignment.assignee:
                return assignment.assignee
        return None

    def lead(self) -> IncidentUser | None:
        for assignment in self.incident_role_assignments:
            if assignment.role.role_type == "lead" and assignment.assignee:
                return assignment.assignee
        return None


class IncidentUpdate(ApiModel):
    id: str
    incident_id: str
    message: str | None = None
    new_incident_status: IncidentStatus | None = None
    new_severity: Severity | None = None
    updater: Actor | None = None
    created_at: dt.datetime | None = None


class ExternalResource(ApiModel):
    external_id: str
    resource_type: str
    permalink: str | None = None
    title: str | None = None


class IncidentAttachment(ApiModel):
    id: str
    incident_id: str
    resource: ExternalResource
    created_at: dt.datetime | None = None
