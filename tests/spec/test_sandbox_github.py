"""The sandbox's GitHub writes and issue search, as GitHub documents them (issue 26).

Evidence, named per test: ../shared/api/README.md ("README", the facts of 2026-12-07 under
"GitHub": create an issue `POST /repos/{o}/{r}/issues` {title, body, labels}, comment
`POST /repos/{o}/{r}/issues/{n}/comments`, duplicates by
`GET /search/issues?q=repo:{o}/{r}+is:issue+is:open+<words>`, the search API's own limit of
30 requests a minute for a token). Where the README says nothing, what GitHub's REST
reference says and we assumed is stated in the test: 201 for a created issue, comment or
assignees; 422 "Validation Failed" with `errors[]` for a body GitHub will not take; the search
answer {total_count, incomplete_results, items}; assignees without push access silently left
out and those already assigned kept; a 403 or 429 over the search limit (the sandbox says 429).
"""

from __future__ import annotations

from tests.spec.test_sandbox_strict import call, get

MAIN = "PostHog/posthog"


def gh(app, method: str, target: str, body=None):
    return call(app, method, target, body, bearer=True)


def test_an_issue_is_created_with_its_labels_and_listed_after(make):
    # README: `POST /repos/{o}/{r}/issues` ({title, body, labels}); GitHub answers 201 with
    # the issue (number, html_url) and a Location header.
    app = make()
    answer = gh(
        app,
        "POST",
        f"/repos/{MAIN}/issues",
        {"title": "Funnel breaks", "body": "From: https://x.zendesk.com/agent/tickets/1", "labels": ["bug"]},
    )
    assert answer.status == 201
    issue = answer.body
    assert issue["html_url"] == f"https://github.com/{MAIN}/issues/{issue['number']}"
    assert [label["name"] for label in issue["labels"]] == ["bug"] and issue["state"] == "open"
    assert answer.headers["Location"].endswith(f"/repos/{MAIN}/issues/{issue['number']}")
    listed = get(app, f"/repos/{MAIN}/issues?state=open&per_page=100", bearer=True).body
    assert issue["number"] in [i["number"] for i in listed]
    assert app.state.writes[-1]["path"] == f"/repos/{MAIN}/issues"


def test_an_issue_without_a_title_or_with_bad_labels_is_422(make):
    # GitHub's reference: title is required; an invalid body is 422 "Validation Failed".
    app = make()
    for body in ({"body": "no title"}, {"title": "  "}, {"title": "x", "labels": "bug"}, {"title": "x", "labels": [3]}):
        answer = gh(app, "POST", f"/repos/{MAIN}/issues", body)
        assert answer.status == 422, body
        assert answer.body["message"] == "Validation Failed" and answer.body["errors"][0]["field"]
    assert gh(app, "POST", "/repos/PostHog/not-ours/issues", {"title": "x"}).status == 404
    assert not app.state.writes


def test_comments_are_listed_and_created(make):
    # README: comment with `POST /repos/{o}/{r}/issues/{n}/comments`; GitHub's reference:
    # `GET` lists them oldest first, `body` is required (422 without), 201 with the comment.
    app = make()
    number = app.state.issues[MAIN][0]["number"]
    before = get(app, f"/repos/{MAIN}/issues/{number}/comments", bearer=True)
    assert before.status == 200 and len(before.body) == app.state.issues[MAIN][0]["comments"]
    assert gh(app, "POST", f"/repos/{MAIN}/issues/{number}/comments", {"body": ""}).status == 422
    made = gh(app, "POST", f"/repos/{MAIN}/issues/{number}/comments", {"body": "+1 from a customer"})
    assert made.status == 201 and made.body["user"]["login"] == "sandbox-agent"
    after = get(app, f"/repos/{MAIN}/issues/{number}/comments", bearer=True).body
    assert after[-1]["body"] == "+1 from a customer" and len(after) == len(before.body) + 1
    issue = get(app, f"/repos/{MAIN}/issues/{number}", bearer=True).body
    assert issue["comments"] == len(after)
    assert gh(app, "POST", f"/repos/{MAIN}/issues/999999/comments", {"body": "x"}).status == 404


def test_assignees_are_added_not_replaced_and_outsiders_are_left_out(make):
    # GitHub's reference (Add assignees): "Users already assigned to an issue are not
    # replaced"; only people with push access can be assigned, others are silently ignored.
    app = make()
    number = app.state.issues[MAIN][1]["number"]
    first = gh(app, "POST", f"/repos/{MAIN}/issues/{number}/assignees", {"assignees": ["marina-mobile"]})
    assert first.status == 201
    second = gh(app, "POST", f"/repos/{MAIN}/issues/{number}/assignees", {"assignees": ["sandbox-agent", "stranger"]})
    assert [a["login"] for a in second.body["assignees"]] == ["marina-mobile", "sandbox-agent"]
    assert gh(app, "POST", f"/repos/{MAIN}/issues/{number}/assignees", {"assignees": "me"}).status == 422


def test_search_finds_open_issues_of_one_repository_by_words(make):
    # README: `GET /search/issues?q=repo:{o}/{r}+is:issue+is:open+<words>`; GitHub's reference:
    # {total_count, incomplete_results, items}; a missing q is 422.
    app = make()
    answer = get(app, f"/search/issues?q=repo:{MAIN}+is:issue+is:open+funnel+zero", bearer=True)
    assert answer.status == 200
    assert answer.body["incomplete_results"] is False
    assert answer.body["total_count"] == 1
    assert answer.body["items"][0]["title"].startswith("Funnel conversion drops to zero")
    other = get(app, "/search/issues?q=repo:PostHog/posthog-js+is:issue+is:open+funnel+zero", bearer=True)
    assert other.body["total_count"] == 0
    closed = app.state.issues[MAIN][0]
    closed["state"] = "closed"
    assert get(app, f"/search/issues?q=repo:{MAIN}+is:issue+is:open+funnel", bearer=True).body["total_count"] == 0
    assert get(app, "/search/issues?q=", bearer=True).status == 422


def test_search_has_its_own_limit_of_30_a_minute(make, clocks):
    # README: "the search API has its own limit of 30 requests per minute for a token";
    # GitHub answers 403 or 429 past it (the sandbox: 429 with Retry-After). Other calls go on.
    app = make()
    query = f"/search/issues?q=repo:{MAIN}+is:issue+is:open+cohort"
    answers = [get(app, query, bearer=True) for _ in range(30)]
    assert all(a.status == 200 for a in answers)
    assert answers[-1].headers["x-ratelimit-remaining"] == "0"
    refused = get(app, query, bearer=True)
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.headers["x-ratelimit-resource"] == "search"
    assert get(app, f"/repos/{MAIN}/issues", bearer=True).status == 200
    clocks.advance(61)
    assert get(app, query, bearer=True).status == 200


def test_a_locked_issue_refuses_comments(make):
    # GitHub's reference (Create an issue comment): 403 Forbidden on a locked conversation
    # for someone who may not comment there; the sandbox's token is such a user.
    app = make()
    issue = app.state.issues[MAIN][2]
    issue["locked"] = True
    answer = gh(app, "POST", f"/repos/{MAIN}/issues/{issue['number']}/comments", {"body": "+1"})
    assert answer.status == 403 and not app.state.writes
