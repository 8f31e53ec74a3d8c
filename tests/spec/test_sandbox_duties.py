"""The sandbox serves the endpoints of issue 26 part B as Zendesk and incident.io document them.

Evidence, named per test: the OpenAPI descriptions ../shared/api/zendesk/support-api.oas.yaml
("spec") and ../shared/api/incident-io/openapi3.json ("incident.io spec"), and
../shared/api/README.md ("README", the facts of 2026-12-07).
"""

from __future__ import annotations

from tests.spec import test_sandbox_strict
from tests.spec.test_sandbox_strict import call, get

clocks = test_sandbox_strict.clocks
make = test_sandbox_strict.make

TICKET = 41002
SEVERITY = 360200002  # the seeded account's "Severity" drop-down


def test_custom_fields_on_an_update_set_the_value_and_leave_an_audit_change(make):
    # spec: TicketObject.custom_fields "Custom field values to set on the ticket. Each entry
    # specifies a field ID and its value" (TicketFieldValueInput {id, value}).
    app = make()
    body = {"ticket": {"custom_fields": [{"id": SEVERITY, "value": "sev_2"}, {"id": 1, "value": "x"}]}}
    answer = call(app, "PUT", f"/api/v2/tickets/{TICKET}.json", body)
    assert answer.status == 200
    assert {"id": SEVERITY, "value": "sev_2"} in answer.body["ticket"]["custom_fields"]
    assert not any(f["id"] == 1 for f in answer.body["ticket"]["custom_fields"])  # not a field of the account
    change = [e for e in answer.body["audit"]["events"] if e.get("field_name") == str(SEVERITY)]
    assert change and change[0]["value"] == "sev_2"
    shown = get(app, f"/api/v2/tickets/{TICKET}.json").body["ticket"]["custom_fields"]
    assert {"id": SEVERITY, "value": "sev_2"} in shown


# -- incident.io: create ----------------------------------------------------------------------
def incident_body(**extra) -> dict:
    return {"idempotency_key": "k-1", "visibility": "public", "name": "Exports failing", **extra}


def test_incident_create_needs_idempotency_key_and_visibility(make):
    # incident.io spec: IncidentCreatePayloadV2 "required": ["idempotency_key", "visibility"].
    app = make()
    assert call(app, "POST", "/v2/incidents", {"visibility": "public"}, bearer=True).status == 422
    assert call(app, "POST", "/v2/incidents", {"idempotency_key": "k"}, bearer=True).status == 422
    assert call(app, "POST", "/v2/incidents", incident_body(severity_id="nope"), bearer=True).status == 422


def test_the_same_idempotency_key_returns_the_same_incident(make):
    # incident.io spec: idempotency_key "Unique string used to de-duplicate incident create
    # requests"; the answer is 200 with {"incident": ...} (ShowResponseBody).
    app = make()
    first = call(app, "POST", "/v2/incidents", incident_body(severity_id="01SEVMAJOR"), bearer=True)
    again = call(app, "POST", "/v2/incidents", incident_body(name="typed twice"), bearer=True)
    assert first.status == again.status == 200
    assert first.body["incident"]["id"] == again.body["incident"]["id"]
    assert again.body["incident"]["name"] == "Exports failing"
    assert first.body["incident"]["severity"]["id"] == "01SEVMAJOR"
    listed = get(app, "/v2/incidents?status_category[one_of]=live", bearer=True).body["incidents"]
    assert [i["name"] for i in listed].count("Exports failing") == 1
    other = call(app, "POST", "/v2/incidents", incident_body(idempotency_key="k-2"), bearer=True)
    assert other.body["incident"]["id"] != first.body["incident"]["id"]
