"""The sandbox serves the endpoints of issue 26 part B as Zendesk and incident.io document them.

Evidence, named per test: the OpenAPI descriptions ../shared/api/zendesk/support-api.oas.yaml
("spec") and ../shared/api/incident-io/openapi3.json ("incident.io spec"), and
../shared/api/README.md ("README", the facts of 2026-12-07).
"""

from __future__ import annotations

from tests.spec.test_sandbox_strict import call, get

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


# -- Zendesk: ticket create, follow-ups, user update ------------------------------------------
def ticket_of(app_state, status: str) -> dict:
    return next(t for t in app_state.tickets.values() if t["status"] == status)


def test_a_follow_up_of_a_closed_ticket_is_created_with_its_via_source(make):
    # spec: CreateTicket answers 201 (Location header); TicketObject.via_followup_source_id
    # "The id of a closed ticket when creating a follow-up ticket"; README: "`POST
    # /api/v2/tickets` (agents) ... `via_followup_source_id` makes a follow-up of a closed ticket".
    app = make()
    closed = ticket_of(app.state, "closed")
    body = {
        "ticket": {
            "via_followup_source_id": closed["id"],
            "requester_id": closed["requester_id"],
            "subject": "Follow-up",
            "comment": {"body": "Hey, a follow-up", "public": True},
            "external_id": "mark-1",
        }
    }
    answer = call(app, "POST", "/api/v2/tickets.json", body)
    assert answer.status == 201 and answer.headers["Location"].endswith(f"/tickets/{answer.body['ticket']['id']}.json")
    made = answer.body["ticket"]
    assert made["via"]["source"] == {"from": {"ticket_id": closed["id"]}, "to": {}, "rel": "follow_up"}
    assert made["external_id"] == "mark-1" and made["requester_id"] == closed["requester_id"]
    # The requester's tickets (agents; read as they are now) list it at once.
    mine = get(app, f"/api/v2/users/{closed['requester_id']}/tickets/requested.json").body["tickets"]
    assert any(t["external_id"] == "mark-1" for t in mine)


def test_via_followup_source_id_has_no_effect_on_a_ticket_that_is_not_closed_and_a_comment_is_needed(make):
    # The Requests reference (spec, CreateRequest): "The parameter only works with closed
    # tickets. It has no effect with other tickets."
    app = make()
    solved = ticket_of(app.state, "solved")
    body = {"ticket": {"via_followup_source_id": solved["id"], "requester_id": solved["requester_id"]}}
    assert call(app, "POST", "/api/v2/tickets.json", body).status == 422  # no comment: no description
    body["ticket"]["comment"] = {"body": "text"}
    made = call(app, "POST", "/api/v2/tickets.json", body).body["ticket"]
    assert made["via"]["source"]["rel"] is None


def test_an_agent_moves_an_end_user_to_an_organization_but_may_not_update_an_agent(make):
    # spec: UpdateUser (UserUpdateRequest {user: {organization_id}}) answers {user}; Zendesk's
    # reference: agents may update end users only (403 on another agent).
    app = make()
    end_user = next(u for u in app.state.users.values() if u.get("role") == "end-user")
    org = next(iter(app.state.organizations))
    answer = call(app, "PUT", f"/api/v2/users/{end_user['id']}.json", {"user": {"organization_id": org}})
    assert answer.status == 200 and answer.body["user"]["organization_id"] == org
    assert call(app, "PUT", f"/api/v2/users/{end_user['id']}.json", {"user": {"organization_id": 1}}).status == 422
    colleague = next(
        u for u in app.state.users.values() if u.get("role") == "agent" and u["email"] != "agent@example.com"
    )
    assert call(app, "PUT", f"/api/v2/users/{colleague['id']}.json", {"user": {"organization_id": org}}).status == 403


def test_followers_on_an_update_add_an_agent_and_leave_out_an_end_user(make):
    # spec: TicketObject.followers "An array of objects that represent agent followers to add
    # or delete from the ticket" (FollowerObject {user_id, user_email, action: put | delete}).
    app = make()
    agent = next(u for u in app.state.users.values() if u["email"] == "cass@example.com")
    customer = next(u for u in app.state.users.values() if u.get("role") == "end-user")
    body = {
        "ticket": {
            "followers": [
                {"user_email": "cass@example.com", "action": "put"},
                {"user_id": customer["id"], "action": "put"},
            ]
        }
    }
    answer = call(app, "PUT", f"/api/v2/tickets/{TICKET}.json", body)
    assert answer.status == 200 and answer.body["ticket"]["follower_ids"] == [agent["id"]]
    body = {"ticket": {"followers": [{"user_id": agent["id"], "action": "delete"}]}}
    assert call(app, "PUT", f"/api/v2/tickets/{TICKET}.json", body).body["ticket"]["follower_ids"] == []
