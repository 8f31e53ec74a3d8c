"""The sandbox speaks the real API shapes: pagination, cursors, 409, 304, 401, 429."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import time

import httpx
import pytest

from triage_sandbox.faults import FaultPlan, FaultSpecError, parse_faults
from triage_sandbox.server import Sandbox, SandboxSettings
from triage_tui.models.base import parse_many
from triage_tui.models.github import Issue
from triage_tui.models.incidentio import Incident, IncidentUpdate
from triage_tui.models.zendesk import Comment, Group, Macro, Organization, Ticket, User

AUTH = httpx.BasicAuth("agent@example.com/token", "sandbox")
ADMIN = httpx.BasicAuth("admin@example.com/token", "sandbox")
BEARER = {"Authorization": "Bearer sandbox"}
ALL_UNSOLVED = "/api/v2/views/360100003/tickets.json"


def zd(sandbox, auth: httpx.BasicAuth = AUTH) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, auth=auth)


def test_tickets_cursor_pagination_walks_every_ticket_once(sandbox):
    # The account-wide tickets list is for admins only (see tests/spec/test_sandbox_strict.py).
    client = zd(sandbox, ADMIN)
    seen, params, pages = [], {"page[size]": 100}, 0
    while True:
        body = client.get("/api/v2/tickets.json", params=params).json()
        pages += 1
        seen += [t["id"] for t in body["tickets"]]
        assert set(body["meta"]) >= {"has_more", "after_cursor"}
        if not body["meta"]["has_more"]:
            assert body["links"]["next"] is None
            break
        assert "page%5Bafter%5D" in body["links"]["next"]
        params = {"page[size]": 100, "page[after]": body["meta"]["after_cursor"]}
    assert pages == 3 and len(seen) == len(set(seen)) == 300


def test_models_parse_everything_the_sandbox_serves(sandbox):
    client = zd(sandbox)
    tickets, bad = parse_many(Ticket, client.get(ALL_UNSOLVED).json()["tickets"])
    assert not bad and tickets
    assert not parse_many(User, client.get("/api/v2/users.json").json()["users"])[1]
    assert not parse_many(Organization, client.get("/api/v2/organizations.json").json()["organizations"])[1]
    assert not parse_many(Group, client.get("/api/v2/groups.json").json()["groups"])[1]
    macros, bad = parse_many(Macro, client.get("/api/v2/macros.json").json()["macros"])
    assert not bad and any(m.title == "Incident information" for m in macros)
    comments = client.get(f"/api/v2/tickets/{tickets[0].id}/comments.json").json()["comments"]
    assert not parse_many(Comment, comments)[1]
    incidents = httpx.get(sandbox.url + "/v2/incidents", headers=BEARER).json()["incidents"]
    assert not parse_many(Incident, incidents)[1]
    updates = httpx.get(sandbox.url + "/v2/incident_updates", headers=BEARER).json()["incident_updates"]
    assert not parse_many(IncidentUpdate, updates)[1]
    issues = httpx.get(sandbox.url + "/repos/PostHog/posthog-ios/issues", headers=BEARER).json()
    assert not parse_many(Issue, issues)[1]


def test_users_me_answers_the_agent_whose_email_came_with_the_token(sandbox):
    other = httpx.get(sandbox.url + "/api/v2/users/me.json", auth=httpx.BasicAuth("rosa@example.com/token", "sandbox"))
    assert other.json()["user"]["email"] == "rosa@example.com"
    assert zd(sandbox).get("/api/v2/users/me.json").json()["user"]["email"] == "agent@example.com"


def test_bad_token_gets_401_on_every_api(sandbox):
    bad = httpx.BasicAuth("agent@example.com/token", "wrong")
    response = httpx.get(sandbox.url + "/api/v2/groups.json", auth=bad)
    assert response.status_code == 401 and response.json() == {"error": "Couldn't authenticate you"}
    assert httpx.get(sandbox.url + "/v2/incidents", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert (
        httpx.get(
            sandbox.url + "/repos/PostHog/posthog-js/issues", headers={"Authorization": "token wrong"}
        ).status_code
        == 401
    )


def test_incremental_cursor_returns_only_changes_after_the_cursor(sandbox):
    # An admin's export; it leaves out the last minute's changes, so the clock moves on.
    client = zd(sandbox, ADMIN)
    start = int(time.time()) - 10 * 365 * 86400
    first = client.get(
        "/api/v2/incremental/tickets/cursor.json", params={"start_time": start, "include": "users,metric_sets"}
    ).json()
    assert first["end_of_stream"] and len(first["tickets"]) == 300
    assert first["users"] and first["metric_sets"]
    cursor = first["after_cursor"]
    empty = client.get("/api/v2/incremental/tickets/cursor.json", params={"cursor": cursor}).json()
    assert empty["tickets"] == [] and empty["end_of_stream"]
    ticket = first["tickets"][0]
    client.put(f"/api/v2/tickets/{ticket['id']}.json", json={"ticket": {"status": "open"}})
    held = client.get("/api/v2/incremental/tickets/cursor.json", params={"cursor": empty["after_cursor"]}).json()
    assert held["tickets"] == [] and held["end_of_stream"]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=90)
    sandbox.app.now = lambda: later
    changed = client.get("/api/v2/incremental/tickets/cursor.json", params={"cursor": held["after_cursor"]}).json()
    assert [t["id"] for t in changed["tickets"]] == [ticket["id"]]


def test_incremental_start_time_must_be_a_minute_old(sandbox):
    response = zd(sandbox, ADMIN).get(
        "/api/v2/incremental/tickets/cursor.json", params={"start_time": int(time.time())}
    )
    assert response.status_code == 422


def test_safe_update_with_a_stale_stamp_is_409_and_changes_nothing(sandbox):
    client = zd(sandbox)
    ticket = next(t for t in client.get(ALL_UNSOLVED).json()["tickets"] if t["priority"] not in ("high", "low"))
    fresh = client.put(
        f"/api/v2/tickets/{ticket['id']}.json",
        json={"ticket": {"priority": "high", "safe_update": True, "updated_stamp": ticket["updated_at"]}},
    )
    assert fresh.status_code == 200 and fresh.json()["ticket"]["updated_at"] != ticket["updated_at"]
    assert fresh.json()["audit"]["events"][0]["field_name"] == "priority"
    stale = client.put(
        f"/api/v2/tickets/{ticket['id']}.json",
        json={"ticket": {"priority": "low", "safe_update": True, "updated_stamp": ticket["updated_at"]}},
    )
    assert stale.status_code == 409 and stale.json()["error"] == "UpdateConflict"
    assert client.get(f"/api/v2/tickets/{ticket['id']}.json").json()["ticket"]["priority"] == "high"


def test_update_with_comment_adds_public_reply_or_internal_note(sandbox):
    client = zd(sandbox)
    ticket_id = client.get(ALL_UNSOLVED).json()["tickets"][0]["id"]
    client.put(
        f"/api/v2/tickets/{ticket_id}.json",
        json={"ticket": {"comment": {"body": "note", "public": False}, "additional_tags": ["x"]}},
    )
    comments = client.get(f"/api/v2/tickets/{ticket_id}/comments.json").json()["comments"]
    assert comments[-1]["body"] == "note" and comments[-1]["public"] is False
    # README "Tags": additional_tags on a single update do nothing (the bulk update's field).
    assert "x" not in client.get(f"/api/v2/tickets/{ticket_id}.json").json()["ticket"]["tags"]


def test_matching_etag_is_answered_304(sandbox):
    first = httpx.get(sandbox.url + "/repos/PostHog/posthog-js/issues", headers=BEARER)
    again = httpx.get(
        sandbox.url + "/repos/PostHog/posthog-js/issues", headers={**BEARER, "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    httpx.post(
        sandbox.url + f"/repos/PostHog/posthog-js/issues/{first.json()[0]['number']}/labels",
        headers=BEARER,
        json={"labels": ["team/replay"]},
    )
    changed = httpx.get(
        sandbox.url + "/repos/PostHog/posthog-js/issues", headers={**BEARER, "If-None-Match": first.headers["etag"]}
    )
    assert changed.status_code == 200


def test_per_minute_budget_answers_429_with_retry_after(dataset):
    with Sandbox(copy.deepcopy(dataset), settings=SandboxSettings(zendesk_per_minute=3)) as small:
        client = zd(small)
        statuses = [client.get("/api/v2/groups.json") for _ in range(4)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429]
        assert statuses[0].headers["x-rate-limit"] == "3" and statuses[2].headers["x-rate-limit-remaining"] == "0"
        assert int(statuses[3].headers["retry-after"]) > 0
        assert statuses[3].text == "Number of allowed API requests per minute exceeded"


def test_incident_role_assignment_and_attachments(sandbox):
    incident = httpx.get(
        sandbox.url + "/v2/incidents", params={"status_category[one_of]": "live"}, headers=BEARER
    ).json()["incidents"][0]
    edited = httpx.post(
        sandbox.url + f"/v2/incidents/{incident['id']}/actions/edit",
        headers=BEARER,
        json={
            "incident": {
                "incident_role_assignments": [
                    {"incident_role_id": "01ROLEWATCH", "assignee": {"email": "agent@example.com"}}
                ]
            },
            "notify_incident_channel": True,
        },
    ).json()["incident"]
    watcher = [a for a in edited["incident_role_assignments"] if a["role"]["name"] == "Support Watcher"]
    assert watcher[0]["assignee"]["email"] == "agent@example.com"
    created = httpx.post(
        sandbox.url + "/v1/incident_attachments",
        headers=BEARER,
        json={"incident_id": incident["id"], "resource": {"external_id": "41001", "resource_type": "zendesk_ticket"}},
    )
    assert created.status_code == 201
    listed = httpx.get(
        sandbox.url + "/v1/incident_attachments", params={"incident_id": incident["id"]}, headers=BEARER
    ).json()
    assert "41001" in [a["resource"]["external_id"] for a in listed["incident_attachments"]]


def test_dataset_has_what_the_handbook_needs(dataset):
    tickets = dataset["tickets"]
    statuses = {t["status"] for t in tickets}
    assert statuses >= {"new", "open", "pending", "hold", "solved", "closed"}
    tags = [tag for t in tickets for tag in t["tags"]]
    assert "cs_tagged" in tags and "escalated" in tags and any(t.startswith("incident/") for t in tags)
    plans = {o["organization_fields"]["plan"] for o in dataset["organizations"]}
    assert plans == {"free", "pay_as_you_go", "boost", "scale", "enterprise"}
    assert any("please assign" in o["name"] for o in dataset["organizations"])
    titles = {m["title"] for m in dataset["macros"]}
    assert {"Incident information", "Create a lead", "2FA removal confirmation"} <= titles
    no_watcher = [
        i
        for i in dataset["incidents"]
        if not any(a["role"]["name"] == "Support Watcher" and a.get("assignee") for a in i["incident_role_assignments"])
    ]
    assert no_watcher
    assert set(dataset["issues"]) == {
        "PostHog/posthog",  # the product's repository: where bug reports from tickets go
        "PostHog/posthog-js",
        "PostHog/posthog-python",
        "PostHog/posthog-ios",
        "PostHog/posthog-android",
        "PostHog/posthog-flutter",
    }


def test_same_seed_same_dataset():
    from tests.conftest import FROZEN_NOW
    from triage_sandbox.data import generate

    assert generate(seed=3, tickets=120, now=FROZEN_NOW) == generate(seed=3, tickets=120, now=FROZEN_NOW)


def test_fault_spec_parsing_and_determinism():
    faults = parse_faults("429:0.1,503:0.05,stall:0.05:2s,reset:0.02")
    assert [f.kind for f in faults] == ["429", "503", "stall", "reset"] and faults[2].seconds == 2.0
    a, b = FaultPlan(faults, seed=5), FaultPlan(faults, seed=5)
    assert [getattr(a.draw(), "kind", None) for _ in range(200)] == [
        getattr(b.draw(), "kind", None) for _ in range(200)
    ]
    plan = FaultPlan(faults, seed=9)
    fired = [getattr(plan.draw(), "kind", None) for _ in range(2000)]
    assert 150 < fired.count("429") < 250 and 50 < fired.count("503") < 150
    with pytest.raises(FaultSpecError):
        parse_faults("teapot:0.1")


def test_zendesk_basic_auth_needs_the_token_suffix(sandbox):
    raw = base64.b64encode(b"agent@example.com:sandbox").decode()
    assert (
        httpx.get(sandbox.url + "/api/v2/users/me.json", headers={"Authorization": f"Basic {raw}"}).status_code == 401
    )
