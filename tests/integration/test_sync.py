"""Sync against the sandbox over real loopback HTTP: cache fill, cursor resume, the outbox."""

from __future__ import annotations

import copy

import pytest

from tests.conftest import FROZEN_NOW, Closing
from tests.helpers import Engine
from triage_sandbox.faults import FaultPlan, parse_faults
from triage_sandbox.server import Sandbox
from triage_tui.store.outbox import Outbox
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage.macros import ChangeSet


@pytest.fixture
async def engine(sandbox, tmp_path):
    running = Engine(sandbox.url, tmp_path / "cache")
    yield running
    await running.aclose()


async def test_first_sync_fills_the_cache_with_unsolved_tickets_people_and_reference(engine, sandbox):
    report = await engine.engine.poll("zendesk")
    assert report.error is None, report.error
    unsolved = engine.store.unsolved()
    expected = {t["id"] for t in sandbox.state.tickets.values() if t["status"] in ("new", "open", "pending", "hold")}
    assert {int(k) for k in unsolved} == expected
    some = next(iter(unsolved.values()))
    assert engine.store.ticket(some["id"])["metric_set"]["requester_updated_at"]  # sideloaded with the ticket
    requester = engine.store.record("user", some["requester_id"])
    assert engine.store.names("user")[str(some["requester_id"])] == (requester["name"] or requester["email"])
    assert engine.store.list("groups") and engine.store.list("macros")
    assert engine.store.get("me")["email"] == "agent@example.com"


async def test_first_useful_queue_arrives_after_one_request(engine, sandbox):
    seen: list[tuple[int, int]] = []
    engine.engine.pollers.progress = lambda ids: seen.append(
        (sum(sandbox.state.requests.values()), len(engine.store.unsolved()))
    )
    await engine.engine.poll("zendesk")
    # The first repaint with tickets: one search page (and, beside it, search/count for the
    # "page 1 of ~5" estimate), before people, SLA metrics or reference data.
    requests_at_first_page, queued = next((asked, queued) for asked, queued in seen if queued)
    assert requests_at_first_page <= 3 and queued > 0


async def test_a_write_is_persisted_before_sending_and_sent_exactly_once(engine, sandbox):
    await engine.engine.poll("zendesk")
    ticket = next(iter(engine.store.unsolved().values()))
    engine.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="Hello from the outbox", public=True), "reply")
    assert engine.outbox.entries(("pending",))  # on disk before any HTTP
    await engine.drain()
    await engine.drain()
    bodies = [c["body"] for c in sandbox.state.comments[ticket["id"]]]
    assert bodies.count("Hello from the outbox") == 1
    assert engine.outbox.counts()["queued"] == 0


async def test_stale_update_becomes_a_conflict_with_both_versions(engine, sandbox):
    await engine.engine.poll("zendesk")
    ticket = next(t for t in engine.store.unsolved().values() if t["status"] == "open")
    with sandbox.state.lock:  # a colleague changes the ticket first
        theirs = sandbox.state.tickets[ticket["id"]]
        theirs["priority"] = "urgent"
        sandbox.state.touch(theirs, FROZEN_NOW)
    engine.writes.update_ticket(TicketRef.of(ticket), ChangeSet(status="solved"), "solve")
    report = await engine.engine.send()
    assert len(report.conflicts) == 1
    entry = engine.outbox.entries(("conflict",))[0]
    assert entry["theirs"]["priority"] == "urgent" and entry["payload"]["ticket"]["status"] == "solved"
    assert sandbox.state.tickets[ticket["id"]]["status"] == "open"  # nothing overwritten
    engine.outbox.reapply(entry["id"])
    await engine.drain()
    assert sandbox.state.tickets[ticket["id"]]["status"] == "solved"


async def test_later_writes_to_the_same_ticket_are_not_conflicts_with_our_own(engine, sandbox):
    await engine.engine.poll("zendesk")
    ticket = next(t for t in engine.store.unsolved().values() if t["status"] == "open")
    engine.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="first", public=False), "note")
    engine.writes.update_ticket(TicketRef.of(ticket), ChangeSet(status="pending", comment="second"), "reply + pending")
    await engine.drain()
    assert [c["body"] for c in sandbox.state.comments[ticket["id"]]][-2:] == ["first", "second"]
    assert sandbox.state.tickets[ticket["id"]]["status"] == "pending"
    assert engine.outbox.counts() == {"queued": 0, "conflicts": 0, "failed": 0}


async def test_crash_between_persist_and_send_sends_once_after_restart(engine, sandbox):
    await engine.engine.poll("zendesk")
    ticket = next(iter(engine.store.unsolved().values()))
    engine.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="survives a crash"), "reply")
    await engine.restart()  # the process died before sending
    await engine.drain()
    assert [c["body"] for c in sandbox.state.comments[ticket["id"]]].count("survives a crash") == 1


async def test_crash_after_sending_before_marking_sent_is_not_posted_twice(engine, sandbox):
    await engine.engine.poll("zendesk")
    ticket = next(iter(engine.store.unsolved().values()))
    entry = engine.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="already went out"), "reply")
    # The request reached Zendesk, then the process was killed before recording "sent".
    engine.outbox.update(entry["id"], status="sending", attempts=1)
    await engine.clients.zendesk.update_ticket(ticket["id"], {"ticket": entry["payload"]["ticket"]})
    await engine.restart()
    await engine.drain()
    assert [c["body"] for c in sandbox.state.comments[ticket["id"]]].count("already went out") == 1
    assert engine.outbox.get(entry["id"])["status"] == "sent"


async def test_writes_survive_faults_exactly_once_and_in_order(dataset, tmp_path, closing: Closing):
    faults = FaultPlan(parse_faults("429:0.15,503:0.15,reset:0.1,stall:0.05:0.2s"), seed=11)
    with Sandbox(copy.deepcopy(dataset), faults=faults) as noisy:
        faults.enabled = False
        running = closing(Engine(noisy.url, tmp_path / "cache"))
        await running.engine.poll("zendesk")
        tickets = [t for t in running.store.unsolved().values() if t["status"] == "open"][:4]
        for ticket in tickets:
            for n in range(3):
                running.writes.update_ticket(
                    TicketRef.of(ticket), ChangeSet(comment=f"{ticket['id']}-{n}", public=False), f"note {n}"
                )
        faults.enabled = True
        await running.drain(rounds=200)
        faults.enabled = False
        await running.drain(rounds=20)
        for ticket in tickets:
            bodies = [c["body"] for c in noisy.state.comments[ticket["id"]] if c["body"].startswith(str(ticket["id"]))]
            assert bodies == [f"{ticket['id']}-{n}" for n in range(3)], bodies
        assert running.outbox.counts() == {"queued": 0, "conflicts": 0, "failed": 0}


async def test_unreachable_service_marks_offline_and_keeps_the_write(engine, sandbox, tmp_path, closing: Closing):
    await engine.engine.poll("zendesk")
    ticket = next(iter(engine.store.unsolved().values()))
    dead = closing(Engine("http://127.0.0.1:9", tmp_path / "cache2"))
    dead.store.put_tickets([ticket])
    dead.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="queued while offline"), "reply")
    report = await dead.engine.poll("zendesk")
    assert report.offline and dead.store.sync_state("zendesk")["offline_since"]
    send = await dead.engine.send()
    assert "zendesk" in send.offline and dead.outbox.counts()["queued"] == 1


async def test_incidents_and_github_pollers(engine, sandbox):
    report = await engine.engine.poll("incidentio")
    assert report.error is None
    refs = {i["reference"] for i in engine.store.list("incidents")}
    assert refs == {"INC-231", "INC-232"}
    assert engine.store.get("incident_updates:01INC231")
    first = await engine.engine.poll("github")
    assert len(first.changed) == 6 and first.changed[-1] == "sdk_views"  # 5 SDK repos, the rotation's Zendesk filters
    again = await engine.engine.poll("github")
    assert again.changed == [] and again.requests == 5  # all answered 304 (the filters unchanged)


async def test_malformed_records_are_skipped_and_reported(engine, sandbox):
    sandbox.app.settings.search_lag_seconds = 0  # search serves the broken version at once
    with sandbox.state.lock:
        broken = next(t for t in sandbox.state.tickets.values() if t["status"] == "open")
        sandbox.state.touch(broken, sandbox.app.now())
        broken["created_at"] = "last tuesday"
        broken["tags"] = 42
        sandbox.state.touch(broken, sandbox.app.now())
    report = await engine.engine.poll("zendesk")
    assert report.error is None
    assert any(str(broken["id"]) in line for line in report.skipped)
    assert str(broken["id"]) not in engine.store.unsolved()
    assert len(engine.store.unsolved()) > 10


async def test_only_one_process_sends_the_outbox_at_a_time(engine, sandbox):
    await engine.engine.poll("zendesk")
    ticket = next(iter(engine.store.unsolved().values()))
    engine.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="one sender"), "reply")
    other = Outbox(engine.directory)  # a second process's view of the same cache
    with other.sender_lock():
        report = await engine.engine.send()
        assert report.busy and engine.outbox.counts()["queued"] == 1
    await engine.drain()
    assert [c["body"] for c in sandbox.state.comments[ticket["id"]]].count("one sender") == 1
    other.close()
