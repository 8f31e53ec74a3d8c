"""The subset of incident.io's API triage-tui uses (v1 and v2 paths)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from triage_sandbox.data import iso
from triage_sandbox.http import Request, Response, Router
from triage_sandbox.pages import incident_url
from triage_sandbox.state import SandboxState

# The status categories of incident.io's API (`live` is shown as "Active" in the web app).
CATEGORIES = ("triage", "declined", "merged", "canceled", "live", "learning", "closed", "paused")


def error(status: int, code: str, message: str) -> Response:
    return Response(
        status,
        {"type": code, "status": status, "request_id": "sandbox", "errors": [{"code": code, "message": message}]},
    )


def _page(items: list[dict], request: Request, key: str) -> dict[str, Any]:
    size = max(1, min(250, int(request.query.get("page_size", "25") or 25)))
    after = request.query.get("after")
    start = 0
    if after:
        ids = [item["id"] for item in items]
        start = ids.index(after) + 1 if after in ids else len(items)
    page = items[start : start + size]
    more = start + size < len(items)
    meta: dict[str, Any] = {"page_size": size, "total_record_count": len(items)}
    if more and page:  # `after` is a string when there is more, and absent on the last page
        meta["after"] = page[-1]["id"]
    return {key: page, "pagination_meta": meta}


def person(who: dict) -> dict[str, Any]:
    """An assignee as incident.io answers it, from the email (or id) it was given."""
    email = who.get("email")
    return {
        "id": who.get("id") or "01USER" + hashlib.sha1(str(email).encode()).hexdigest()[:10],
        "name": who.get("name") or (email or "").split("@")[0].title(),
        "email": email,
        "role": "responder",
        "organisation_id": "01ORG",
    }


def build(state: SandboxState, now: Callable[[], dt.datetime], links_url: Callable[[], str] = lambda: "") -> Router:
    router = Router()

    def shown(incident: dict) -> dict:
        """As incident.io's permalink opens its web page, the sandbox's opens the sandbox's."""
        if not links_url():
            return incident
        return {**incident, "permalink": incident_url(links_url(), incident["reference"])}

    @router.route("GET", "/v2/incidents")
    def incidents(request: Request) -> Response:
        # Several values repeat the key (`status_category[one_of]=live&status_category[one_of]=triage`);
        # each names one category of the published enum (CATEGORIES), matched exactly: triage is
        # not live, and the app's word "active" matches nothing.
        wanted = request.values("status_category[one_of]")
        excluded = request.values("status_category[not_in]")
        with state.lock:
            items = sorted(state.incidents.values(), key=lambda i: i["created_at"], reverse=True)
        if wanted:
            items = [i for i in items if i["incident_status"]["category"] in wanted]
        if excluded:
            items = [i for i in items if i["incident_status"]["category"] not in excluded]
        page = _page(items, request, "incidents")
        return Response(200, {**page, "incidents": [shown(i) for i in page["incidents"]]})

    @router.route("GET", r"/v2/incidents/(?P<id>[\w-]+)")
    def incident(request: Request) -> Response:
        with state.lock:
            found = state.incidents.get(request.params["id"]) or next(
                (i for i in state.incidents.values() if i["reference"] == request.params["id"]), None
            )
        return Response(200, {"incident": shown(found)}) if found else error(404, "not_found", "Incident not found")

    @router.route("POST", r"/v2/incidents/(?P<id>[\w-]+)/actions/edit")
    def edit(request: Request) -> Response:
        body = request.body if isinstance(request.body, dict) else {}
        if "notify_incident_channel" not in body or not isinstance(body.get("incident"), dict):
            return error(422, "validation_error", "incident and notify_incident_channel are required")
        with state.lock:
            found = state.incidents.get(request.params["id"])
            if found is None:
                return error(404, "not_found", "Incident not found")
            roles = {role["id"]: role for role in state.incident_roles}
            for assignment in body["incident"].get("incident_role_assignments", []):
                role = roles.get(assignment.get("incident_role_id"))
                if role is None:
                    return error(422, "validation_error", "unknown incident_role_id")
                who = assignment.get("assignee") or {}
                assignment_out: dict[str, Any] = {"role": role}
                if who:
                    assignment_out["assignee"] = person(who)
                current = [a for a in found["incident_role_assignments"] if a["role"]["id"] != role["id"]]
                current.append(assignment_out)
                found["incident_role_assignments"] = current
            for field in ("name", "summary"):
                if field in body["incident"]:
                    found[field] = body["incident"][field]
            found["updated_at"] = iso(now())
            state.writes.append({"api": "incidentio", "method": "POST", "path": request.path, "body": body})
            return Response(200, {"incident": shown(found)})

    # -- incident create (issue 26, part B) ---------------------------------------------
    # incident.io spec: "Incidents V2#Create", body IncidentCreatePayloadV2 (required:
    # idempotency_key, visibility; "Unique string used to de-duplicate incident create
    # requests"), answer 200 {"incident": IncidentV2}.
    @router.route("POST", "/v2/incidents")
    def create(request: Request) -> Response:
        body = request.body if isinstance(request.body, dict) else {}
        key = body.get("idempotency_key")
        if not isinstance(key, str) or not key:
            return error(422, "validation_error", "idempotency_key is required")
        if body.get("visibility") not in ("public", "private"):
            return error(422, "validation_error", "visibility must be one of public, private")
        if body.get("mode", "standard") not in ("standard", "retrospective", "test", "tutorial"):
            return error(422, "validation_error", "mode is not valid")
        with state.lock:
            same = next((i for i in state.incidents.values() if i.get("idempotency_key") == key), None)
            if same is not None:
                return Response(200, {"incident": shown(same)})  # the same key: the same incident, not another
            severities = {s["id"]: s for s in state.severities}
            if "severity_id" in body and body["severity_id"] not in severities:
                return error(422, "validation_error", "severity_id does not match a severity")
            statuses = {s["id"]: s for s in state.incident_statuses}
            status_id = body.get("incident_status_id")
            if status_id is not None and status_id not in statuses:
                return error(422, "validation_error", "incident_status_id does not match a status")
            # Without a status an incident starts in the first live status (Investigating).
            status = (
                statuses[status_id]
                if status_id
                else next(
                    s for s in sorted(state.incident_statuses, key=lambda s: s["rank"]) if s["category"] == "live"
                )
            )
            roles = {role["id"]: role for role in state.incident_roles}
            assignments = []
            for assignment in body.get("incident_role_assignments") or []:
                role = roles.get(assignment.get("incident_role_id"))
                if role is None:
                    return error(422, "validation_error", "unknown incident_role_id")
                assignments.append({"role": role, "assignee": person(assignment.get("assignee") or {})})
            number = 1 + max((int(i["reference"].rsplit("-", 1)[-1]) for i in state.incidents.values()), default=0)
            stamp = iso(now())
            incident = {
                "id": f"01INC{number}",
                "reference": f"INC-{number}",
                "name": str(body.get("name") or f"Incident {number}"),
                "summary": body.get("summary"),
                "permalink": f"https://app.incident.io/posthog/incidents/{number}",
                "incident_status": status,
                "severity": severities.get(body.get("severity_id")),
                "incident_role_assignments": assignments,
                "created_at": stamp,
                "updated_at": stamp,
                "reported_at": stamp,
                "mode": body.get("mode", "standard"),
                "visibility": body["visibility"],
                "slack_channel_name": f"inc-{number}",
                "external_id": None,
                "idempotency_key": key,
                "did_opt_out_of_post_incident_flow": False,
                "organisation_id": "01ORG",
                "creator": {"api_key": {"id": "01KEY", "name": "triage-tui"}},
                "last_activity_at": stamp,
                "custom_field_entries": [],
                "slack_team_id": "T01",
                "slack_channel_id": f"C0{number}",
                "postmortem_status": "not_started",
            }
            state.incidents[incident["id"]] = incident
            state.writes.append({"api": "incidentio", "method": "POST", "path": request.path, "body": body})
            return Response(200, {"incident": shown(incident)})

    @router.route("GET", "/v2/incident_roles")
    def roles(request: Request) -> Response:
        return Response(200, {"incident_roles": state.incident_roles})

    @router.route("GET", "/v2/incident_updates")
    def updates(request: Request) -> Response:
        incident_id = request.query.get("incident_id")
        with state.lock:
            items = [u for u in state.incident_updates if not incident_id or u["incident_id"] == incident_id]
        items.sort(key=lambda u: u["created_at"], reverse=True)
        return Response(200, _page(items, request, "incident_updates"))

    @router.route("GET", "/v1/severities")
    def severities(request: Request) -> Response:
        return Response(200, {"severities": state.severities})

    @router.route("GET", "/v1/incident_statuses")
    def statuses(request: Request) -> Response:
        return Response(200, {"incident_statuses": state.incident_statuses})

    @router.route("GET", "/v1/identity")
    def identity(request: Request) -> Response:
        return Response(
            200,
            {
                "identity": {
                    "name": "triage-tui sandbox key",
                    "roles": ["viewer", "incident_editor"],
                    "dashboard_url": "https://app.incident.io/posthog",
                }
            },
        )

    @router.route("GET", "/v1/incident_attachments")
    def attachments(request: Request) -> Response:
        incident_id = request.query.get("incident_id")
        with state.lock:
            items = [a for a in state.incident_attachments if not incident_id or a["incident_id"] == incident_id]
        return Response(200, {"incident_attachments": items})

    @router.route("POST", "/v1/incident_attachments")
    def attach(request: Request) -> Response:
        body = request.body if isinstance(request.body, dict) else {}
        resource = body.get("resource") if isinstance(body.get("resource"), dict) else None
        if (
            not body.get("incident_id")
            or not resource
            or not resource.get("external_id")
            or not resource.get("resource_type")
        ):
            return error(422, "validation_error", "incident_id and resource are required")
        with state.lock:
            if body["incident_id"] not in state.incidents:
                return error(404, "not_found", "Incident not found")
            for existing in state.incident_attachments:
                if existing["incident_id"] == body["incident_id"] and existing["resource"]["external_id"] == str(
                    resource["external_id"]
                ):
                    return error(422, "validation_error", "this resource is already attached")
            stamp = iso(now())
            attachment = {
                "id": f"01ATT{state.new_id()}",
                "incident_id": body["incident_id"],
                "resource": {
                    "id": f"01RES{state.new_id()}",
                    "external_id": str(resource["external_id"]),
                    "resource_type": resource["resource_type"],
                    "resource_type_label": "Zendesk ticket",
                    "permalink": f"{links_url() or 'https://example.zendesk.com'}/agent/tickets/{resource['external_id']}",
                    "title": f"Ticket {resource['external_id']}",
                    "created_at": stamp,
                    "updated_at": stamp,
                },
                "creator": {"api_key": {"id": "01KEY", "name": "triage-tui"}},
                "created_at": stamp,
                "organisation_id": "01ORG",
            }
            state.incident_attachments.append(attachment)
            state.writes.append({"api": "incidentio", "method": "POST", "path": request.path, "body": body})
            return Response(201, {"incident_attachment": attachment})

    return router
