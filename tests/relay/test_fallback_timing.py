"""A copy that lost its relay turns to Zendesk at `fallback_seconds`, not at the next
reconnection try after it (the bench measured 60.4 s against "within a minute")."""

from __future__ import annotations

from tests.conftest import sandbox_config
from triage_tui.relay.feed import RECONNECT, RelayFeed
from triage_tui.store.cache import Store


def feed_at(tmp_path, clock: list[float]) -> RelayFeed:
    relay = {"url": "nats://127.0.0.1:4222", "fallback_seconds": 50}
    config = sandbox_config("http://127.0.0.1:9").replace(relay=relay)
    return RelayFeed(config, Store(tmp_path), None, monotonic=lambda: clock[0])


def test_the_try_before_the_fallback_is_due_waits_only_until_it(tmp_path):
    clock = [100.0]
    feed = feed_at(tmp_path, clock)  # never reached the relay: lost since its start, at 100
    assert feed._next_try() == RECONNECT  # far from due: the usual pace
    clock[0] = 149.25
    assert feed._next_try() == 0.75  # the fallback is due at 150: look again then
    assert feed.feeds_queue()
    clock[0] = 150.0
    assert not feed.feeds_queue()  # and at 150 the engine reads Zendesk itself
    assert feed._next_try() == RECONNECT  # fallen back: the usual pace to find the relay again


def test_a_connected_copy_keeps_the_usual_pace(tmp_path):
    clock = [0.0]
    feed = feed_at(tmp_path, clock)
    feed.connected = True
    clock[0] = 49.9
    assert feed._next_try() == RECONNECT


async def test_a_copy_fallen_back_from_its_relay_leaves_deleted_tickets_to_reconciliation(strict, tmp_path, closing):
    """deleted_tickets allows 10 requests a minute per account (../shared/api/README.md);
    a team of 100 that lost its relay at once met 429s there (bench/team_relay.py, 2026-12-07).
    Fallen back, a copy reads the queue's changes, and no deleted tickets."""
    from tests.helpers import Engine
    from triage_tui.sync.engine import SyncEngine

    engine = closing(Engine(strict.url, tmp_path / "copy"))
    clock = [1000.0]
    feed = feed_at(tmp_path / "feed", clock)
    clock[0] += 60  # never reached the relay, and past fallback_seconds
    assert not feed.feeds_queue()
    fallen_back = SyncEngine(engine.engine.config, engine.store, engine.outbox, engine.clients, feed=feed)
    fallen_back.schedule.next_at["deletions"] = 0.0  # due now
    jobs = [job for job, _ in await fallen_back.due_jobs()]
    assert "zendesk" in jobs and "deletions" not in jobs
    assert not any("deleted_tickets" in key for key in strict.state.requests)
    assert any("/views/" in key for key in strict.state.requests)  # it does read Zendesk itself
