"""Sync with an agent token against a sandbox as strict as Zendesk: admin-only endpoints
refused, search indexing late, one budget for the whole account.

../shared/api/README.md: "the incremental exports (...) are 'Allowed For: Admins' (...) Most
support engineers hold agent tokens: a tool for them must work without the exports"; views
"read tickets as they are now"; search "can take up to a few minutes to index".
"""

from __future__ import annotations

import copy
import datetime as dt

from tests.conftest import FROZEN_NOW, Closing
from tests.helpers import Engine
from triage_sandbox.server import Sandbox, SandboxSettings

ADMIN_ONLY = ("/api/v2/incremental/", "/api/v2/tickets.json", "/api/v2/slas/", "/api/v2/ticket_audits")


def requests_made(sandbox) -> int:
    return sum(count for key, count in sandbox.state.requests.items() if key.startswith("zendesk "))


def colleague(sandbox, ticket_id: int, **changes) -> dict:
    """A teammate's change, now: the sandbox's views judge "recently updated" by the clock."""
    with sandbox.state.lock:
        ticket = sandbox.state.tickets[ticket_id]
        ticket.update(changes)
        sandbox.state.touch(ticket, sandbox.app.now())
        return dict(ticket)


async def test_an_agent_token_syncs_without_any_admin_only_endpoint(engine, strict):
    for job in ("zendesk", "deletions", "reference", "zendesk"):
        report = await engine.engine.poll(job)
        assert report.error is None, report.error
    asked = [key for key in strict.state.requests if key.startswith("zendesk ")]
    assert not [key for key in asked if any(part in key for part in ADMIN_ONLY)], asked
    expected = {t["id"] for t in strict.state.tickets.values() if t["status"] in ("new", "open", "pending", "hold")}
    assert {int(k) for k in engine.store.unsolved()} == expected


async def test_the_first_sync_brings_requesters_orgs_and_sla_metrics(engine):
    unsolved = engine.store.unsolved()
    assert unsolved
    for row in unsolved.values():
        assert str(row["requester_id"]) in engine.store.names("user")
        if row["organization_id"]:
            assert str(row["organization_id"]) in engine.store.names("org")
    some = next(iter(unsolved.values()))
    assert engine.store.ticket(some["id"])["metric_set"]["requester_updated_at"]


async def test_a_poll_with_nothing_changed_costs_one_request(engine, strict):
    await engine.engine.poll("zendesk")  # settles the high-water mark
    before = requests_made(strict)
    report = await engine.engine.poll("zendesk")
    assert report.error is None and report.changed == []
    assert requests_made(strict) - before == 1


async def test_a_colleagues_change_is_seen_on_the_next_poll_although_search_has_not_indexed_it(engine, strict):
    ticket_id = int(next(iter(engine.store.unsolved())))
    colleague(strict, ticket_id, subject="Changed by a colleague", priority="urgent")
    before = requests_made(strict)
    report = await engine.engine.poll("zendesk")
    assert report.changed == [ticket_id]
    assert engine.store.ticket(ticket_id)["subject"] == "Changed by a colleague"
    assert engine.store.unsolved()[str(ticket_id)]["priority"] == "urgent"
    assert requests_made(strict) - before == 2  # the view, then show_many for the one ticket


async def test_a_ticket_solved_by_a_colleague_leaves_the_queue(engine, strict):
    ticket_id = int(next(k for k, t in engine.store.unsolved().items() if t["status"] == "open"))
    colleague(strict, ticket_id, status="solved")
    report = await engine.engine.poll("zendesk")
    assert ticket_id in report.changed
    assert str(ticket_id) not in engine.store.unsolved()


async def test_a_new_ticket_appears_on_the_next_poll(engine, strict):
    with strict.state.lock:
        template = next(t for t in strict.state.tickets.values() if t["status"] == "new")
        new_id = strict.state.new_id()
        ticket = {
            **copy.deepcopy(template),
            "id": new_id,
            "subject": "Brand new",
            "url": f"{strict.url}/api/v2/tickets/{new_id}.json",
        }
        strict.state.tickets[new_id] = ticket
        strict.state.touch(ticket, strict.app.now())
    report = await engine.engine.poll("zendesk")
    assert new_id in report.changed
    assert engine.store.unsolved()[str(new_id)]["subject"] == "Brand new"


async def test_a_deleted_ticket_leaves_the_queue(engine, strict):
    ticket_id = int(next(iter(engine.store.unsolved())))
    with strict.state.lock:
        actor = next(u for u in strict.state.users.values() if u.get("role") in ("agent", "admin"))
        strict.state.delete_ticket(ticket_id, actor, FROZEN_NOW)
    report = await engine.engine.poll("deletions")
    assert report.error is None, report.error
    assert ticket_id in report.changed
    assert str(ticket_id) not in engine.store.unsolved() and engine.store.ticket(ticket_id) is None


async def test_restart_resumes_from_where_it_left_off(engine, strict):
    await engine.engine.poll("zendesk")
    ticket_id = int(next(iter(engine.store.unsolved())))
    colleague(strict, ticket_id, subject="Changed while we were away")
    await engine.restart()
    before = requests_made(strict)
    report = await engine.engine.poll("zendesk")
    assert report.changed == [ticket_id]
    assert engine.store.ticket(ticket_id)["subject"] == "Changed while we were away"
    assert requests_made(strict) - before == 2  # no first sync again


async def test_a_rate_limited_poll_is_busy_not_offline_and_waits_as_told(dataset, tmp_path, closing: Closing):
    settings = SandboxSettings(zendesk_per_minute=40)
    with Sandbox(copy.deepcopy(dataset), settings=settings) as small:
        engine = closing(Engine(small.url, tmp_path / "cache"))
        assert (await engine.engine.poll("zendesk")).error is None
        small.app.clock = lambda: 1.0  # the minute never ends: the budget stays spent
        while True:
            report = await engine.engine.poll("zendesk")
            if report.error:
                break
        assert "rate limited" in report.error and report.retry_after is not None
        state = engine.store.sync_state("zendesk")
        assert not state.get("offline_since") and "rate limited" in state["busy"]
        assert state["last_success"]  # the queue is still as fresh as the last good poll


async def test_an_admin_persona_is_refused_nothing_and_syncs_the_same_way(dataset, tmp_path, closing: Closing):
    with Sandbox(copy.deepcopy(dataset), settings=SandboxSettings(persona="admin")) as admin:
        engine = closing(Engine(admin.url, tmp_path / "cache"))
        for job in ("zendesk", "zendesk", "deletions"):
            assert (await engine.engine.poll(job)).error is None
        assert not [key for key in admin.state.requests if "/incremental/" in key]


async def test_a_copy_away_longer_than_the_view_reaches_back_reads_the_queue_again(engine, strict):
    """The view lists tickets updated in the last 24 hours: after a weekend with the laptop
    shut, a change made on Friday would never show in it."""
    ticket_id = int(next(k for k, t in engine.store.unsolved().items() if t["status"] == "open"))
    with strict.state.lock:
        ticket = strict.state.tickets[ticket_id]
        ticket["status"] = "solved"
        strict.state.touch(ticket, strict.app.now() - dt.timedelta(hours=30))
    away = {"high_water": "2026-11-01T00:00:00Z", "checked_at": "2026-11-01T00:00:00Z"}
    engine.store.set("cursor:zendesk", {**engine.store.get("cursor:zendesk"), **away})
    strict.app.settings.search_lag_seconds = 0
    still_open = {k for k in engine.store.unsolved() if k != str(ticket_id)}
    report = await engine.engine.poll("zendesk")
    assert report.error is None, report.error
    assert str(ticket_id) not in engine.store.unsolved()
    assert set(engine.store.unsolved()) == still_open  # the rest of the queue survives the re-read
    assert engine.store.get("cursor:zendesk")["high_water"] > "2026-11-01T00:00:00Z"


async def test_a_re_read_keeps_a_ticket_search_has_not_indexed_yet(engine, strict):
    """Search lags: a ticket changed a moment ago is missing from it, not gone from Zendesk."""
    ticket_id = int(next(k for k, t in engine.store.unsolved().items() if t["status"] == "open"))
    colleague(strict, ticket_id, subject="Changed a second ago")  # search sees it only in a minute
    away = {"high_water": "2026-11-01T00:00:00Z", "checked_at": "2026-11-01T00:00:00Z"}
    engine.store.set("cursor:zendesk", {**engine.store.get("cursor:zendesk"), **away})
    with strict.state.lock:  # a search index that has not caught up with this ticket at all
        strict.state.versions[ticket_id] = []
    report = await engine.engine.poll("zendesk")
    assert report.error is None, report.error
    assert str(ticket_id) in engine.store.unsolved()
    assert engine.store.ticket(ticket_id)["subject"] == "Changed a second ago"


async def test_a_quiet_account_is_not_read_again_because_nothing_changed_for_a_day(engine, strict):
    """Nothing changed all weekend: the high-water mark stays old, but we looked a minute ago."""
    cursor = engine.store.get("cursor:zendesk")
    engine.store.set("cursor:zendesk", {**cursor, "high_water": "2026-11-01T00:00:00Z"})
    await engine.engine.poll("zendesk")
    before = requests_made(strict)
    report = await engine.engine.poll("zendesk")
    assert report.error is None and requests_made(strict) - before == 1


async def test_opening_a_ticket_deleted_since_the_last_poll_takes_it_off_the_queue(engine, strict):
    ticket_id = int(next(iter(engine.store.unsolved())))
    with strict.state.lock:
        actor = next(u for u in strict.state.users.values() if u.get("role") in ("agent", "admin"))
        strict.state.delete_ticket(ticket_id, actor, strict.app.now())
    report = await engine.engine.pollers.comments(ticket_id)
    assert report.error is None and report.changed == [ticket_id]
    assert str(ticket_id) not in engine.store.unsolved()
    assert not engine.store.sync_state("zendesk").get("last_error")


async def test_a_deletions_poll_says_nothing_of_whether_the_queue_is_current(engine, strict):
    """Only the change poll may mark Zendesk synced: deletions succeeding while the queue's
    own poll fails must not hide that failure."""
    engine.store.mark_failed("zendesk", FROZEN_NOW, "views: not found", offline=False)
    report = await engine.engine.poll("deletions")
    assert report.error is None
    assert engine.store.sync_state("zendesk")["last_error"] == "views: not found"


async def test_a_second_change_within_the_same_second_is_not_missed(engine, strict):
    """updated_at has one-second resolution: two changes in one second share it."""
    ticket_id = int(next(k for k, t in engine.store.unsolved().items() if t["status"] == "open"))
    colleague(strict, ticket_id, subject="First change")
    await engine.engine.poll("zendesk")
    with strict.state.lock:  # a second change, stamped with the same second
        strict.state.tickets[ticket_id]["priority"] = "urgent"
    report = await engine.engine.poll("zendesk")
    assert report.changed == [ticket_id]
    assert engine.store.unsolved()[str(ticket_id)]["priority"] == "urgent"
