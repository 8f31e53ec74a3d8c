"""The one sync loop: writes never wait behind a poll, a crash restarts it, and copies on
one machine share a single poller."""

from __future__ import annotations

import asyncio

from tests.conftest import Closing
from tests.helpers import Engine
from tests.waiting import eventually
from triage_tui.sync.engine import SyncEvent
from triage_tui.sync.leader import Shared
from triage_tui.sync.requests import FetchComments
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage.macros import ChangeSet


class Loop:
    """An engine's loop as the app runs it. A test stops it and asserts it stopped in time;
    `aclose` (the `closing` fixture) stops it when an assert failed before that."""

    def __init__(self, engine: Engine) -> None:
        self.events: list[SyncEvent] = []
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(engine.engine.run_forever(self.events.append, self.stop))

    async def aclose(self) -> None:
        self.stop.set()
        _, late = await asyncio.wait([self.task], timeout=5)
        for task in late:
            task.cancel()


async def start(closing: Closing, engine: Engine) -> tuple[asyncio.Event, asyncio.Task, list[SyncEvent]]:
    loop = closing(Loop(engine))
    return loop.stop, loop.task, loop.events


async def test_a_write_goes_out_at_once_while_a_poll_is_stuck(sandbox, tmp_path, closing: Closing):
    """A poll held up (a 429's Retry-After, a stalled request) must not hold a note back:
    before, a note waited 47-65 s behind rate-limited polls."""
    engine = closing(Engine(sandbox.url, tmp_path / "cache"))
    await engine.engine.poll("zendesk")
    ticket = next(t for t in engine.store.unsolved().values() if t["status"] == "open")
    parked, released = asyncio.Event(), asyncio.Event()

    async def stuck_poll():
        parked.set()
        await released.wait()
        raise AssertionError("unreachable in this test")

    engine.engine.jobs["zendesk"] = stuck_poll
    engine.engine.schedule.all_due_now()
    stop, task, _ = await start(closing, engine)
    await asyncio.wait_for(parked.wait(), 10)  # the poll task is now parked inside the stuck poll
    engine.writes.update_ticket(
        TicketRef.of(ticket), ChangeSet(comment="lands while polling is stuck", public=False), "note"
    )
    engine.engine.kick()
    took = await eventually(
        lambda: any(c["body"] == "lands while polling is stuck" for c in sandbox.state.comments.get(ticket["id"], []))
    )
    assert took < 2.0
    stop.set()
    released.set()
    await asyncio.wait_for(task, 5)


async def test_a_crashed_loop_says_so_and_comes_back(sandbox, tmp_path, closing: Closing, monkeypatch):
    """Before, an exception in send() left no worker, no notice and writes queued until restart."""
    engine = closing(Engine(sandbox.url, tmp_path / "cache"))
    await engine.engine.poll("zendesk")
    ticket = next(iter(engine.store.unsolved().values()))
    real_send = engine.engine.send
    calls = {"n": 0}

    async def send_that_breaks_once():
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("disk hiccup")
        return await real_send()

    monkeypatch.setattr(engine.engine, "send", send_that_breaks_once)
    engine.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="sent after the restart"), "reply")
    stop, task, events = await start(closing, engine)
    await eventually(lambda: any(e.crashed for e in events))
    crash = next(e for e in events if e.crashed)
    assert crash.crashed is not None and "RuntimeError: disk hiccup" in crash.crashed
    assert "restarting" in crash.lines[0]
    await eventually(
        lambda: any(c["body"] == "sent after the restart" for c in sandbox.state.comments.get(ticket["id"], []))
    )
    stop.set()
    await asyncio.wait_for(task, 5)


async def test_two_copies_on_one_cache_poll_once_and_both_see_the_change(
    sandbox, tmp_path, closing: Closing, monkeypatch
):
    """A dev box with a TUI and a headless sync costs the account one copy's polling."""
    leader = closing(Engine(sandbox.url, tmp_path / "cache"))
    await leader.engine.poll("zendesk")
    follower = closing(Engine(sandbox.url, tmp_path / "cache"))
    stop_a, task_a, _ = await start(closing, leader)
    await eventually(lambda: leader.engine.lock.held)
    refused: list[bool] = []
    try_acquire = follower.engine.lock.try_acquire

    def counted_try_acquire() -> bool:
        taken = try_acquire()
        if not taken:
            refused.append(True)
        return taken

    monkeypatch.setattr(follower.engine.lock, "try_acquire", counted_try_acquire)
    stop_b, task_b, follower_events = await start(closing, follower)
    await eventually(lambda: len(refused) >= 3, what="three rounds of the follower's poll task, each refused the lock")
    assert not follower.engine.lock.held
    assert follower.clients.zendesk is not None
    assert follower.clients.zendesk.http.requests_made == 0  # it never polled

    ticket_id = int(next(iter(leader.store.unsolved())))
    leader.engine.changes.append(Shared([ticket_id]))
    await eventually(lambda: any(ticket_id in e.changed_tickets for e in follower_events))

    stop_a.set()  # the leader exits: the follower takes over polling
    await asyncio.wait_for(task_a, 5)
    await eventually(lambda: follower.engine.lock.held)
    stop_b.set()
    await asyncio.wait_for(task_b, 5)


async def test_a_refresh_of_groups_and_macros_tells_the_screen_to_reload_them(sandbox, tmp_path, closing: Closing):
    """Reference data reports as the Zendesk source; the screen must still learn that new
    macros or groups arrived (before, it never did until a restart)."""
    engine = closing(Engine(sandbox.url, tmp_path / "cache"))
    await engine.engine.poll("zendesk")
    with sandbox.state.lock:
        macro = next(iter(sandbox.state.macros.values()))
        macro["title"] = "Renamed by an admin"
    stop, task, events = await start(closing, engine)  # every job is due on the first round
    await eventually(lambda: any(e.reference_changed for e in events))
    assert any(m["title"] == "Renamed by an admin" for m in engine.store.list("macros"))
    stop.set()
    await asyncio.wait_for(task, 5)


async def test_a_slow_conversation_does_not_hold_back_a_send_now(sandbox, tmp_path, closing: Closing, monkeypatch):
    engine = closing(Engine(sandbox.url, tmp_path / "cache"))
    await engine.engine.poll("zendesk")
    ticket = next(t for t in engine.store.unsolved().values() if t["status"] == "open")
    in_flight, released = asyncio.Event(), asyncio.Event()

    async def slow_comments(ticket_id):
        in_flight.set()
        await released.wait()
        raise AssertionError("unreachable in this test")

    monkeypatch.setattr(engine.engine.pollers, "comments", slow_comments)
    engine.engine.schedule.next_at.update({name: 1e18 for name in engine.engine.schedule.intervals})
    stop, task, events = await start(closing, engine)
    engine.engine.requests.ask(FetchComments(ticket["id"]))
    await asyncio.wait_for(in_flight.wait(), 10)  # the conversation is being fetched
    engine.writes.update_ticket(
        TicketRef.of(ticket), ChangeSet(comment="not behind the conversation", public=False), "note"
    )
    engine.engine.kick()
    body = "not behind the conversation"
    took = await eventually(lambda: any(c["body"] == body for c in sandbox.state.comments.get(ticket["id"], [])))
    assert took < 2.0
    stop.set()  # quitting cancels the conversation still in flight, at once
    await asyncio.wait_for(task, 2)
    assert not [e for e in events if e.crashed]


async def test_what_the_screen_asks_while_the_loop_restarts_is_done_after_it(
    sandbox, tmp_path, closing: Closing, monkeypatch
):
    engine = closing(Engine(sandbox.url, tmp_path / "cache"))
    await engine.engine.poll("zendesk")
    ticket_id = int(next(iter(engine.store.unsolved())))
    real_send, calls, fetched = engine.engine.send, {"n": 0}, []

    async def send_that_breaks_once():
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom")
        return await real_send()

    real_comments = engine.engine.pollers.comments

    async def comments(ticket):
        fetched.append(ticket)
        return await real_comments(ticket)

    monkeypatch.setattr(engine.engine, "send", send_that_breaks_once)
    monkeypatch.setattr(engine.engine.pollers, "comments", comments)
    stop, task, events = await start(closing, engine)
    await eventually(lambda: any(e.crashed for e in events))
    engine.engine.requests.ask(FetchComments(ticket_id))  # during the restart's backoff
    await eventually(lambda: ticket_id in fetched)
    stop.set()
    await asyncio.wait_for(task, 5)
