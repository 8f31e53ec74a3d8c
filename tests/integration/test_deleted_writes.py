"""A write to a ticket deleted meanwhile: said so (and by whom), kept, never retried (issue 24).

Zendesk answers 404 for a deleted ticket (`GET`/`PUT /api/v2/tickets/{id}`: "RecordNotFound",
as the recorded 404 body shows) and lists it in `GET /api/v2/deleted_tickets` with its `actor`
and `deleted_at` (the description's DeletedTicketObject), to roles that may view deleted
tickets. There is no newer version to re-apply on: this is no conflict.
"""

from __future__ import annotations

from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.sync.writes import ChangeSet


def _colleague(strict) -> dict:
    me = "agent@example.com"
    return next(u for u in strict.state.users.values() if u.get("role") in ("agent", "admin") and u["email"] != me)


def _delete(strict, ticket_id: int) -> dict:
    with strict.state.lock:
        actor = _colleague(strict)
        strict.state.delete_ticket(ticket_id, actor, strict.app.now())
    return actor


def _puts(strict, ticket_id: int) -> int:
    path = f"zendesk PUT /api/v2/tickets/{ticket_id}"
    return sum(n for key, n in strict.state.requests.items() if key.startswith(path))


async def test_writes_to_a_deleted_ticket_say_who_deleted_it_keep_the_text_and_stop(engine, strict):
    ticket_id = int(next(iter(engine.store.unsolved())))
    ticket = engine.store.ticket(ticket_id)
    engine.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="Here is the fix you asked for."), "reply")
    engine.writes.update_ticket(TicketRef.of(ticket), ChangeSet(status="pending"), "pending")
    actor = _delete(strict, ticket_id)

    report = await engine.engine.send()

    entries = engine.outbox.entries(("failed",))
    assert len(entries) == 2 and sorted(report.failed) == sorted(e["id"] for e in entries)
    assert not report.conflicts and not engine.outbox.entries(("pending", "sending", "conflict"))
    for entry in entries:
        assert entry["deleted"]["by"] == actor["name"] and entry["deleted"]["at"]
        assert f"#{ticket_id} was deleted by {actor['name']}" in entry["last_error"]
    reply = next(e for e in entries if e["payload"]["ticket"].get("comment"))
    assert reply["payload"]["ticket"]["comment"]["body"] == "Here is the fix you asked for."
    assert str(ticket_id) not in engine.store.unsolved()  # off the queue at once

    puts = _puts(strict, ticket_id)
    await engine.drain()
    assert _puts(strict, ticket_id) == puts == 1  # one try, then nothing is retried


async def test_an_interrupted_send_to_a_deleted_ticket_stops_instead_of_retrying(engine, strict):
    """A crash between "sending" and "sent": the check asks for the ticket's audits, which
    answer 404 once it is deleted. That is an answer, not a network problem to retry."""
    ticket_id = int(next(iter(engine.store.unsolved())))
    entry = engine.writes.update_ticket(
        TicketRef.of(engine.store.ticket(ticket_id)), ChangeSet(comment="Half sent"), "reply"
    )
    entry_id = entry["id"]
    engine.outbox.update(entry_id, status="sending", attempts=1)
    actor = _delete(strict, ticket_id)

    await engine.drain()

    stopped = engine.outbox.get(entry_id)
    assert stopped["status"] == "failed" and stopped["deleted"]["by"] == actor["name"]
    assert _puts(strict, ticket_id) == 0


async def test_who_deleted_it_is_left_unsaid_when_the_token_cannot_list_deleted_tickets(engine, strict):
    """Agent roles without "view deleted tickets" get 403 from deleted_tickets (api/README.md);
    the deletions poll then records it, and the write does not ask again."""
    ticket_id = int(next(iter(engine.store.unsolved())))
    cursor = engine.store.get("cursor:zendesk") or {}
    engine.store.set("cursor:zendesk", {**cursor, "deletions_unavailable": "deleted_tickets: not authorised (403)"})
    engine.writes.update_ticket(TicketRef.of(engine.store.ticket(ticket_id)), ChangeSet(comment="Hello"), "reply")
    _delete(strict, ticket_id)
    listed = strict.state.requests.get("zendesk GET /api/v2/deleted_tickets.json", 0)

    await engine.engine.send()

    entry = engine.outbox.entries(("failed",))[0]
    assert entry["deleted"].get("by") is None and "403" in entry["deleted"]["unknown"]
    assert f"#{ticket_id} was deleted;" in entry["last_error"]
    assert strict.state.requests.get("zendesk GET /api/v2/deleted_tickets.json", 0) == listed


async def test_a_conflict_whose_ticket_is_deleted_before_we_look_is_no_conflict(engine, strict, monkeypatch):
    """The race the issue saw: the update answers 409 (a colleague changed the ticket), and by
    the time the sender fetches "theirs" the ticket is deleted (404). That used to be a conflict
    whose "Theirs" was empty, and `r` re-applied into it again and again."""
    from triage_tui.sources.errors import Conflict

    ticket_id = int(next(iter(engine.store.unsolved())))
    engine.writes.update_ticket(
        TicketRef.of(engine.store.ticket(ticket_id)), ChangeSet(comment="Racing a delete"), "reply"
    )
    actor = _colleague(strict)

    async def conflicted_then_deleted(ticket: int, payload: dict):
        with strict.state.lock:
            strict.state.delete_ticket(ticket, actor, strict.app.now())
        raise Conflict("zendesk", f"PUT /api/v2/tickets/{ticket}.json: conflict")

    monkeypatch.setattr(engine.clients.zendesk, "update_ticket", conflicted_then_deleted)
    report = await engine.engine.send()

    assert not report.conflicts and not engine.outbox.entries(("conflict",))
    entry = engine.outbox.entries(("failed",))[0]
    assert entry["deleted"]["by"] == actor["name"] and entry.get("theirs") is None
