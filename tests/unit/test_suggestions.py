"""The hints kept from the cache (suggestions.py): built once, then ticket by ticket as a
sync changes them, never a rebuild per cursor move."""

from __future__ import annotations

import datetime as dt
import threading

from triage_tui.store.cache import Store
from triage_tui.suggestions import Suggestions
from triage_tui.triage.suggest import MACRO_USES_KEY

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


def ticket(tid: int, org: int, subject: str, body: str, status: str = "open", minutes: int = 600) -> dict:
    moment = (NOW - dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "id": tid,
        "subject": subject,
        "description": body,
        "status": status,
        "organization_id": org,
        "requester_id": 1,
        "tags": [],
        "created_at": moment,
        "updated_at": moment,
    }


def macro(mid: int, title: str, text: str) -> dict:
    return {"id": mid, "title": title, "active": True, "actions": [{"field": "comment_value", "value": text}]}


def hints_of(hints: Suggestions, ticket_id: int):
    """The ticket's hints; the index is built by then, so there are some."""
    found = hints.for_ticket(ticket_id)
    assert found is not None, "the index is not built"
    return found


def test_a_changed_ticket_is_reindexed_alone_and_learned_macros_count(tmp_path) -> None:
    store = Store(tmp_path)
    store.put_tickets(
        [
            ticket(1, 10, "HubSpot destination failing", "401 invalid_grant on every event"),
            ticket(2, 20, "Invoice address", "Please change our billing address"),
            ticket(3, 30, "Refund", "We were billed twice"),
        ]
    )
    store.put_list("macros", [macro(7, "CDP: reconnect the destination", "Reconnect HubSpot: invalid_grant")])
    hints = Suggestions(store, lambda: NOW)
    hints.build()
    hints._ready.set()  # as the hints thread does after its build
    assert hints_of(hints, 1).related == []
    assert hints_of(hints, 1).macros == [(7, "CDP: reconnect the destination")]

    built = hints.build_seconds
    store.put_tickets([ticket(2, 20, "HubSpot sync broken", "invalid_grant 401 on every contact event")])
    store.set(MACRO_USES_KEY, {"2": [7]})
    hints.update([2])
    assert hints.build_seconds == built  # not rebuilt
    assert hints_of(hints, 1).related == [2]

    store.put_tickets([ticket(2, 20, "HubSpot sync broken", "fixed", status="deleted")])
    hints.update([2])
    assert hints_of(hints, 1).related == []
    assert hints.indexed == 2


def test_the_detail_gets_the_last_hints_at_once_and_asks_the_thread_for_new_ones(tmp_path) -> None:
    store = Store(tmp_path)
    store.put_tickets([ticket(1, 10, "Replay not loading", "spinner"), ticket(2, 10, "Other", "words")])
    hints = Suggestions(store, lambda: NOW)
    assert hints.shown(1) is None  # not built yet
    changed = threading.Event()
    hints.start(changed.set)
    try:
        assert changed.wait(10)  # built
        changed.clear()
        assert hints.shown(1) is None  # asked: the thread computes it
        assert changed.wait(10)  # answered
        shown = hints.shown(1)
        assert shown is not None and shown.related == [2]  # the same organization's open ticket
    finally:
        hints.stop()


def test_macros_stored_by_a_first_sync_are_learned_without_a_reference_change(tmp_path) -> None:
    """The first sync stores tickets and macros, and reports the tickets only."""
    store = Store(tmp_path)
    hints = Suggestions(store, lambda: NOW)
    changed = threading.Event()
    hints.start(changed.set)
    try:
        assert changed.wait(10)  # built on the empty cache
        changed.clear()
        store.put_tickets([ticket(1, 10, "Lost my phone", "please reset two-factor authentication")])
        store.put_list("macros", [macro(7, "2FA removal", "I've removed two-factor authentication")])
        hints.submit([1])
        assert changed.wait(10)
        assert hints_of(hints, 1).macros == [(7, "2FA removal")]
    finally:
        hints.stop()
