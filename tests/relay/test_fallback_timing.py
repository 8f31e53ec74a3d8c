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
