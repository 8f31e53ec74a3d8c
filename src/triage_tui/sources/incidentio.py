"""incident.io API client: live incidents, updates, roles, attachments, role assignment."""

from __future__ import annotations

from typing import Any

from triage_tui.models.base import SkippedRecord, parse_many
from triage_tui.models.incidentio import (
    LIVE_CATEGORIES,
    Incident,
    IncidentAttachment,
    IncidentRole,
    IncidentStatus,
    IncidentUpdate,
    Severity,
)
from triage_tui.sources.errors import BadResponse
from triage_tui.sources.http import ServiceClient, decode_json


class IncidentioClient:
    def __init__(self, base_url: str, token: str, **options: Any) -> None:
        self.http = ServiceClient("incidentio", base_url, {"Authorization": f"Bearer {token}"}, **options)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _paged(self, path: str, key: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        query = {"page_size": 100, **params}
        while True:
            body = await self.http.get_json(path, query)
            if not isinstance(body, dict) or not isinstance(body.get(key), list):
                raise BadResponse("incidentio", f"{path}: expected a {key!r} list")
            items.extend(body[key])
            after = (body.get("pagination_meta") or {}).get("after")
            if not after:
                return items
            query = {**query, "after": after}

    async def live_incidents(self) -> tuple[list[Incident], list[SkippedRecord]]:
        # Triage is a category of its own, and where support first hears of an incident: ask
        # for both. Several values repeat the key (`status_category[one_of]=live&...=triage`).
        raw = await self._paged("/v2/incidents", "incidents", {"status_category[one_of]": list(LIVE_CATEGORIES)})
        return parse_many(Incident, raw)

    async def incident(self, incident_id: str) -> Incident:
        body = await self.http.get_json(f"/v2/incidents/{incident_id}")
        return Incident.model_validate(body["incident"])

    async def updates(self, incident_id: str) -> tuple[list[IncidentUpdate], list[SkippedRecord]]:
        raw = await self._paged("/v2/incident_updates", "incident_updates", {"incident_id": incident_id})
        return parse_many(IncidentUpdate, raw)

    async def roles(self) -> tuple[list[IncidentRole], list[SkippedRecord]]:
        return parse_many(IncidentRole, (await self.http.get_json("/v2/incident_roles")).get("incident_roles") or [])

    async def severities(self) -> tuple[list[Severity], list[SkippedRecord]]:
        return parse_many(Severity, (await self.http.get_json("/v1/severities")).get("severities") or [])

    async def statuses(self) -> tuple[list[IncidentStatus], list[SkippedRecord]]:
        return parse_many(
            IncidentStatus, (await self.http.get_json("/v1/incident_statuses")).get("incident_statuses") or []
        )

    async def attachments(self, incident_id: str) -> tuple[list[IncidentAttachment], list[SkippedRecord]]:
        body = await self.http.get_json("/v1/incident_attachments", {"incident_id": incident_id})
        return parse_many(IncidentAttachment, body.get("incident_attachments") or [])

    async def attach_ticket(self, incident_id: str, ticket_id: int) -> IncidentAttachment:
        payload = {
            "incident_id": incident_id,
            "resource": {"external_id": str(ticket_id), "resource_type": "zendesk_ticket"},
        }
        response = await self.http.request("POST", "/v1/incident_attachments", json_body=payload)
        return IncidentAttachment.model_validate(decode_json("incidentio", response)["incident_attachment"])

    async def assign_role(self, incident_id: str, role_id: str, email: str) -> Incident:
        payload = {
            "incident": {"incident_role_assignments": [{"incident_role_id": role_id, "assignee": {"email": email}}]},
            "notify_incident_channel": True,
        }
        response = await self.http.request("POST", f"/v2/incidents/{incident_id}/actions/edit", json_body=payload)
        return Incident.model_validate(decode_json("incidentio", response)["incident"])

    # -- issue 26, part B ------------------------------------------------------------------
    async def create_incident(self, incident: dict[str, Any]) -> Incident:
        """`POST /v2/incidents`. The body's idempotency_key makes a resend (after a lost
        answer or a crash) return the incident the first send made, not a second one."""
        response = await self.http.request("POST", "/v2/incidents", json_body=incident)
        return Incident.model_validate(decode_json("incidentio", response)["incident"])
