"""The sandbox is as strict as the real services (issues 13 and 16).

Each test names its evidence: a path or schema of the published OpenAPI descriptions in
`../shared/api/` ("spec"), a recorded real response ("recorded/<file>"), or the facts in
`../shared/api/README.md` ("README"). Most tests call `SandboxApp.handle` directly (no
sockets) with an injected clock, so budgets and lags are tested without waiting.
"""

from __future__ import annotations

import ast
import base64
import copy
import datetime as dt
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.conftest import FROZEN_NOW
from triage_sandbox.activity import Activity
from triage_sandbox.http import Request, Response
from triage_sandbox.server import Sandbox, SandboxApp, SandboxSettings
from triage_tui.models.incidentio import Incident

FORBIDDEN = {
    "error": "Forbidden",
    "description": (
        "You do not have access to this page. Please contact the account owner of this help desk for further help."
    ),
}
ALL_UNSOLVED, RECENTLY_UPDATED = 360100003, 360100004
ENTERPRISE_ORG_PLAN = "enterprise"


class Clocks:
    """A monotonic clock for the budgets and a wall clock for the data, moved by hand."""

    def __init__(self) -> None:
        self.seconds = 1000.0
        self.moment = FROZEN_NOW

    def advance(self, seconds: float) -> None:
        self.seconds += seconds
        self.moment += dt.timedelta(seconds=seconds)


def call(
    app: SandboxApp, method: str, target: str, body=None, email: str = "agent@example.com", bearer: bool = False
) -> Response:
    parts = urlsplit(target)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        multi.setdefault(key, []).append(value)
    if bearer:
        auth = "Bearer sandbox"
    else:
        auth = "Basic " + base64.b64encode(f"{email}/token:sandbox".encode()).decode()
    request = Request(
        method=method, path=parts.path, query=dict(pairs), headers={"authorization": auth}, body=body, multi=multi
    )
    return app.handle(request)


def get(app: SandboxApp, target: str, **options) -> Response:
    return call(app, "GET", target, **options)


def relative(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


# -- roles (spec "Allowed For: Admins"; README "Zendesk permissions") ----------------------
ADMIN_ONLY = [
    "/api/v2/incremental/tickets/cursor.json?start_time=0",
    "/api/v2/incremental/ticket_events.json?start_time=0",
    "/api/v2/tickets.json",
    "/api/v2/tickets",
    "/api/v2/slas/policies.json",
    "/api/v2/ticket_audits.json",
    "/api/v2/satisfaction_ratings.json",
    "/api/v2/suspended_tickets.json",
    "/api/v2/audit_logs.json",
]


@pytest.mark.parametrize("target", ADMIN_ONLY)
def test_admin_only_endpoints_answer_403_to_an_agent_with_zendesks_body(make, target):
    response = get(make(), target)
    assert response.status == 403 and response.body == FORBIDDEN
    assert response.headers["x-rate-limit"] == "700"  # every Zendesk answer carries the headers


def test_an_admin_persona_or_an_admin_user_reaches_them(make):
    admin_persona = make(persona="admin")
    assert get(admin_persona, "/api/v2/tickets.json").status == 200
    assert get(admin_persona, "/api/v2/slas/policies.json").body["sla_policies"]
    agent_persona = make()
    assert get(agent_persona, "/api/v2/tickets.json", email="admin@example.com").status == 200
    assert get(agent_persona, "/api/v2/tickets.json", email="rosa@example.com").status == 403


def test_agents_reach_what_the_spec_allows_agents(make):
    app = make()
    for target in (
        "/api/v2/views/360100003/tickets",
        "/api/v2/search/export?query=status<solved&filter[type]=ticket",
        "/api/v2/tickets/show_many?ids=41001",
        "/api/v2/deleted_tickets",
        "/api/v2/users/show_many?ids=7000000001",
        "/api/v2/groups",
        "/api/v2/macros",
        "/api/v2/ticket_fields",
        "/api/v2/tickets/41001/comments",
    ):
        assert get(app, target).status == 200, target


def test_persona_and_plan_are_checked():
    with pytest.raises(ValueError):
        SandboxSettings(persona="owner")
    with pytest.raises(ValueError):
        SandboxSettings(plan="free")


# -- budgets (README "Zendesk 429", spec rate-limit sections) ------------------------------
def assert_429(response: Response) -> None:
    assert response.status == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.body == "Number of allowed API requests per minute exceeded"


@pytest.mark.parametrize(("plan", "limit"), [("team", 200), ("professional", 400), ("enterprise", 700)])
def test_the_account_budget_follows_the_plan_and_is_shared_by_every_client(make, clocks, plan, limit):
    app = make(plan=plan)
    emails = ["agent@example.com", "rosa@example.com", "felix@example.com"]
    answers = [get(app, "/api/v2/groups.json", email=emails[i % 3]) for i in range(limit)]
    assert all(a.status == 200 for a in answers)
    assert answers[0].headers["x-rate-limit"] == str(limit) and answers[0].headers["ratelimit-limit"] == str(limit)
    assert answers[-1].headers["x-rate-limit-remaining"] == "0" == answers[-1].headers["ratelimit-remaining"]
    assert 0 < int(answers[-1].headers["ratelimit-reset"]) <= 60
    assert_429(get(app, "/api/v2/groups.json", email="dana@example.com"))
    clocks.advance(61)
    assert get(app, "/api/v2/groups.json").status == 200


def test_rate_limit_headers_have_the_recorded_form(make):
    # recorded/TestMacrosCreateUpdateDelete.test_values.json: x-rate-limit, x-rate-limit-remaining,
    # ratelimit-limit, ratelimit-remaining, ratelimit-reset, all integers as text.
    response = get(make(), "/api/v2/macros.json")
    for name in ("x-rate-limit", "x-rate-limit-remaining", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"):
        assert response.headers[name].isdigit()
    assert response.headers["x-rate-limit-remaining"] == "699"


def test_incremental_exports_allow_10_a_minute_per_account(make, clocks):
    app = make(persona="admin")
    for _ in range(10):
        assert get(app, "/api/v2/incremental/tickets/cursor.json?start_time=0").status == 200
    assert_429(get(app, "/api/v2/incremental/tickets/cursor.json?start_time=0", email="rosa@example.com"))
    assert get(app, "/api/v2/groups.json").status == 200  # the account budget is not spent
    clocks.advance(60)
    assert get(app, "/api/v2/incremental/tickets/cursor.json?start_time=0").status == 200


def test_search_export_has_its_own_budget_and_counts_in_the_account_budget(make):
    # spec /api/v2/search/export: "rate-limited to 100 requests per minute per account. The limit
    # also counts towards the global API rate limit."
    app = make(search_export_per_minute=3, zendesk_per_minute=5, search_lag_seconds=0)
    export = "/api/v2/search/export?query=status:new&filter[type]=ticket"
    assert [get(app, export).status for _ in range(4)] == [200, 200, 200, 429]
    assert get(app, "/api/v2/groups").status == 200
    assert get(app, "/api/v2/groups").status == 200
    assert_429(get(app, "/api/v2/groups"))  # 3 exports + 2 others used the account's 5
    assert SandboxSettings().search_export_per_minute == 100


def test_view_count_and_execute_allow_5_a_minute_per_view_per_agent(make):
    # spec /api/v2/views/{view_id}/count: "rate limited to 5 requests per minute, per view, per agent"
    app = make()
    for _ in range(5):
        assert get(app, "/api/v2/views/360100003/count.json").status == 200
    assert_429(get(app, "/api/v2/views/360100003/execute.json"))
    assert get(app, "/api/v2/views/360100003/count.json", email="rosa@example.com").status == 200
    assert get(app, "/api/v2/views/360100004/count.json").status == 200
    # Listing a view's tickets has no limit of its own.
    assert all(get(app, "/api/v2/views/360100003/tickets.json").status == 200 for _ in range(10))


def test_views_count_many_allows_6_a_minute(make):
    # spec /api/v2/views/count_many: "rate limited to 6 requests every 1 minute"
    app = make()
    answers = [
        get(app, "/api/v2/views/count_many.json?ids=360100001,360100003", email=e).status
        for e in ["agent@example.com", "rosa@example.com"] * 4
    ]
    assert answers == [200] * 6 + [429, 429]


def test_deleted_tickets_allow_10_a_minute_per_account(make):
    # spec /api/v2/deleted_tickets: "You can make 10 requests every 1 minute using this endpoint."
    app = make()
    answers = [
        get(app, "/api/v2/deleted_tickets.json", email=e).status for e in ["agent@example.com", "rosa@example.com"] * 6
    ]
    assert answers == [200] * 10 + [429, 429]


def test_ticket_updates_100_a_minute_per_account_and_30_per_10_minutes_per_user_per_ticket(make, clocks):
    # README: "Updating tickets: 100 requests per minute per account, 30 updates per 10 minutes
    # per user per ticket."
    app = make()
    update = {"ticket": {"additional_tags": ["x"]}}
    answers = [call(app, "PUT", "/api/v2/tickets/41001.json", update).status for _ in range(31)]
    assert answers == [200] * 30 + [429]
    assert call(app, "PUT", "/api/v2/tickets/41001.json", update, email="rosa@example.com").status == 200
    assert call(app, "PUT", "/api/v2/tickets/41002.json", update).status == 200
    clocks.advance(61)  # the per-minute windows turn; the per-ticket one (10 minutes) does not
    assert_429(call(app, "PUT", "/api/v2/tickets/41001.json", update))
    clocks.advance(600)
    assert call(app, "PUT", "/api/v2/tickets/41001.json", update).status == 200

    busy = make(ticket_updates_per_minute=100)
    statuses = [call(busy, "PUT", f"/api/v2/tickets/{41001 + i % 50}.json", update).status for i in range(101)]
    assert statuses == [200] * 100 + [429]


# -- paths and pagination ----------------------------------------------------------------
def test_paths_are_served_with_and_without_json(make):
    # recorded/TestViews.test_getting_tickets_from_a_view.json: GET /api/v2/views/{id}/tickets
    # without .json; the spec's paths have none either.
    app = make()
    for path in (
        "/api/v2/views/360100003/tickets",
        "/api/v2/groups",
        "/api/v2/tickets/41001",
        "/api/v2/users/me",
        "/api/v2/tickets/41001/comments",
    ):
        with_json, without = get(app, path + ".json"), get(app, path)
        assert with_json.status == without.status == 200 and with_json.body == without.body


def test_unpaginated_lists_answer_offset_style(make):
    # recorded/TestTags.test_pagination.json: GET /api/v2/tags.json without page[size] answers
    # {tags, next_page, previous_page, count}; with page[size], {meta, links}.
    app = make()
    body = get(app, "/api/v2/users.json").body
    assert set(body) == {"users", "next_page", "previous_page", "count"}
    assert len(body["users"]) == 100 and body["count"] == len(app.state.users) and body["previous_page"] is None
    second = get(app, relative(body["next_page"])).body
    assert second["previous_page"] and {u["id"] for u in second["users"]}.isdisjoint(u["id"] for u in body["users"])
    for target in (
        "/api/v2/groups",
        "/api/v2/macros",
        "/api/v2/views",
        "/api/v2/ticket_fields",
        "/api/v2/deleted_tickets",
        "/api/v2/tickets/41001/comments",
    ):
        assert {"next_page", "previous_page", "count"} <= set(get(app, target).body), target


def test_cursor_pages_carry_a_real_links_prev(make):
    # recorded/TestOrganizationCreateUpdateDelete.test_pagination.json: links.prev is a
    # page[before] URL on cursor pages.
    app = make()
    first = get(app, "/api/v2/users.json?page[size]=30").body
    assert first["meta"]["has_more"] and "page%5Bbefore%5D" in first["links"]["prev"]
    second = get(app, relative(first["links"]["next"])).body
    back = get(app, relative(second["links"]["prev"])).body
    assert [u["id"] for u in back["users"]] == [u["id"] for u in first["users"]]


# -- views (spec /api/v2/views/{view_id}/tickets; recorded/TestViews.test_get_active_views.json)
def view_ids(app: SandboxApp, view: int, query: str = "", **options) -> list[int]:
    return [t["id"] for t in get(app, f"/api/v2/views/{view}/tickets.json?{query}", **options).body["tickets"]]


def test_default_views_have_zendesks_conditions(make):
    views = {v["title"]: v for v in get(make(), "/api/v2/views.json").body["views"]}
    assert views["All unsolved tickets"]["conditions"]["all"] == [
        {"field": "status", "operator": "less_than", "value": "solved"}
    ]
    assert {"field": "status", "operator": "less_than", "value": "closed"} in views["Recently updated tickets"][
        "conditions"
    ]["all"]
    assert views["Recently updated tickets"]["execution"]["sort_by"] == "updated"


def test_all_unsolved_is_exactly_the_tickets_below_solved(make):
    app = make()
    listed = set(view_ids(app, ALL_UNSOLVED))
    unsolved = {t["id"] for t in app.state.tickets.values() if t["status"] in ("new", "open", "pending", "hold")}
    assert listed == unsolved and len(listed) == 80


def ungrouped(app: SandboxApp, view: int) -> None:
    """The view without its grouping: these tests are about the sort (grouping: issue 23's tests)."""
    app.state.views[view]["execution"]["group_by"] = None


def test_view_sorting_by_updated_and_the_default_orders(make):
    app = make()
    ungrouped(app, ALL_UNSOLVED)
    tickets = get(app, f"/api/v2/views/{ALL_UNSOLVED}/tickets.json?sort_by=updated").body["tickets"]
    stamps = [t["updated_at"] for t in tickets]
    assert stamps == sorted(stamps, reverse=True)  # "desc" for all but alphabetical columns
    assert view_ids(app, ALL_UNSOLVED, "sort_by=updated_at&sort_order=desc") == [t["id"] for t in tickets]
    ascending = view_ids(app, ALL_UNSOLVED, "sort_by=updated&sort_order=asc")
    assert ascending == list(reversed([t["id"] for t in tickets]))
    # No sort_by: the view's own sort ("nice_id" desc for All unsolved tickets).
    assert view_ids(app, ALL_UNSOLVED) == sorted(ascending, reverse=True)
    by_assignee = get(app, f"/api/v2/views/{ALL_UNSOLVED}/tickets.json?sort_by=assignee").body["tickets"]
    names = [app.state.users[t["assignee_id"]]["name"].lower() if t["assignee_id"] else "" for t in by_assignee]
    assert names == sorted(names)  # "asc" for alphabetical columns
    priorities = [
        t["priority"] for t in get(app, f"/api/v2/views/{ALL_UNSOLVED}/tickets.json?sort_by=priority").body["tickets"]
    ]
    rank = ["low", "normal", "high", "urgent"]
    assert [rank.index(p) for p in priorities] == sorted((rank.index(p) for p in priorities), reverse=True)
    assert get(app, f"/api/v2/views/{ALL_UNSOLVED}/tickets.json?sort_by=bogus").status == 400
    # spec ListTicketsFromView.sort_by: "The `subject` and `submitter` columns are not supported"
    assert get(app, f"/api/v2/views/{ALL_UNSOLVED}/tickets.json?sort_by=subject").status == 400


def test_view_pagination_cursor_with_page_size_offset_without(make):
    app = make()
    ungrouped(app, ALL_UNSOLVED)
    everything = view_ids(app, ALL_UNSOLVED, "sort_by=updated")
    seen, target = [], f"/api/v2/views/{ALL_UNSOLVED}/tickets.json?sort_by=updated&page[size]=30"
    first = get(app, target).body
    # recorded/TestViews.test_getting_tickets_from_a_view.json: the first page's before_cursor and links.prev are null.
    assert first["meta"]["before_cursor"] is None and first["links"]["prev"] is None
    body = first
    while True:
        seen += [t["id"] for t in body["tickets"]]
        if not body["meta"]["has_more"]:
            break
        body = get(app, relative(body["links"]["next"])).body
    assert seen == everything
    assert len(get(app, f"/api/v2/views/{ALL_UNSOLVED}/tickets.json?page[size]=500").body["tickets"]) == 80
    app.state.views[9] = {
        "id": 9,
        "conditions": {"all": [{"field": "status", "operator": "greater_than", "value": "hold"}]},
    }
    solved = get(app, "/api/v2/views/9/tickets.json?page[size]=500").body
    assert len(solved["tickets"]) == 100 and solved["meta"]["has_more"]  # page[size] is at most 100
    offset = get(app, f"/api/v2/views/{ALL_UNSOLVED}/tickets.json?per_page=50").body
    assert offset["count"] == 80 and len(offset["tickets"]) == 50 and offset["next_page"]


def test_a_views_cursor_is_an_offset_so_rows_shift_when_a_ticket_enters_or_leaves(make, clocks):
    # README "Facts found ... 2026-12-07": the recorded after_cursor decodes to
    # {"sort": ..., "offset": N}; a ticket entering or leaving between two requests shifts rows.
    app = make()
    ungrouped(app, ALL_UNSOLVED)
    first = get(app, f"/api/v2/views/{ALL_UNSOLVED}/tickets.json?sort_by=updated&page[size]=30").body
    cursor = base64.urlsafe_b64decode(first["meta"]["after_cursor"])
    assert b'"offset": 30' in cursor
    before = [t["id"] for t in first["tickets"]]
    moved = view_ids(app, ALL_UNSOLVED, "sort_by=updated")[50]
    clocks.advance(5)
    call(app, "PUT", f"/api/v2/tickets/{moved}.json", {"ticket": {"priority": "urgent"}})
    second = [t["id"] for t in get(app, relative(first["links"]["next"])).body["tickets"]]
    assert second[0] == before[-1]  # one moved to the front: the last row of page 1 repeats
    third_link = get(app, relative(first["links"]["next"])).body["links"]["next"]
    call(app, "PUT", f"/api/v2/tickets/{before[0]}.json", {"ticket": {"status": "solved"}})
    call(app, "PUT", f"/api/v2/tickets/{moved}.json", {"ticket": {"status": "solved"}})
    listed = view_ids(app, ALL_UNSOLVED, "sort_by=updated")
    third = [t["id"] for t in get(app, relative(third_link)).body["tickets"]]
    assert third[0] == listed[60] and listed[58] not in second + third  # two left above: a row skipped


def test_a_ticket_solved_by_a_colleague_leaves_all_unsolved_and_heads_recently_updated(make, clocks):
    app = make()
    ticket_id = view_ids(app, ALL_UNSOLVED)[5]
    clocks.advance(30)
    assert (
        call(
            app, "PUT", f"/api/v2/tickets/{ticket_id}.json", {"ticket": {"status": "solved"}}, email="rosa@example.com"
        ).status
        == 200
    )
    assert ticket_id not in view_ids(app, ALL_UNSOLVED)
    recent = get(app, f"/api/v2/views/{RECENTLY_UPDATED}/tickets.json?sort_by=updated&sort_order=desc").body["tickets"]
    # Grouped by status ascending (README "Facts found ... 2026-12-07"): the solved group last.
    solved = [t for t in recent if t["status"] == "solved"]
    assert solved[0]["id"] == ticket_id and recent[-len(solved) :] == solved
    assert all(t["status"] != "closed" for t in recent)
    clocks.advance(25 * 3600)  # "updated_at less_than 24": hours since the update
    assert ticket_id not in view_ids(app, RECENTLY_UPDATED)


def test_view_conditions_any_assignee_group_and_unknown_fields(make):
    app = make()
    me = next(u for u in app.state.users.values() if u["email"] == "agent@example.com")
    mine = view_ids(app, 360100001)
    assert mine and all(app.state.tickets[i]["assignee_id"] == me["id"] for i in mine)
    unassigned = view_ids(app, 360100002)
    assert unassigned and all(app.state.tickets[i]["assignee_id"] is None for i in unassigned)
    in_groups = view_ids(app, 360100005)
    assert in_groups and all(app.state.tickets[i]["group_id"] == me["default_group_id"] for i in in_groups)
    app.state.views[1] = {
        "id": 1,
        "conditions": {
            "all": [{"field": "custom_fields_360", "operator": "is", "value": "x"}],
            "any": [
                {"field": "status", "operator": "is", "value": "pending"},
                {"field": "status", "operator": "is", "value": "hold"},
            ],
        },
    }
    both = {app.state.tickets[i]["status"] for i in view_ids(app, 1)}
    assert both == {"pending", "hold"}
    app.state.views[2] = {
        "id": 2,
        "conditions": {
            "all": [
                {"field": "status", "operator": "greater_than", "value": "hold"},
                {"field": "status", "operator": "is_not", "value": "closed"},
            ]
        },
    }
    assert {app.state.tickets[i]["status"] for i in view_ids(app, 2)} == {"solved"}


# -- deleted tickets (spec ListDeletedTicketsResponse; README "deleted tickets") -----------
def test_a_ticket_deleted_by_a_colleague_is_listed_and_leaves_views_search_and_show(make, clocks):
    app = make(search_lag_seconds=60)
    activity = Activity(app.state, 60, app.now)
    outcome = ""
    while "deleted" not in outcome:
        outcome = activity.step()
    gone = int(outcome.rsplit(" ", 1)[1])
    listed = get(app, "/api/v2/deleted_tickets.json").body
    assert [d["id"] for d in listed["deleted_tickets"]] == [gone] and listed["count"] == 1
    record = listed["deleted_tickets"][0]
    assert set(record) >= {"id", "subject", "actor", "deleted_at", "previous_state"}
    assert record["previous_state"] in ("new", "open") and record["actor"]["name"]
    assert gone not in view_ids(app, ALL_UNSOLVED)
    assert get(app, f"/api/v2/tickets/{gone}.json").status == 404
    assert get(app, f"/api/v2/tickets/show_many.json?ids={gone}").body["tickets"] == []
    clocks.advance(61)  # search forgets it once it has indexed the deletion
    export = get(app, "/api/v2/search/export.json?query=status<solved&filter[type]=ticket&page[size]=1000").body
    assert gone not in [t["id"] for t in export["results"]]


def test_deleted_tickets_sort_and_paginate(make, clocks):
    app = make()
    for ticket_id in (41003, 41001, 41002):
        clocks.advance(10)
        assert call(app, "DELETE", f"/api/v2/tickets/{ticket_id}.json").status == 204
    ids = [d["id"] for d in get(app, "/api/v2/deleted_tickets.json").body["deleted_tickets"]]
    assert ids == [41001, 41002, 41003]
    newest = get(app, "/api/v2/deleted_tickets.json?sort_by=deleted_at&sort_order=desc").body["deleted_tickets"]
    assert [d["id"] for d in newest] == [41002, 41001, 41003]
    page = get(app, "/api/v2/deleted_tickets.json?page[size]=2").body
    assert [d["id"] for d in page["deleted_tickets"]] == [41001, 41002] and page["meta"]["has_more"]
    rest = get(app, relative(page["links"]["next"])).body
    assert [d["id"] for d in rest["deleted_tickets"]] == [41003]
    offset = get(app, "/api/v2/deleted_tickets.json?per_page=2&page=2").body
    assert [d["id"] for d in offset["deleted_tickets"]] == [41003] and offset["previous_page"]


# -- search (spec /api/v2/search/export; README "search export", "freshness") -------------
EXPORT = "/api/v2/search/export.json?filter[type]=ticket&page[size]=1000&query="


def export_ids(app: SandboxApp, query: str, include: str = "") -> list[int]:
    return [t["id"] for t in get(app, EXPORT + query + include).body["results"]]


def test_search_sees_changes_only_after_the_indexing_lag_but_views_and_show_many_at_once(make, clocks):
    app = make(search_lag_seconds=60)
    activity = Activity(app.state, 60, app.now)
    outcome = ""
    while not outcome.startswith("new ticket"):
        outcome = activity.step()
    new_id = int(outcome.rsplit(" ", 1)[1])
    assert new_id in view_ids(app, ALL_UNSOLVED)
    assert get(app, f"/api/v2/tickets/show_many.json?ids={new_id}").body["tickets"]
    assert new_id not in export_ids(app, "status<solved")
    assert new_id not in [t["id"] for t in get(app, "/api/v2/search.json?query=status:new").body["results"]]
    clocks.advance(30)
    assert new_id not in export_ids(app, "status<solved")
    clocks.advance(31)
    assert new_id in export_ids(app, "status<solved")
    assert SandboxSettings().search_lag_seconds == 60


def test_search_export_needs_filter_type_and_refuses_type_in_the_query(make):
    app = make(search_lag_seconds=0)
    # spec /api/v2/search/export (support-api.oas.yaml line 11312): "You must specify the type in
    # the `filter[type]` parameter. Searches with type in the query string will result in an error."
    refused = get(app, "/api/v2/search/export.json?query=type:ticket status<solved&filter[type]=ticket")
    assert refused.status == 400 and refused.body["error"] == "InvalidValue"
    assert get(app, "/api/v2/search/export.json?query=status<solved").status == 400
    assert get(app, "/api/v2/search/export.json?query=status<solved&filter[type]=ticket").status == 200


def test_search_export_results_carry_result_type_and_come_newest_created_first(make):
    # spec SearchExportResponse / recorded/TestUserSearchExportApi.test_cbp_small_iterations.json:
    # result_type on every result; the cursor orders by created_at, desc, ties by id.
    app = make(search_lag_seconds=0)
    body = get(app, EXPORT + "status<solved").body
    assert all(r["result_type"] == "ticket" for r in body["results"]) and len(body["results"]) == 80
    created = [r["created_at"] for r in body["results"]]
    assert created == sorted(created, reverse=True)
    # recorded export: links.prev and meta.before_cursor are null (no backward paging), no count.
    assert body["links"]["prev"] is None and body["meta"]["before_cursor"] is None and "count" not in body


def test_search_export_pages_hold_at_most_1000(make):
    app = make(search_lag_seconds=0)
    app.state.versions.update(
        {900000 + i: [(0.0, {**app.state.tickets[41001], "id": 900000 + i})] for i in range(1100)}
    )
    first = get(app, "/api/v2/search/export.json?filter[type]=ticket&page[size]=5000&query=status<solved").body
    assert len(first["results"]) == 1000 and first["meta"]["has_more"]
    rest = get(app, relative(first["links"]["next"])).body
    assert len(rest["results"]) == 1180 - 1000 and not rest["meta"]["has_more"]


def test_search_updated_filters_with_timestamps_and_relative_forms(make, clocks):
    app = make(search_lag_seconds=0)
    assert export_ids(app, "updated>5minutes") == []
    call(app, "PUT", "/api/v2/tickets/41001.json", {"ticket": {"additional_tags": ["touched"]}})
    clocks.advance(1)
    assert export_ids(app, "updated>5minutes") == [41001]
    stamp = (clocks.moment - dt.timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert export_ids(app, f"updated>{stamp}") == [41001]
    assert 41001 not in export_ids(app, f"updated<{stamp}")
    clocks.advance(600)
    assert export_ids(app, "updated>5minutes") == []
    assert export_ids(app, "updated>15minutes") == [41001]
    assert 41001 in export_ids(app, "updated>1hours")


def test_search_honours_only_the_type_scoped_sideload_form(make):
    # Zendesk's side-loading guide ("Searches"): search sideloads name the result type,
    # include=tickets(users,organizations). The flat form is ignored, as the real API does.
    app = make(search_lag_seconds=0)
    scoped = get(app, EXPORT + "status<solved&include=tickets(users,organizations,groups)").body
    requesters = {r["requester_id"] for r in scoped["results"]}
    assert requesters <= {u["id"] for u in scoped["users"]}
    assert scoped["organizations"] and scoped["groups"]
    flat = get(app, EXPORT + "status<solved&include=users,organizations,metric_sets").body
    assert not {"users", "organizations", "metric_sets"} & set(flat)
    offset = get(app, "/api/v2/search.json?query=status<solved&include=tickets(users)").body
    assert offset["users"] and "users" not in get(app, "/api/v2/search.json?query=status<solved&include=users").body


# -- ticket sideloads and SLAs (spec /api/v2/tickets/show_many; README "include=slas") -----
def test_show_many_sideloads_users_organizations_groups_metric_sets_and_slas(make):
    app = make()
    ids = sorted(view_ids(app, ALL_UNSOLVED))[:20]
    body = get(
        app,
        f"/api/v2/tickets/show_many.json?ids={','.join(map(str, ids))}"
        "&include=users,organizations,groups,metric_sets,slas",
    ).body
    assert [t["id"] for t in body["tickets"]] == ids
    assert {t["requester_id"] for t in body["tickets"]} <= {u["id"] for u in body["users"]}
    assert {t["organization_id"] for t in body["tickets"]} <= {o["id"] for o in body["organizations"]}
    assert {t["group_id"] for t in body["tickets"]} <= {g["id"] for g in body["groups"]}
    assert {m["ticket_id"] for m in body["metric_sets"]} == set(ids)
    plans = {o["id"]: o["organization_fields"]["plan"] for o in app.state.organizations.values()}
    with_policy = [t for t in body["tickets"] if plans[t["organization_id"]] in ("enterprise", "scale")]
    without = [t for t in body["tickets"] if plans[t["organization_id"]] not in ("enterprise", "scale")]
    assert with_policy and without
    assert all(t["slas"]["policy_metrics"] == [] for t in without)
    for ticket in with_policy:
        (metric,) = ticket["slas"]["policy_metrics"]
        assert metric["metric"] in ("first_reply_time", "next_reply_time") and metric["stage"] in ("active", "paused")
        if metric["stage"] == "active":
            assert metric["breach_at"].endswith("Z") and "hours" in metric and "minutes" in metric
        else:
            assert metric["breach_at"] is None
    single = get(app, f"/api/v2/tickets/{with_policy[0]['id']}.json?include=slas").body["ticket"]
    assert single["slas"] == with_policy[0]["slas"]
    assert "slas" not in get(app, f"/api/v2/tickets/{ids[0]}.json").body["ticket"]


def test_a_breached_enterprise_ticket_reports_breach_at_in_the_past(make):
    app = make()
    plans = {o["id"]: o["organization_fields"]["plan"] for o in app.state.organizations.values()}
    ticket = app.state.tickets[41001]  # seeded 5 business hours past its target
    assert plans[ticket["organization_id"]] == "enterprise" and ticket["status"] in ("new", "open")
    (metric,) = get(app, "/api/v2/tickets/41001.json?include=slas").body["ticket"]["slas"]["policy_metrics"]
    assert metric["breach_at"] == "2026-11-18T09:00:00Z" and metric["hours"] == -5 and metric["stage"] == "active"


def test_an_agents_public_reply_fulfils_the_reply_metric_until_the_customer_writes_again(make):
    # Zendesk's SLA metrics ("Defining and using SLA policies", Help Center): next reply time
    # runs from the oldest unanswered end-user public comment to the next public agent
    # comment; answered, the metric is achieved and no breach is pending until the end user
    # writes again. An internal note answers nobody.
    app = make()
    slas = "/api/v2/tickets/41001.json?include=slas"
    (before,) = get(app, slas).body["ticket"]["slas"]["policy_metrics"]
    assert before["stage"] == "active"
    note = {"ticket": {"comment": {"body": "looking", "public": False}}}
    assert call(app, "PUT", "/api/v2/tickets/41001.json", note).status == 200
    assert get(app, slas).body["ticket"]["slas"]["policy_metrics"][0]["stage"] == "active"
    reply = {"ticket": {"comment": {"body": "Hey, fixed now", "public": True}}}
    assert call(app, "PUT", "/api/v2/tickets/41001.json", reply).status == 200
    (answered,) = get(app, slas).body["ticket"]["slas"]["policy_metrics"]
    assert answered == {"breach_at": None, "stage": "achieved", "metric": "next_reply_time"}
    ticket = app.state.tickets[41001]
    app.state.add_comment(41001, ticket["requester_id"], "Still broken", True, app.now())
    app.state.metric_sets[41001]["requester_updated_at"] = app.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    (again,) = get(app, slas).body["ticket"]["slas"]["policy_metrics"]
    assert again["stage"] == "active" and again["metric"] == "next_reply_time"


# -- writes --------------------------------------------------------------------------------
def test_safe_update_false_with_a_stale_stamp_is_refused_as_true_is(make, clocks):
    # spec TicketObject.safe_update: "A value of false has the same effect as true. Omit the
    # property to force the updates to not be safe."
    app = make()
    stale = app.state.tickets[41001]["updated_at"]
    call(app, "PUT", "/api/v2/tickets/41001.json", {"ticket": {"priority": "urgent"}})
    refused = call(
        app,
        "PUT",
        "/api/v2/tickets/41001.json",
        {"ticket": {"priority": "low", "safe_update": False, "updated_stamp": stale}},
    )
    assert refused.status == 409 and refused.body["error"] == "UpdateConflict"
    forced = call(app, "PUT", "/api/v2/tickets/41001.json", {"ticket": {"priority": "low", "updated_stamp": stale}})
    assert forced.status == 200 and forced.body["ticket"]["priority"] == "low"


def test_macro_apply_returns_the_comment_inside_result_ticket(make):
    # spec MacroApplyTicketResponse: result.ticket.comment {body, public, scoped_body}.
    app = make()
    result = get(app, "/api/v2/tickets/41001/macros/360300001/apply.json").body["result"]
    assert set(result) == {"ticket"}
    comment = result["ticket"]["comment"]
    first_name = app.state.users[app.state.tickets[41001]["requester_id"]]["name"].split(" ")[0]
    assert comment["body"].startswith(f"Hey {first_name},") and comment["body"].endswith("Sam")
    assert comment["public"] is True and comment["scoped_body"] == [["channel:all", comment["body"]]]
    assert result["ticket"]["status"] == "pending" and "incident" in result["ticket"]["tags"]
    note = get(app, "/api/v2/tickets/41001/macros/360300008/apply.json").body["result"]["ticket"]["comment"]
    assert note["public"] is False and "Customer plan: " in note["body"]


def test_macros_list_returns_active_and_inactive_unless_active_is_given(make):
    # spec /api/v2/macros: "Lists all shared and personal macros"; MacroActive: "Filter by active
    # macros if true or inactive macros if false".
    app = make()
    created = call(
        app, "POST", "/api/v2/macros.json", {"macro": {"title": "Old holiday hours", "active": False, "actions": []}}
    )
    inactive_id = created.body["macro"]["id"]
    every = {m["id"] for m in get(app, "/api/v2/macros.json").body["macros"]}
    active = {m["id"] for m in get(app, "/api/v2/macros.json?active=true").body["macros"]}
    inactive = {m["id"] for m in get(app, "/api/v2/macros.json?active=false").body["macros"]}
    assert inactive_id in every and inactive_id not in active and inactive == {inactive_id}
    assert every == active | inactive


def test_comments_carry_html_body_and_early_tickets_have_internal_notes(make):
    # recorded/TestAttachmentUpload.test_redact_attachment-upload-single.json: comments have
    # html_body and plain_body. Served oldest first, the first tickets must include internal notes.
    app = make(persona="admin")
    first = get(app, "/api/v2/tickets.json?page[size]=60").body["tickets"]
    noted = 0
    for ticket in first:
        comments = get(app, f"/api/v2/tickets/{ticket['id']}/comments.json").body["comments"]
        assert all(c["html_body"] and c["plain_body"] is not None for c in comments)
        noted += any(c["public"] is False for c in comments)
    assert noted >= 30


# -- incident.io (openapi3.json IncidentStatusV2.category enum) ------------------------------
def test_incident_status_categories_are_the_published_enum(make):
    app = make()
    enum = {"triage", "declined", "merged", "canceled", "live", "learning", "closed", "paused"}
    statuses = get(app, "/v1/incident_statuses", bearer=True).body["incident_statuses"]
    incidents = get(app, "/v2/incidents", bearer=True).body["incidents"]
    updates = get(app, "/v2/incident_updates", bearer=True).body["incident_updates"]
    categories = [s["category"] for s in statuses] + [i["incident_status"]["category"] for i in incidents]
    categories += [u["new_incident_status"]["category"] for u in updates]
    assert set(categories) <= enum and "live" in categories and "active" not in categories


def triage_incident(app: SandboxApp) -> str:
    triage = next(s for s in app.state.incident_statuses if s["category"] == "triage")
    source = app.state.incidents["01INC232"]
    app.state.incidents["01INC240"] = {
        **source,
        "id": "01INC240",
        "reference": "INC-240",
        "name": "Is EU capture slow?",
        "incident_status": triage,
    }
    return "01INC240"


def test_status_category_one_of_live_leaves_triage_out_and_takes_several_values(make):
    # openapi3.json /v2/incidents: "Possible values are "triage", ..., "live", ...";
    # status_category is an object of arrays: several values repeat the key.
    app = make()
    triage_id = triage_incident(app)
    live = [i["id"] for i in get(app, "/v2/incidents?status_category[one_of]=live", bearer=True).body["incidents"]]
    assert live and triage_id not in live
    both = [
        i["id"]
        for i in get(
            app, "/v2/incidents?status_category[one_of]=live&status_category[one_of]=triage", bearer=True
        ).body["incidents"]
    ]
    assert set(both) == {*live, triage_id}
    assert get(app, "/v2/incidents?status_category[one_of]=active", bearer=True).body["incidents"] == []


async def test_the_client_asks_for_live_and_triage_and_the_model_counts_both_as_live(dataset):
    from triage_tui.sources.incidentio import IncidentioClient

    with Sandbox(copy.deepcopy(dataset)) as sandbox:
        triage_id = triage_incident(sandbox.app)
        client = IncidentioClient(sandbox.url, "sandbox")
        try:
            incidents, skipped = await client.live_incidents()
        finally:
            await client.aclose()
    assert not skipped and triage_id in [i.id for i in incidents]
    assert all(i.is_live for i in incidents) and {i.incident_status.category for i in incidents} == {"live", "triage"}
    closed = Incident.model_validate(
        {
            "id": "x",
            "reference": "INC-1",
            "name": "n",
            "incident_status": {"id": "s", "name": "Closed", "category": "closed"},
        }
    )
    assert not closed.is_live


# -- GitHub (GitHub's REST description: issue, repository) ----------------------------------
ISSUE_REQUIRED = {
    "id",
    "node_id",
    "url",
    "repository_url",
    "labels_url",
    "comments_url",
    "events_url",
    "html_url",
    "number",
    "state",
    "title",
    "user",
    "labels",
    "assignee",
    "milestone",
    "locked",
    "comments",
    "closed_at",
    "created_at",
    "updated_at",
    "author_association",
}


def test_github_repository_and_single_issue_and_the_issue_schemas_required_fields(dataset):
    with (
        Sandbox(copy.deepcopy(dataset)) as sandbox,
        httpx.Client(base_url=sandbox.url, headers={"Authorization": "Bearer sandbox"}) as client,
    ):
        repo = client.get("/repos/PostHog/posthog-js")
        assert (
            repo.status_code == 200
            and repo.json()["full_name"] == "PostHog/posthog-js"
            and repo.json()["open_issues_count"] == 6
        )
        assert client.get("/repos/PostHog/nope").status_code == 404
        issues = client.get("/repos/PostHog/posthog-js/issues").json()
        for issue in issues:
            assert ISSUE_REQUIRED <= set(issue), ISSUE_REQUIRED - set(issue)
        single = client.get(f"/repos/PostHog/posthog-js/issues/{issues[0]['number']}")
        assert single.status_code == 200 and single.json() == issues[0]
        assert single.json()["url"].endswith(f"/repos/PostHog/posthog-js/issues/{issues[0]['number']}")
        assert client.get("/repos/PostHog/posthog-js/issues/99999").status_code == 404


def test_github_adding_labels_takes_an_object_or_a_bare_array(dataset):
    with (
        Sandbox(copy.deepcopy(dataset)) as sandbox,
        httpx.Client(base_url=sandbox.url, headers={"Authorization": "Bearer sandbox"}) as client,
    ):
        number = client.get("/repos/PostHog/posthog-js/issues").json()[0]["number"]
        as_object = client.post(f"/repos/PostHog/posthog-js/issues/{number}/labels", json={"labels": ["team/replay"]})
        as_array = client.post(f"/repos/PostHog/posthog-js/issues/{number}/labels", json=["team/cdp"])
        assert as_object.status_code == as_array.status_code == 200
        assert {"team/replay", "team/cdp"} <= {label["name"] for label in as_array.json()}
        assert (
            client.post(f"/repos/PostHog/posthog-js/issues/{number}/labels", json={"labels": "team/cdp"}).status_code
            == 422
        )


# -- the fake decides with its own code -------------------------------------------------------
def test_the_sandbox_imports_nothing_from_the_product_it_judges():
    forbidden = ("triage_tui",)
    sources = sorted((Path(__file__).resolve().parents[2] / "src" / "triage_sandbox").rglob("*.py"))
    assert sources
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                assert not name.startswith(forbidden), f"{source.name} imports {name}"


def test_a_new_ticket_takes_the_accounts_next_ticket_number(dataset):
    """Zendesk numbers tickets in one sequence per account: a new ticket follows the newest,
    whatever ids users and comments took meanwhile."""
    from triage_sandbox.state import SandboxState

    state = SandboxState(copy.deepcopy(dataset))
    newest = max(state.tickets)
    requester = state.end_user("Nova Newcomer", "nova@example.org")  # a user id drawn first
    ticket = state.create_ticket({"subject": "Hello"}, requester, requester, "Hi", dt.datetime.now(dt.UTC))
    assert ticket["id"] == newest + 1
    assert requester["id"] != ticket["id"] - 1
