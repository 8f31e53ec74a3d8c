"""Every tag lands, and a uniform change to many tickets is one bulk request (issue 23).

Against the strict sandbox, which does what Zendesk documents (../shared/api/README.md,
"Facts found ... 2026-12-07", "Tags" and "Bulk"; the OpenAPI description's
TicketUpdateRequest has no additional_tags/remove_tags, TicketsUpdateRequest has them):
a single update ignores additional_tags/remove_tags, the tags endpoints add and remove,
`update_many?ids=` (at most 100 ids) runs as a job read through job_statuses.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from tests.conftest import FROZEN_NOW, Closing
from tests.helpers import Engine
from triage_sandbox.server import Sandbox, SandboxSettings
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage.macros import ChangeSet, changes_from_actions

INCIDENT = {"id": "01INC231", "reference": "INC-231"}


def sandbox_tags(sandbox: Sandbox, ticket_id: int) -> list[str]:
    return list(sandbox.state.tickets[ticket_id].get("tags") or [])


def open_tickets(engine: Engine, count: int) -> list[dict]:
    found = [t for t in engine.store.unsolved().values() if t["status"] in ("new", "open")]
    assert len(found) >= count
    return sorted(found, key=lambda t: t["id"])[:count]


def single_puts(sandbox: Sandbox) -> list[dict]:
    return [w for w in sandbox.state.writes if w.get("method") == "PUT" and "ticket_id" in w and "path" not in w]


def bulk_requests(sandbox: Sandbox) -> list[dict]:
    return [w for w in sandbox.state.writes if str(w.get("path", "")).startswith("/api/v2/tickets/update_many")]


# -- one ticket: the tag reaches Zendesk ---------------------------------------------------
async def test_an_escalation_lands_its_tag_group_and_note_once(strict, engine):
    ticket = open_tickets(engine, 1)[0]
    group = next(g for g in strict.state.groups.values() if g["id"] != ticket.get("group_id"))
    note = "Found: a 500 on /decide. Needed: a look at the flags service."
    engine.writes.update_ticket(
        TicketRef.of(ticket),
        ChangeSet(comment=note, public=False, group_id=group["id"], add_tags=("escalated",)),
        "escalate",
    )
    await engine.drain()
    assert not engine.outbox.entries(("pending", "sending", "failed", "conflict"))
    assert "escalated" in sandbox_tags(strict, ticket["id"])
    assert strict.state.tickets[ticket["id"]]["group_id"] == group["id"]
    assert [c["body"] for c in strict.state.comments[ticket["id"]]].count(note) == 1
    assert "escalated" in engine.store.ticket(ticket["id"])["tags"]  # the cache knows at once
    # A single update carried no bulk-only field: the tag went through the tags endpoint.
    assert all("additional_tags" not in w["body"] for w in single_puts(strict))


async def test_an_incident_attach_tags_the_ticket_and_attaches_it(strict, engine):
    ticket = open_tickets(engine, 1)[0]
    engine.writes.attach_to_incident(TicketRef.of(ticket), INCIDENT)
    await engine.drain()
    assert "incident/231" in sandbox_tags(strict, ticket["id"])
    attached = [a for a in strict.state.incident_attachments if a["resource"]["external_id"] == str(ticket["id"])]
    assert attached and attached[0]["incident_id"] == INCIDENT["id"]


async def test_a_macros_tag_actions_add_and_remove_tags_with_its_reply(strict, engine):
    ticket = next(t for t in open_tickets(engine, 20) if t.get("tags"))
    old = ticket["tags"][0]
    actions = [
        {"field": "comment_value", "value": "Hey there, a lead for sales."},
        {"field": "current_tags", "value": "sf-lead follow_up"},
        {"field": "remove_tags", "value": old},
    ]
    change = changes_from_actions(actions, {})
    engine.writes.update_each([(TicketRef.of(ticket), change)], "macro Create a lead")
    await engine.drain()
    tags = sandbox_tags(strict, ticket["id"])
    assert "sf-lead" in tags and "follow_up" in tags and old not in tags
    assert [c["body"] for c in strict.state.comments[ticket["id"]]].count("Hey there, a lead for sales.") == 1


async def test_a_macro_on_marked_tickets_replies_to_each_and_tags_them_in_one_bulk_request(strict, engine):
    tickets = open_tickets(engine, 3)
    actions = [
        {"field": "comment_value", "value": "Hey {{ticket.requester.first_name}}, a lead for sales."},
        {"field": "current_tags", "value": "sf-lead"},
    ]
    each = [
        (TicketRef.of(t), changes_from_actions(actions, {"ticket.requester.first_name": f"n{t['id']}"}))
        for t in tickets
    ]
    engine.writes.update_each(each, "macro Create a lead")
    await engine.drain()
    assert not engine.outbox.entries(("pending", "sending", "failed", "conflict"))
    for ticket in tickets:
        assert "sf-lead" in sandbox_tags(strict, ticket["id"])
        bodies = [c["body"] for c in strict.state.comments[ticket["id"]]]
        assert bodies.count(f"Hey n{ticket['id']}, a lead for sales.") == 1  # texts stay one per ticket
    assert len(single_puts(strict)) == 3 and [len(w["ids"]) for w in bulk_requests(strict)] == [3]


async def test_tickets_attached_together_are_found_by_their_tag_for_a_follow_up(strict, engine):
    tickets = open_tickets(engine, 3)
    engine.writes.attach_many(TicketRef.each(tickets), INCIDENT)
    await engine.drain()
    assert len(bulk_requests(strict)) == 1  # the tag: one bulk request for the three
    await engine.engine.poll("zendesk")
    tagged = {t["id"] for t in engine.store.tickets_tagged("incident/231")}
    assert {t["id"] for t in tickets} <= tagged  # what F (follow-up) replies to


async def test_a_tag_request_interrupted_is_checked_before_it_is_sent_again(strict, engine):
    ticket = open_tickets(engine, 1)[0]
    entry = engine.writes.update_ticket(TicketRef.of(ticket), ChangeSet(add_tags=("escalated",)), "tag")
    assert entry["kind"] == "ticket_tags"
    await engine.drain()
    engine.outbox.update(entry["id"], status="sending")  # as if the answer never came
    writes_before = len(strict.state.writes)
    await engine.drain()
    assert engine.outbox.get(entry["id"])["status"] == "sent"
    assert engine.outbox.get(entry["id"])["note"] == "found applied after an interrupted send"
    assert len(strict.state.writes) == writes_before


async def test_a_reply_status_and_tag_interrupted_after_sending_are_found_applied_not_sent_twice(strict, engine):
    ticket = open_tickets(engine, 1)[0]
    text = "Hey, we escalated this to the team."
    change = ChangeSet(comment=text, status="pending", add_tags=("escalated",))
    engine.writes.update_each([(TicketRef.of(ticket), change)], "reply + pending")
    entries = engine.outbox.entries(("pending",))
    assert [e["kind"] for e in entries] == ["ticket_update", "ticket_tags"]
    await engine.drain()
    for entry in entries:  # a crash after each request left, before its answer was saved
        engine.outbox.update(entry["id"], status="sending")
    writes_before = len(strict.state.writes)
    await engine.restart()
    await engine.drain()
    assert [engine.outbox.get(e["id"])["status"] for e in entries] == ["sent", "sent"]
    assert len(strict.state.writes) == writes_before  # checked (audits, then tags), not resent
    assert [c["body"] for c in strict.state.comments[ticket["id"]]].count(text) == 1
    assert strict.state.tickets[ticket["id"]]["status"] == "pending"
    assert sandbox_tags(strict, ticket["id"]).count("escalated") == 1


# -- many tickets: one bulk request per 100 ------------------------------------------------
@pytest.fixture
def busy(dataset):
    """An account with 180 unsolved tickets, the team plan's 200 requests a minute and
    Zendesk's 100 ticket updates a minute."""
    data = copy.deepcopy(dataset)
    reopened = 0
    for ticket in sorted(data["tickets"], key=lambda t: t["id"]):
        if ticket["status"] in ("solved", "closed") and reopened < 100:
            ticket["status"], reopened = "open", reopened + 1
    with Sandbox(data, settings=SandboxSettings(plan="team", search_lag_seconds=0)) as running:
        yield running


async def test_a_status_change_to_150_marked_tickets_is_two_bulk_requests_and_no_429(busy, tmp_path, closing: Closing):
    engine = closing(Engine(busy.url, tmp_path / "cache"))
    await engine.engine.poll("zendesk")
    marked = open_tickets(engine, 150)
    requests_before = sum(n for key, n in busy.state.requests.items() if key.startswith("zendesk"))
    engine.writes.update_tickets(
        TicketRef.each(marked), ChangeSet(status="pending", add_tags=("bulk-checked",)), "status Pending"
    )
    lines = []
    for _ in range(10):
        report = await engine.engine.send()
        lines += report.jobs
        if not engine.outbox.entries(("pending", "sending")):
            break
    entries = engine.outbox.entries()
    assert [e["status"] for e in entries] == ["sent"] * 150
    assert [len(w["ids"]) for w in bulk_requests(busy)] == [100, 50]
    assert single_puts(busy) == []
    assert lines == ["bulk: 100 of 100 updated", "bulk: 50 of 50 updated"]  # each outcome shown
    for ticket in marked:
        assert busy.state.tickets[ticket["id"]]["status"] == "pending"
        assert "bulk-checked" in sandbox_tags(busy, ticket["id"])
        cached = engine.store.ticket(ticket["id"])
        assert cached is not None and cached["status"] == "pending" and "bulk-checked" in cached["tags"]  # at once
    spent = sum(n for key, n in busy.state.requests.items() if key.startswith("zendesk")) - requests_before
    polls = busy.state.requests["zendesk GET /api/v2/job_statuses/show_many.json"]
    assert spent == 2 + polls and polls <= 3  # 2 bulk requests, both jobs read in one request a time
    assert engine.clients.zendesk is not None
    assert engine.clients.zendesk.http.rate_limited_until == 0.0  # no 429 for the account


async def test_a_ticket_its_job_could_not_update_stays_visible_and_retryable(strict, engine):
    tickets = open_tickets(engine, 5)
    unlucky = tickets[2]["id"]
    strict.state.job_failures[unlucky] = "Ticket is being merged"
    engine.writes.update_tickets(TicketRef.each(tickets), ChangeSet(priority="urgent"), "priority urgent")
    await engine.drain()
    failed = engine.outbox.entries(("failed",))
    assert [e["payload"]["ticket_id"] for e in failed] == [unlucky]
    assert "Ticket is being merged" in failed[0]["last_error"]
    assert engine.outbox.counts()["failed"] == 1  # the status line's count
    assert f"zendesk:ticket:{unlucky}" in engine.writes.pending_targets()  # the queue's marker
    assert strict.state.tickets[unlucky]["priority"] != "urgent"
    assert all(strict.state.tickets[t["id"]]["priority"] == "urgent" for t in tickets if t["id"] != unlucky)

    engine.outbox.reapply(failed[0]["id"])  # the user retries it (C, re-apply)
    await engine.drain()
    assert engine.outbox.get(failed[0]["id"])["status"] == "sent"
    assert strict.state.tickets[unlucky]["priority"] == "urgent"
    assert [len(w["ids"]) for w in bulk_requests(strict)] == [5, 1]


async def test_a_crash_while_the_job_runs_follows_the_job_after_the_restart(strict, engine):
    tickets = open_tickets(engine, 4)
    engine.writes.update_tickets(TicketRef.each(tickets), ChangeSet(add_tags=("bulk-once",)), "tag bulk-once")
    report = await engine.engine.send()  # submitted: the job id is on disk, the job still queued
    assert report.wake_in == 1.0  # the sender comes back to read the job in a second, not at its idle pace
    jobs = {e.get("job_id") for e in engine.outbox.entries()}
    assert len(jobs) == 1 and None not in jobs
    await engine.restart()
    await engine.drain()
    assert [e["status"] for e in engine.outbox.entries()] == ["sent"] * 4
    assert len(bulk_requests(strict)) == 1  # followed, not sent again
    assert all(sandbox_tags(strict, t["id"]).count("bulk-once") == 1 for t in tickets)


async def test_a_crash_before_the_job_id_was_saved_sends_the_change_again_harmlessly(strict, engine):
    tickets = open_tickets(engine, 3)
    entries = engine.writes.update_tickets(
        TicketRef.each(tickets), ChangeSet(add_tags=("bulk-again",)), "tag bulk-again"
    )
    await engine.engine.send()
    for entry in entries:  # the answer lost: "sending", no job id
        engine.outbox.update(entry["id"], status="sending", job_id=None, retry_at=None)
    await engine.restart()
    await engine.drain()
    assert [e["status"] for e in engine.outbox.entries()] == ["sent"] * 3
    assert all(sandbox_tags(strict, t["id"]).count("bulk-again") == 1 for t in tickets)


# -- 429: Retry-After, not our own backoff -----------------------------------------------
async def test_a_writes_429_waits_for_its_retry_after(dataset, tmp_path, closing: Closing):
    settings = SandboxSettings(ticket_updates_per_minute=1, search_lag_seconds=0)
    with Sandbox(copy.deepcopy(dataset), settings=settings) as limited:
        engine = closing(Engine(limited.url, tmp_path / "cache"))
        await engine.engine.poll("zendesk")
        first, second = open_tickets(engine, 2)
        engine.writes.update_ticket(TicketRef.of(first), ChangeSet(priority="urgent"), "priority")
        entry = engine.writes.update_ticket(TicketRef.of(second), ChangeSet(priority="urgent"), "priority")
        await engine.engine.send()  # the second is refused: the minute's one update is spent
        waiting = engine.outbox.get(entry["id"])
        assert waiting is not None
        assert waiting["status"] == "pending" and "rate limited" in waiting["last_error"]
        retry_at = dt.datetime.fromisoformat(waiting["retry_at"])
        # The sandbox said Retry-After: the window's remaining seconds (about 60); our own
        # backoff after one attempt would be 2 to 4 seconds.
        assert retry_at - FROZEN_NOW >= dt.timedelta(seconds=55)
        await engine.restart()  # a new process believes the persisted time
        await engine.drain(rounds=3)
        still = engine.outbox.get(entry["id"])
        assert still is not None and still["status"] == "pending"
        assert limited.state.tickets[second["id"]]["priority"] != "urgent" or second.get("priority") == "urgent"
