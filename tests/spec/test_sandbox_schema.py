"""Every sandbox answer the product's clients use matches the published API descriptions
(../shared/api/: Zendesk's OpenAPI YAML, incident.io's OpenAPI JSON), and so do the real
recorded Zendesk answers: the schema the sandbox is held to is one reality passes (issue 16).

Nulls are tolerated only where the real API sends them (see `openapi.NULL_TOLERATED`).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.spec import openapi
from tests.spec.test_sandbox_strict import Clocks, call
from triage_sandbox.server import SandboxApp, SandboxSettings
from triage_sandbox.state import SandboxState

# (name, service, method, target, body, email). In order: writes come before the reads that
# show them (audits after an update, deleted tickets after a delete).
CALLS: list[tuple[str, str, str, str, Any, str]] = [
    ("users/me", "zendesk", "GET", "/api/v2/users/me.json", None, "agent@example.com"),
    ("groups cursor", "zendesk", "GET", "/api/v2/groups.json?page[size]=100", None, "agent@example.com"),
    ("groups offset", "zendesk", "GET", "/api/v2/groups", None, "agent@example.com"),
    ("organizations", "zendesk", "GET", "/api/v2/organizations.json?page[size]=100", None, "agent@example.com"),
    (
        "organizations/show_many",
        "zendesk",
        "GET",
        "/api/v2/organizations/show_many.json?ids=5000000001,5000000005",
        None,
        "agent@example.com",
    ),
    (
        "users/show_many",
        "zendesk",
        "GET",
        "/api/v2/users/show_many.json?ids=7000000001,7000000010,7000000011",
        None,
        "agent@example.com",
    ),
    ("macros active", "zendesk", "GET", "/api/v2/macros.json?page[size]=100&active=true", None, "agent@example.com"),
    ("macros offset", "zendesk", "GET", "/api/v2/macros.json", None, "agent@example.com"),
    ("macro", "zendesk", "GET", "/api/v2/macros/360300001.json", None, "agent@example.com"),
    ("views", "zendesk", "GET", "/api/v2/views.json", None, "agent@example.com"),
    ("ticket_fields", "zendesk", "GET", "/api/v2/ticket_fields.json", None, "agent@example.com"),
    (
        "view tickets cursor",
        "zendesk",
        "GET",
        "/api/v2/views/360100003/tickets.json?sort_by=updated&sort_order=desc&page[size]=100&include=users,groups,organizations,metric_sets,slas",
        None,
        "agent@example.com",
    ),
    (
        "view tickets offset",
        "zendesk",
        "GET",
        "/api/v2/views/360100004/tickets?sort_by=updated",
        None,
        "agent@example.com",
    ),
    ("view count", "zendesk", "GET", "/api/v2/views/360100003/count.json", None, "agent@example.com"),
    (
        "views count_many",
        "zendesk",
        "GET",
        "/api/v2/views/count_many.json?ids=360100001,360100003",
        None,
        "agent@example.com",
    ),
    (
        "tickets/show_many",
        "zendesk",
        "GET",
        "/api/v2/tickets/show_many.json?ids=41001,41002,41003,41004,41150&include=users,organizations,groups,metric_sets,slas",
        None,
        "agent@example.com",
    ),
    ("ticket", "zendesk", "GET", "/api/v2/tickets/41001.json?include=slas", None, "agent@example.com"),
    (
        "ticket update",
        "zendesk",
        "PUT",
        "/api/v2/tickets/41001.json",
        {
            "ticket": {
                "status": "pending",
                "additional_tags": ["waiting"],
                "comment": {"body": "Found: x. Needed: y.", "public": False},
            }
        },
        "agent@example.com",
    ),
    ("tags add", "zendesk", "PUT", "/api/v2/tickets/41002/tags.json", {"tags": ["escalated"]}, "agent@example.com"),
    ("tags remove", "zendesk", "DELETE", "/api/v2/tickets/41002/tags.json?tags=escalated", None, "agent@example.com"),
    ("tags list", "zendesk", "GET", "/api/v2/tickets/41002/tags.json", None, "agent@example.com"),
    (
        "update_many",
        "zendesk",
        "PUT",
        "/api/v2/tickets/update_many.json?ids=41002,41004",
        {"ticket": {"status": "open", "additional_tags": ["incident/231"]}},
        "agent@example.com",
    ),
    ("job_statuses", "zendesk", "GET", "/api/v2/job_statuses.json", None, "agent@example.com"),
    (
        "job_statuses show_many",
        "zendesk",
        "GET",
        "/api/v2/job_statuses/show_many.json?ids=V3-00000000000000000000000000000001",
        None,
        "agent@example.com",
    ),
    (
        "job_status",
        "zendesk",
        "GET",
        "/api/v2/job_statuses/V3-00000000000000000000000000000001.json",
        None,
        "agent@example.com",
    ),
    ("comments", "zendesk", "GET", "/api/v2/tickets/41001/comments.json?page[size]=100", None, "agent@example.com"),
    ("comments offset", "zendesk", "GET", "/api/v2/tickets/41150/comments", None, "agent@example.com"),
    ("audits", "zendesk", "GET", "/api/v2/tickets/41001/audits.json?page[size]=100", None, "agent@example.com"),
    ("macro apply", "zendesk", "GET", "/api/v2/tickets/41002/macros/360300001/apply.json", None, "agent@example.com"),
    (
        "macro create",
        "zendesk",
        "POST",
        "/api/v2/macros.json",
        {
            "macro": {
                "title": "Incident INC-231: EU delay",
                "active": True,
                "actions": [{"field": "comment_value", "value": "Hey"}],
            }
        },
        "agent@example.com",
    ),
    (
        "search export",
        "zendesk",
        "GET",
        "/api/v2/search/export.json?query=status<solved&filter[type]=ticket&page[size]=1000&include=tickets(users,organizations,groups)",
        None,
        "agent@example.com",
    ),
    (
        "search",
        "zendesk",
        "GET",
        "/api/v2/search.json?query=status<solved&include=tickets(users)",
        None,
        "agent@example.com",
    ),
    ("ticket delete", "zendesk", "DELETE", "/api/v2/tickets/41003.json", None, "agent@example.com"),
    ("deleted_tickets", "zendesk", "GET", "/api/v2/deleted_tickets.json", None, "agent@example.com"),
    (
        "incremental export (admin)",
        "zendesk",
        "GET",
        "/api/v2/incremental/tickets/cursor.json?start_time=0&include=users,groups,organizations,metric_sets",
        None,
        "admin@example.com",
    ),
    (
        "incidents",
        "incidentio",
        "GET",
        "/v2/incidents?status_category[one_of]=live&status_category[one_of]=triage&page_size=100",
        None,
        "",
    ),
    ("incident", "incidentio", "GET", "/v2/incidents/01INC231", None, ""),
    (
        "incident edit",
        "incidentio",
        "POST",
        "/v2/incidents/01INC231/actions/edit",
        {
            "incident": {
                "incident_role_assignments": [
                    {"incident_role_id": "01ROLEWATCH", "assignee": {"email": "agent@example.com"}}
                ]
            },
            "notify_incident_channel": True,
        },
        "",
    ),
    ("incident_roles", "incidentio", "GET", "/v2/incident_roles", None, ""),
    ("incident_updates", "incidentio", "GET", "/v2/incident_updates?incident_id=01INC231&page_size=100", None, ""),
    ("incident_statuses", "incidentio", "GET", "/v1/incident_statuses", None, ""),
    ("severities", "incidentio", "GET", "/v1/severities", None, ""),
    (
        "attachment create",
        "incidentio",
        "POST",
        "/v1/incident_attachments",
        {"incident_id": "01INC231", "resource": {"external_id": "41002", "resource_type": "zendesk_ticket"}},
        "",
    ),
    ("attachments", "incidentio", "GET", "/v1/incident_attachments?incident_id=01INC231", None, ""),
    ("identity", "incidentio", "GET", "/v1/identity", None, ""),
]
# Answers the descriptions give no JSON schema for (204 No Content).
NO_BODY = {"ticket delete"}

# Recorded real answers that fail because the description itself is wrong about them.
DESCRIPTION_WRONG = {
    ("PUT", "/api/v2/deleted_tickets/{ticket_id}/restore"): "the description says a string; the real answer is {}",
    ("GET", "/api/v2/job_statuses/{job_status_id}"): "the description's results shapes miss the real [{status, id}]",
}


@pytest.fixture(scope="module")
def answers(dataset) -> dict[str, tuple[str, str, str, Any, int]]:
    clocks = Clocks()
    app = SandboxApp(SandboxState(copy.deepcopy(dataset)), SandboxSettings(search_lag_seconds=0))
    app.base_url = "http://sandbox.test"
    app.clock = lambda: clocks.seconds
    app.now = lambda: clocks.moment
    found = {}
    for name, service, method, target, body, email in CALLS:
        clocks.advance(1)
        response = call(app, method, target, body, email=email, bearer=service == "incidentio")
        assert response.status < 300, f"{name}: {response.status} {response.body}"
        found[name] = (service, method, target.split("?")[0], response.body, response.status)
    return found


@pytest.mark.parametrize("name", [c[0] for c in CALLS])
def test_the_sandbox_answer_matches_the_published_description(answers, name):
    service, method, path, body, status = answers[name]
    spec = openapi.zendesk() if service == "zendesk" else openapi.incidentio()
    errors = spec.errors(method, path, status, body)
    if name in NO_BODY:
        assert errors is None and body is None
        return
    assert errors is not None, f"{name}: the description has no schema for {method} {path} {status}"
    assert errors == []


def test_every_recorded_real_answer_passes_the_same_validation():
    spec = openapi.zendesk()
    checked, wrong = 0, set()
    for file_name, exchange in openapi.recorded():
        request, response = exchange["request"], exchange["response"]
        if not isinstance(response["body"], dict):
            continue
        errors = spec.errors(request["method"], request["path"], response["status"], response["body"])
        if errors is None:
            continue
        known = (request["method"], spec.operation(request["path"]))
        if known in DESCRIPTION_WRONG:
            if errors:
                wrong.add(known)
            continue
        assert errors == [], f"{file_name} {request['method']} {request['path']}"
        checked += 1
    assert checked > 100
    assert wrong == set(DESCRIPTION_WRONG), "a description error is fixed: drop it from DESCRIPTION_WRONG"


def test_the_validation_catches_the_deviations_issue_16_found():
    incidents = openapi.incidentio()
    status = {
        "id": "01ST",
        "name": "Fixing",
        "description": "",
        "rank": 3,
        "category": "active",
        "created_at": "2026-11-18T10:00:00Z",
        "updated_at": "2026-11-18T10:00:00Z",
    }
    errors = incidents.errors("GET", "/v1/incident_statuses", 200, {"incident_statuses": [status]})
    assert errors is not None and any("active" in e for e in errors)
    assert (
        incidents.errors("GET", "/v1/incident_statuses", 200, {"incident_statuses": [{**status, "category": "live"}]})
        == []
    )
    zendesk = openapi.zendesk()
    assert zendesk.errors("GET", "/api/v2/tickets/1.json", 200, {"ticket": {"id": 1, "status": "archived"}})
    assert (
        zendesk.errors("GET", "/api/v2/tickets/1.json", 200, {"ticket": {"id": 1, "status": "deleted"}}) == []
    )  # README
    assert zendesk.errors("GET", "/api/v2/tickets/1.json", 200, {"ticket": {"id": 1, "tags": None}})
    assert (
        zendesk.errors("GET", "/api/v2/tickets/1.json", 200, {"ticket": {"id": 1, "forum_topic_id": None}}) == []
    )  # README
