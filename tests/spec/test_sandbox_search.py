"""The sandbox's `GET /api/v2/search` and `GET /api/v2/search/count` find what a support
engineer types, as Zendesk's search does, and no more.

Each test names its evidence: the Zendesk Support OpenAPI description in
`../shared/api/zendesk/support-api.oas.yaml` ("spec", with its line), the facts in
`../shared/api/README.md` ("README"), Zendesk's guide "Searching with the Zendesk API"
("guide") or the Zendesk Support search reference ("reference"). Expected values are read
from the seeded dataset (`triage_sandbox/data.py`), never from the code under test.
"""

from __future__ import annotations

from urllib.parse import quote

from tests.spec import openapi
from tests.spec.test_sandbox_strict import call, get, relative
from triage_sandbox.server import SandboxApp

# The strict suite's fixtures: a socket-free app on the seeded dataset, with clocks moved by hand.

SEARCH = "/api/v2/search.json?query="
COUNT = "/api/v2/search/count.json?query="
KINDS = {"ticket", "user", "organization", "group"}


def results(app: SandboxApp, query: str, extra: str = "") -> list[dict]:
    """Every result of a search, page after page (at most 100 a page)."""
    response = get(app, SEARCH + quote(query) + extra)
    assert response.status == 200, response.body
    body = response.body
    found = list(body["results"])
    while body["next_page"]:
        body = get(app, relative(body["next_page"])).body
        found += body["results"]
    assert len(found) == response.body["count"]
    return found


def tickets(app: SandboxApp, query: str) -> set[int]:
    return {r["id"] for r in results(app, query) if r["result_type"] == "ticket"}


def live(app: SandboxApp) -> list[dict]:
    return [t for t in app.state.tickets.values() if t["status"] != "deleted"]


def user_named(app: SandboxApp, email: str) -> dict:
    return next(u for u in app.state.users.values() if u["email"] == email)


# -- ids (guide: "Search for a ticket by id: 3245227") -------------------------------------
def test_a_bare_number_finds_the_ticket_with_that_id_whatever_its_status(make):
    app = make()
    assert app.state.tickets[41001]["status"] == "new" and app.state.tickets[41100]["status"] == "solved"
    assert [(r["result_type"], r["id"]) for r in results(app, "41001")] == [("ticket", 41001)]
    assert [(r["result_type"], r["id"]) for r in results(app, "type:ticket 41100")] == [("ticket", 41100)]
    assert results(app, "99999999") == []


# -- people (reference: requester/assignee take "the user's name, email address, or user ID") --
def test_requester_by_email_any_case_by_name_and_by_id(make):
    app = make()
    requester = app.state.users[app.state.tickets[41001]["requester_id"]]
    assert requester["email"] == "yukihiro.vanrossum108@hooli.example.com"
    theirs = {t["id"] for t in live(app) if t["requester_id"] == requester["id"]}
    assert len(theirs) == 4 and 41001 in theirs
    assert tickets(app, f"requester:{requester['email']}") == theirs
    assert tickets(app, f"requester:{requester['email'].upper()}") == theirs
    assert tickets(app, f"requester:{requester['id']}") == theirs
    assert tickets(app, f'requester:"{requester["name"]}"') == theirs
    assert tickets(app, "requester:yukihiro.vanrossum108") == set()  # an email is matched whole
    # Three customers share this name: the name means each of them.
    namesakes = {u["id"] for u in app.state.users.values() if u["name"] == "Anita Johnson"}
    assert len(namesakes) == 3
    expected = {t["id"] for t in live(app) if t["requester_id"] in namesakes}
    assert tickets(app, 'requester:"anita johnson"') == expected and len(expected) == 8


def test_assignee_by_email_name_id_me_and_none(make):
    app = make()
    rosa = user_named(app, "rosa@example.com")
    hers = {t["id"] for t in live(app) if t["assignee_id"] == rosa["id"]}
    assert hers
    assert tickets(app, "assignee:Rosa@Example.com") == hers
    assert tickets(app, 'assignee:"Rosa Replay"') == hers
    assert tickets(app, f"assignee:{rosa['id']}") == hers
    mine = {t["id"] for t in live(app) if t["assignee_id"] == user_named(app, "agent@example.com")["id"]}
    assert mine and tickets(app, "assignee:me") == mine
    unassigned = {t["id"] for t in live(app) if t["assignee_id"] is None and t["status"] in ("new", "open")}
    assert unassigned and tickets(app, "assignee:none status<pending") == unassigned


# -- organizations and groups (reference: "an organization's name or ID", quoted with spaces) ---
def test_organization_by_quoted_name_any_case_and_by_id(make):
    app = make()
    gmail = next(o for o in app.state.organizations.values() if o["name"].startswith("Gmail user"))
    theirs = {t["id"] for t in live(app) if t["organization_id"] == gmail["id"]}
    assert len(theirs) == 19
    assert tickets(app, 'type:ticket organization:"Gmail user - please assign to correct org"') == theirs
    assert tickets(app, 'organization:"GMAIL USER - please assign to correct org"') == theirs
    assert tickets(app, f"organization:{gmail['id']}") == theirs
    assert tickets(app, "organization:Gmail") == set()  # a name is matched whole
    # Without type:ticket the org's people are found too: a client filters by result_type.
    people = [r for r in results(app, f"organization:{gmail['id']}") if r["result_type"] == "user"]
    assert people and all(p["organization_id"] == gmail["id"] for p in people)


def test_group_by_name_and_by_id(make):
    app = make()
    replay = next(g for g in app.state.groups.values() if g["name"] == "Replay")
    theirs = {t["id"] for t in live(app) if t["group_id"] == replay["id"]}
    assert theirs
    assert tickets(app, "group:replay") == theirs
    assert tickets(app, f"group:{replay['id']}") == theirs


# -- free text (reference: text matches the subject, description and comments) --------------
def test_free_text_finds_a_phrase_said_only_in_a_comment_in_whole_words(make):
    app = make()
    (noted,) = [t for t in live(app) if "cs_tagged" in t["tags"]]
    assert "renewal" not in f"{noted['subject']} {noted['description']}".lower()
    assert any("renewal next week" in c["body"] for c in app.state.comments[noted["id"]])
    assert tickets(app, '"renewal next week"') == {noted["id"]}
    assert tickets(app, "RENEWAL week") == {noted["id"]}  # case-insensitive; terms all hold
    assert tickets(app, '"renewal week"') == set()  # a phrase stays whole
    assert tickets(app, "renew") == set()  # words, not parts of words ...
    assert tickets(app, "renew*") == {noted["id"]}  # ... unless the wildcard asks for it
    assert noted["id"] not in tickets(app, '-"renewal next week" status<solved')


# -- solved, closed and deleted (README "deleted tickets"; spec ListSearchResults) ----------
def test_solved_and_closed_tickets_are_found_and_a_deleted_one_is_not_once_indexed(make, clocks):
    app = make()
    closed = min(t["id"] for t in live(app) if t["status"] == "closed")
    assert tickets(app, str(closed)) == {closed} and tickets(app, "41100") == {41100}
    solved = {t["id"] for t in live(app) if t["status"] == "solved"}
    assert len(solved) == 52 and tickets(app, "status:solved") == solved
    assert call(app, "DELETE", "/api/v2/tickets/41001.json").status == 204
    assert tickets(app, "41001") == {41001}  # search indexes late (README "Zendesk freshness")
    clocks.advance(61)
    assert tickets(app, "41001") == set()
    assert get(app, COUNT + "41001").body == {"count": 0}


# -- kinds (spec line 28328 SearchResponse.results: "May consist of tickets, users, groups, or
# organizations, as specified by the `result_type` property in each result object") ----------
def test_without_type_results_mix_kinds_each_with_result_type(make):
    app = make()
    mixed = results(app, "Anita")
    kinds = {r["result_type"] for r in mixed}
    assert {"user", "ticket"} <= kinds <= KINDS
    anitas = {u["id"] for u in app.state.users.values() if u["name"].split(" ")[0] == "Anita"}
    assert {r["id"] for r in mixed if r["result_type"] == "user"} == anitas
    # The customer signs her first message "Anita": her tickets are found by their comments.
    assert {r["id"] for r in mixed if r["result_type"] == "ticket"} >= {41299}
    hooli = results(app, "hooli")
    assert [r["id"] for r in hooli if r["result_type"] == "organization"] == [5000000005]
    assert {r["result_type"] for r in hooli} == {"organization", "user"}  # customers' email domain
    assert [r["name"] for r in results(app, '"AI & client libraries"') if r["result_type"] == "group"] == [
        "AI & client libraries"
    ]
    page = get(app, SEARCH + "Anita").body
    assert openapi.zendesk().errors("GET", "/api/v2/search.json", 200, page) == []


def test_type_narrows_the_kinds(make):
    # guide: `type:ticket status:open`, `type:user "Jane Doe"`.
    app = make()
    assert {r["result_type"] for r in results(app, "type:ticket Anita")} == {"ticket"}
    only_users = results(app, 'type:user "Anita Johnson"')
    assert {r["result_type"] for r in only_users} == {"user"} and len(only_users) == 3
    opened = {t["id"] for t in live(app) if t["status"] == "open"}
    assert {r["id"] for r in results(app, "type:ticket status:open")} == opened
    assert len(results(app, "type:organization")) == len(app.state.organizations) == 22
    # A ticket property leaves the other kinds out: the queue's own queries stay tickets only.
    assert {r["result_type"] for r in results(app, "status<solved")} == {"ticket"}


def test_sorting_a_mixed_result_and_sideloading_for_its_tickets(make):
    # spec line 11250 sort_by: "One of `updated_at`, `created_at`, `priority`, `status`, or `ticket_type`".
    app = make()
    body = get(app, SEARCH + "Anita&sort_by=updated_at&sort_order=desc&include=tickets(users)").body
    ticket_results = [r for r in body["results"] if r["result_type"] == "ticket"]
    stamps = [r["updated_at"] for r in ticket_results]
    assert stamps == sorted(stamps, reverse=True)
    assert {r["requester_id"] for r in ticket_results} <= {u["id"] for u in body["users"]}


# -- count (spec line 11269 CountSearchResults; line 28244 SearchCountResponse) ----------------
def test_count_answers_in_the_spec_shape_and_agrees_with_the_search(make):
    # spec: "Returns the number of items matching the query rather than the items. The search
    # string works the same as a regular search." SearchCountResponseExample: {count: 6}.
    app = make()
    for query in ("Anita", "type:ticket status:solved", 'requester:"Anita Johnson"', "41001", "hooli"):
        response = get(app, COUNT + quote(query))
        assert response.status == 200 and set(response.body) == {"count"}
        assert response.body["count"] == get(app, SEARCH + quote(query)).body["count"] == len(results(app, query))
        assert openapi.zendesk().errors("GET", "/api/v2/search/count.json", 200, response.body) == []
    assert get(app, COUNT + "type:ticket status:solved").body == {"count": 52}
    assert get(app, COUNT + "status:bogus").status == 400  # refused as the search refuses it
    assert get(app, "/api/v2/search/count.json").status == 400  # spec line 11285: query "required: true"
    assert get(app, "/api/v2/search.json?query=").status == 400


def test_count_is_allowed_to_agents_and_spends_the_account_budget(make):
    # spec line 11280: "Allowed For - Agents"; README "Zendesk 429": one budget per account.
    app = make(zendesk_per_minute=3)
    assert get(app, COUNT + "41001").status == 200  # agent@example.com, an agent
    assert get(app, COUNT + "41001", email="rosa@example.com").status == 200
    assert get(app, "/api/v2/groups.json").status == 200
    refused = get(app, COUNT + "41001")
    assert refused.status == 429 and refused.headers["Retry-After"]


# -- lag (README "Zendesk freshness": search can take "up to a few minutes" to index) ---------
def test_a_change_and_a_new_comment_are_found_only_after_the_indexing_lag(make, clocks):
    app = make()
    rosa = user_named(app, "rosa@example.com")
    assert app.state.tickets[41001]["assignee_id"] is None
    before = get(app, COUNT + "assignee:rosa@example.com").body["count"]
    update = {"assignee_id": rosa["id"], "comment": {"body": "Kumquat telemetry confirmed", "public": False}}
    assert call(app, "PUT", "/api/v2/tickets/41001.json", {"ticket": update}).status == 200
    clocks.advance(59)
    assert 41001 not in tickets(app, "assignee:rosa@example.com")
    assert get(app, COUNT + "assignee:rosa@example.com").body == {"count": before}
    assert tickets(app, '"kumquat telemetry"') == set()
    assert tickets(app, "41001") == {41001}  # the old version is still found
    clocks.advance(2)
    assert 41001 in tickets(app, "assignee:rosa@example.com")
    assert get(app, COUNT + "assignee:rosa@example.com").body == {"count": before + 1}
    assert tickets(app, '"kumquat telemetry"') == {41001}
    assert app.settings.search_lag_seconds == 60


def test_a_key_search_does_not_know_is_words_not_a_property_every_ticket_has(make):
    """A typed `error:500`, a URL or a typo must not find every ticket (nor, negated, none):
    the sandbox tolerating unknown keys hid bad queries that real Zendesk would not answer so."""
    app = make()
    everything = {t["id"] for t in live(app)}
    assert tickets(app, "stauts:open") != everything
    assert tickets(app, "-stauts:open") == everything
    assert tickets(app, "error:500") == set()
