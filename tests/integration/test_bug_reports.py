"""A bug report or feature request from a ticket reaches GitHub and Zendesk as the Support
Hero page asks ("How do I handle a bug report or feature request?"), exactly once (issue 26).

Read back from the sandbox's own state: the issues and comments GitHub holds, the
ticket's comments and status in Zendesk.
"""

from __future__ import annotations

import pytest

from tests.conftest import Closing
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage.bug_reports import BUG, FEATURE, BugReport

MAIN = "PostHog/posthog"
DUPLICATE = 27100  # seeded: "Funnel conversion drops to zero after step 3 with breakdown"


def open_ticket(engine) -> dict:
    found = sorted(
        (t for t in engine.store.unsolved().values() if t["status"] in ("new", "open")), key=lambda t: t["id"]
    )
    return found[0]


def report_for(ticket: dict, kind: str = BUG, priority: str = "high") -> BugReport:
    url = f"https://example.zendesk.com/agent/tickets/{ticket['id']}"
    return BugReport(kind, ticket["id"], url, "Ada", "Funnel shows 0% after step 3", "Steps: open the funnel", priority)


def issues_like(sandbox, title: str) -> list[dict]:
    return [issue for issue in sandbox.state.issues[MAIN] if issue["title"] == title]


def public_comments(sandbox, ticket_id: int) -> list[str]:
    return [c["body"] for c in sandbox.state.comments.get(ticket_id, []) if c.get("public")]


async def test_a_bug_report_opens_one_issue_then_replies_with_its_link_and_sets_pending(strict, engine):
    ticket = open_ticket(engine)
    engine.writes.bug_report(TicketRef.of(ticket), report_for(ticket), MAIN, None, channel="#team-product-analytics")
    sent = await engine.engine.send()
    await engine.drain()
    [issue] = issues_like(strict, "Funnel shows 0% after step 3")
    assert [label["name"] for label in issue["labels"]] == ["bug"]
    assert f"From: https://example.zendesk.com/agent/tickets/{ticket['id']}" in issue["body"]
    assert issue["body"].startswith("Steps: open the funnel")
    replies = [body for body in public_comments(strict, ticket["id"]) if issue["html_url"] in body]
    assert len(replies) == 1 and replies[0].startswith("Hey Ada, thanks")
    assert strict.state.tickets[ticket["id"]]["status"] == "pending"
    assert sent.copies == [f"New bug report from a high priority customer: {issue['html_url']}"]


async def test_a_known_feature_request_gets_a_plus_one_and_a_solved_reply(strict, engine):
    ticket = open_ticket(engine)
    before = len(strict.state.issues[MAIN])
    engine.writes.bug_report(TicketRef.of(ticket), report_for(ticket, FEATURE, "normal"), MAIN, DUPLICATE)
    await engine.drain()
    await engine.drain()
    assert len(strict.state.issues[MAIN]) == before  # no new issue
    comments = strict.state.issue_comments[f"{MAIN}#{DUPLICATE}"]
    assert comments[-1]["body"].startswith("+1") and f"/agent/tickets/{ticket['id']}" in comments[-1]["body"]
    [reply] = [body for body in public_comments(strict, ticket["id"]) if f"issues/{DUPLICATE}" in body]
    assert "upvote" in reply
    assert strict.state.tickets[ticket["id"]]["status"] == "solved"


@pytest.mark.parametrize("kind", ["github_issue_create", "github_comment"])
async def test_a_send_whose_answer_was_lost_finds_its_issue_and_replies_once(strict, engine, kind):
    """The GitHub write reached GitHub but its answer never came back (the entry stays
    "sending", as after a crash): the next round finds it by its marker, posts nothing twice."""
    ticket = open_ticket(engine)
    existing = None if kind == "github_issue_create" else DUPLICATE
    entry = engine.writes.bug_report(TicketRef.of(ticket), report_for(ticket), MAIN, existing)
    payload = entry["payload"]
    # What GitHub holds after the lost answer: exactly what the entry sent.
    github = engine.clients.github
    if existing is None:
        await github.create_issue(MAIN, payload["title"], payload["body"], payload["labels"])
    else:
        await github.add_comment(MAIN, DUPLICATE, payload["body"])
    engine.outbox.update(entry["id"], status="sending", attempts=1)
    await engine.drain()
    await engine.drain()
    if existing is None:
        assert len(issues_like(strict, "Funnel shows 0% after step 3")) == 1
    else:
        bodies = [c["body"] for c in strict.state.issue_comments[f"{MAIN}#{DUPLICATE}"]]
        assert bodies.count(payload["body"]) == 1
    issue_posts = [w for w in strict.state.writes if w.get("api") == "github" and w.get("method") == "POST"]
    assert len(issue_posts) == 1
    assert len([b for b in public_comments(strict, ticket["id"]) if f"github.com/{MAIN}/issues/" in b]) == 1
    assert engine.outbox.get(entry["id"])["status"] == "sent"


async def test_the_duplicate_search_over_githubs_limit_says_when_to_try_again(dataset, tmp_path, closing: Closing):
    """README: the search API's own limit of 30 requests a minute; the form's search is one
    request at most, and past the limit the answer is a line saying so, not a long wait."""
    import copy

    from tests.helpers import Engine
    from triage_sandbox.server import Sandbox, SandboxSettings
    from triage_tui.sync.github_reads import answer

    with Sandbox(copy.deepcopy(dataset), settings=SandboxSettings(github_search_per_minute=1)) as sandbox:
        running = closing(Engine(sandbox.url, tmp_path / "cache"))
        first = await answer(running.clients, "github_search", (MAIN, "funnel zero"))
        assert first.error is None and [i["number"] for i in first.issues] == [DUPLICATE]
        second = await answer(running.clients, "github_search", (MAIN, "funnel zero"))
        assert second.error is not None and second.error.startswith("GitHub's search limit (30 a minute) reached")
        assert sandbox.state.requests["github GET /search/issues"] <= 3


async def test_while_github_has_not_got_it_the_ticket_shows_the_report_queued(strict, engine):
    """The reply waits for the issue: meanwhile the queue marks the ticket ↑ and its detail
    names the GitHub write, as for any write of the ticket's own."""
    from triage_tui.read.reads import Reads
    from triage_tui.targets import Target

    ticket = open_ticket(engine)
    entry = engine.writes.bug_report(TicketRef.of(ticket), report_for(ticket), MAIN, None)
    reads = Reads(engine.store, engine.outbox)
    assert ticket["id"] in reads.queued_ticket_ids()
    assert [e["id"] for e in reads.unsent_for(Target.ticket(ticket["id"]))] == [entry["id"]]
    await engine.drain()
    await engine.drain()
    assert ticket["id"] not in reads.queued_ticket_ids()
