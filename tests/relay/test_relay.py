"""The relay against a real nats-server and the strict sandbox: one reader for the account,
copies fed from JetStream, a lease that passes on, and NATS permissions per group."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from tests.relay.conftest import GROUPS_OF_ALEX, Copy, make_relay, relay_config
from tests.waiting import eventually
from triage_tui.relay import feed, publisher
from triage_tui.relay.connect import RelayConfigError, bucket, check_url, connect
from triage_tui.relay.names import PATH_KEY, group_bucket, ticket_key
from triage_tui.relay.publisher import SLAS_SECONDS
from triage_tui.relay.waits import first_of
from triage_tui.sync.requests import Presence
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.sync.writes import Writes
from triage_tui.triage.macros import ChangeSet


def zendesk_reads(sandbox) -> int:
    """Requests that read tickets (what a copy fed by the relay must not make)."""
    return sum(
        count
        for key, count in sandbox.state.requests.items()
        if key.startswith("zendesk GET") and ("/views/" in key or "show_many" in key or "search" in key)
    )


def change(sandbox, predicate=lambda t: t["status"] == "open", subject: str = "changed by a colleague") -> dict:
    with sandbox.state.lock:
        ticket = next(t for t in sandbox.state.tickets.values() if predicate(t))
        ticket["subject"] = subject
        sandbox.state.touch(ticket, sandbox.app.now())
        return dict(ticket)


async def a_relay_and_a_copy(strict, nats_server, tmp_path, running, *, slas_seconds: float = SLAS_SECONDS):
    """The only relay, leading and past its first sync, and one copy holding its queue."""
    config = relay_config(strict.url, nats_server.url)
    leader = make_relay(running, config, tmp_path / "relay", "relay-1", slas_seconds=slas_seconds)
    running.start(leader.run)
    await eventually(lambda: leader.leading.is_set() and leader.store.get("cursor:zendesk"))
    copy = Copy(running, config, tmp_path / "copy")
    await eventually(lambda: len(copy.store.unsolved()) == len(leader.store.unsolved()))
    return config, leader, copy


async def test_a_relay_publishes_the_account_and_a_copy_paints_a_change_without_reading_zendesk(
    strict, nats_server, tmp_path, running
):
    config = relay_config(strict.url, nats_server.url)
    relay = make_relay(running, config, tmp_path / "relay", "relay-1")
    running.start(relay.run)
    await eventually(lambda: relay.leading.is_set(), what="the only relay leads")
    await eventually(lambda: relay.store.get("cursor:zendesk"), what="its first sync")
    unsolved = relay.store.unsolved()
    assert len(unsolved) > 50

    copy = Copy(running, config, tmp_path / "copy")
    await eventually(lambda: set(copy.store.unsolved()) == set(unsolved), what="the copy has the queue")
    assert copy.store.sync_state("zendesk")[PATH_KEY] == "relay"
    assert copy.store.list("groups") and copy.store.list("macros")  # reference data came too
    some = copy.store.ticket(int(next(iter(unsolved))))
    assert some is not None
    assert copy.store.record("user", some["requester_id"])  # the people a ticket names come with it
    reads_before = zendesk_reads(strict)

    ticket = change(strict)
    took = await eventually(
        lambda: (copy.store.ticket(ticket["id"]) or {}).get("subject") == "changed by a colleague",
        timeout=15,
        what="the change reaches the copy",
    )
    assert ticket["id"] in copy.changed()  # the app is told, as after a poll
    assert took < 15
    relay_reads = zendesk_reads(strict) - reads_before
    assert relay_reads <= 4  # the relay's own view + show_many; the copy read no ticket itself

    # Writes still go from the copy to Zendesk, with its own token, at once.
    row = copy.store.unsolved()[str(ticket["id"])]
    Writes(copy.outbox, copy.store, lambda: dt.datetime.now(dt.UTC)).update_ticket(
        TicketRef.of(row), ChangeSet(comment="sent by a copy fed by the relay"), "reply"
    )
    copy.engine.kick()
    await eventually(
        lambda: any(
            c["body"] == "sent by a copy fed by the relay" for c in strict.state.comments.get(ticket["id"], [])
        ),
        what="the write reaches Zendesk",
    )


async def test_a_new_ticket_reaches_the_copy_as_listed_and_its_new_requester_follows(
    strict, nats_server, tmp_path, running
):
    """A ticket from a requester nobody has seen: published as the view lists it, no request
    of its own; the round's show_many brings the requester, and the ticket goes out again
    with it, so the copy can name who wrote."""
    _, _, copy = await a_relay_and_a_copy(strict, nats_server, tmp_path, running, slas_seconds=4.0)

    with strict.state.lock:
        requester = strict.state.end_user("Nova Newcomer", "nova@example.org")
        support = next(g for g in strict.state.groups.values() if g["name"] == "Support")["id"]
        fields = {"subject": "First time writing", "priority": "low", "group_id": support}
        created = strict.state.create_ticket(fields, requester, requester, "Hello?", strict.app.now())
    await eventually(lambda: copy.store.ticket(created["id"]) is not None, timeout=15, what="the new ticket")
    await eventually(
        lambda: (copy.store.record("user", requester["id"]) or {}).get("name") == "Nova Newcomer",
        timeout=20,
        what="its requester follows with the round",
    )

    # A ticket the copy has, given to an agent nobody has seen: its SLA data does not change,
    # so only the relay's knowing the person sends it out again.
    with strict.state.lock:
        agent = strict.state.end_user("Ada Newhire", "ada@example.com")
        agent["role"] = "agent"
    ticket = change(strict, subject="handed to the new hire")
    with strict.state.lock:
        strict.state.tickets[ticket["id"]]["assignee_id"] = agent["id"]
        strict.state.touch(strict.state.tickets[ticket["id"]], strict.app.now())
    await eventually(
        lambda: (copy.store.record("user", agent["id"]) or {}).get("name") == "Ada Newhire",
        timeout=20,
        what="the new assignee follows with the round",
    )


async def test_a_solved_ticket_reaches_the_copies_then_leaves_the_bucket(strict, nats_server, tmp_path, running):
    """A bucket holds what may be in a queue: a solved ticket is published once (a copy
    connected now sees it solved, and keeps it), then purged, so a copy that connects later
    does not load every ticket the account ever solved."""
    config, relay, copy = await a_relay_and_a_copy(strict, nats_server, tmp_path, running)

    ticket = change(strict, subject="solved by a colleague")
    with strict.state.lock:
        strict.state.tickets[ticket["id"]]["status"] = "solved"
        strict.state.touch(strict.state.tickets[ticket["id"]], strict.app.now())
    await eventually(
        lambda: (copy.store.ticket(ticket["id"]) or {}).get("status") == "solved",
        timeout=15,
        what="the copy sees it solved",
    )
    assert str(ticket["id"]) not in copy.store.unsolved()
    await eventually(lambda: ticket["id"] not in relay.published, what="the relay purged it")
    link = await connect(config.relay, None, name="test")
    try:
        kv = await bucket(link.js, group_bucket(ticket["group_id"] or 0))
        assert ticket_key(ticket["id"]) not in await kv.keys()
    finally:
        await link.close()
    assert (copy.store.ticket(ticket["id"]) or {}).get("status") == "solved"  # the purge left it here

    later = Copy(running, config, tmp_path / "later")
    await eventually(lambda: len(later.store.unsolved()) == len(relay.store.unsolved()), what="a later copy")
    assert later.store.ticket(ticket["id"]) is None


async def test_a_deleted_ticket_and_one_moved_out_of_a_group_leave_the_copy(strict, nats_server, tmp_path, running):
    _, relay, copy = await a_relay_and_a_copy(strict, nats_server, tmp_path, running)

    # Published to the old group's bucket, then moved: the old bucket deletes it, the new has it.
    ticket = change(strict)
    old_group = ticket["group_id"]
    new_group = next(g["id"] for g in strict.state.groups.values() if g["id"] != old_group)
    with strict.state.lock:
        strict.state.tickets[ticket["id"]]["group_id"] = new_group
        strict.state.touch(strict.state.tickets[ticket["id"]], strict.app.now())
    await relay.publish([ticket["id"]])  # as the poll would, now: the store says where it is
    await eventually(lambda: relay.published.get(ticket["id"]) == new_group, timeout=15)
    await eventually(lambda: (copy.store.ticket(ticket["id"]) or {}).get("group_id") == new_group, timeout=15)

    doomed = copy.store.ticket(int(next(k for k in copy.store.unsolved() if int(k) != ticket["id"])))
    assert doomed is not None
    relay.store.put_tickets([{"id": doomed["id"], "status": "deleted"}])  # what a deletions poll stores
    await relay.publish([doomed["id"]])
    await eventually(lambda: copy.store.ticket(doomed["id"]) is None, what="a deletion reaches the copy")
    assert str(doomed["id"]) not in copy.store.unsolved()
    assert copy.store.ticket(ticket["id"]) is not None  # the moved one stayed


async def test_the_leader_killed_another_relay_takes_over_from_its_cursor_and_no_change_is_lost(
    strict, nats_server, tmp_path, running
):
    config = relay_config(strict.url, nats_server.url, lease_seconds=2)
    first = make_relay(running, config, tmp_path / "relay1", "relay-1")
    first_task, _ = running.start(first.run)
    await eventually(lambda: first.leading.is_set() and first.store.get("cursor:zendesk"), timeout=30)
    second = make_relay(running, config, tmp_path / "relay2", "relay-2")
    running.start(second.run)
    copy = Copy(running, config, tmp_path / "copy")
    await eventually(lambda: len(copy.store.unsolved()) == len(first.store.unsolved()))
    await asyncio.sleep(0)
    assert not second.leading.is_set()  # exactly one reads Zendesk

    first_task.cancel()  # killed: no clean release of the lease, its connection just drops
    stopped, _ = await asyncio.wait([first_task], timeout=15)
    assert stopped, "the killed relay went on running"
    ticket = change(strict, subject="made while no relay led")
    took = await eventually(lambda: second.leading.is_set(), timeout=30, what="the second relay takes over")
    assert took < 30
    await eventually(
        lambda: (copy.store.ticket(ticket["id"]) or {}).get("subject") == "made while no relay led",
        timeout=20,
        what="the change made during the takeover reaches the copy",
    )
    # It resumed from the cursor the first left: no second first sync of the whole queue.
    assert not any("search/export" in key for key in _requests_since(strict, second))


async def test_a_relay_killed_while_a_library_swallows_the_cancellation_still_stops(
    strict, nats_server, tmp_path, running, monkeypatch
):
    """Python 3.11's `asyncio.wait_for` (around every nats-py request) returns the answer
    instead of raising when a cancellation arrives with it. Every wait of the relay is made
    to do so here: its loops must still end, or the kill, and a quit, wait for ever."""

    async def swallowing(*events: asyncio.Event, seconds: float | None = None) -> None:
        try:
            await first_of(*events, seconds=seconds)
        except asyncio.CancelledError:
            pass

    monkeypatch.setattr(publisher, "first_of", swallowing)
    relay = make_relay(running, relay_config(strict.url, nats_server.url, lease_seconds=2), tmp_path / "r", "relay-1")
    task, _ = running.start(relay.run)
    await eventually(lambda: relay.leading.is_set() and relay.store.get("cursor:zendesk"), timeout=30)

    task.cancel()
    stopped, _ = await asyncio.wait([task], timeout=15)
    assert stopped, "the cancelled relay went on running"
    assert task.cancelled()
    assert not relay.leading.is_set()


async def test_a_copy_cancelled_while_a_library_swallows_the_cancellation_still_stops(
    strict, nats_server, tmp_path, running, monkeypatch
):
    """The same for a copy's feed: the app's quit cancels its sync, which must end."""

    async def swallowing(*events: asyncio.Event, seconds: float | None = None) -> None:
        try:
            await first_of(*events, seconds=seconds)
        except asyncio.CancelledError:
            pass

    config = relay_config(strict.url, nats_server.url)
    relay = make_relay(running, config, tmp_path / "relay", "relay-1")
    running.start(relay.run)
    await eventually(lambda: relay.leading.is_set() and relay.store.get("cursor:zendesk"))
    monkeypatch.setattr(feed, "first_of", swallowing)
    copy = Copy(running, config, tmp_path / "copy")
    await eventually(lambda: copy.feed.connected, what="the copy reads the relay")

    copy.task.cancel()
    stopped, _ = await asyncio.wait([copy.task], timeout=15)
    assert stopped, "the cancelled copy went on running"


def _requests_since(sandbox, relay) -> list[str]:
    return [line for line in relay.lines if "search" in line]


async def test_a_copy_whose_relay_is_gone_falls_back_to_zendesk_and_returns(strict, nats_server, tmp_path, running):
    config = relay_config(strict.url, nats_server.url, fallback_seconds=5)
    relay = make_relay(running, config, tmp_path / "relay", "relay-1")
    running.start(relay.run)
    await eventually(lambda: relay.leading.is_set() and relay.store.get("cursor:zendesk"))
    copy = Copy(running, config, tmp_path / "copy")
    await eventually(lambda: copy.store.sync_state("zendesk").get(PATH_KEY) == "relay")

    nats_server.stop()
    await eventually(
        lambda: str(copy.store.sync_state("zendesk").get(PATH_KEY)).startswith("zendesk"),
        timeout=20,
        what="the copy falls back",
    )
    assert any("reading Zendesk directly" in line for line in copy.lines())
    ticket = change(strict, subject="seen by the copy's own poll")
    await eventually(
        lambda: (copy.store.ticket(ticket["id"]) or {}).get("subject") == "seen by the copy's own poll",
        timeout=45,
        what="the copy reads Zendesk itself",
    )

    said = len(relay.lines)
    nats_server.start()
    await eventually(lambda: copy.store.sync_state("zendesk").get(PATH_KEY) == "relay", timeout=30, what="it returns")
    reads = zendesk_reads(strict)
    await eventually(lambda: relay.leading.is_set(), timeout=30)
    ticket = change(strict, subject="through the relay again")
    await eventually(
        lambda: (copy.store.ticket(ticket["id"]) or {}).get("subject") == "through the relay again", timeout=20
    )
    assert zendesk_reads(strict) - reads <= 6  # the relay's reads; the copy's own polls stopped
    assert not [line for line in relay.lines[said:] if "stopped reading" in line]  # it leads, and stays

    nats_server.stop()  # and a second outage is noticed like the first
    await eventually(
        lambda: str(copy.store.sync_state("zendesk").get(PATH_KEY)).startswith("zendesk"),
        timeout=20,
        what="the copy falls back again",
    )
    assert sum("reading Zendesk directly" in line for line in copy.lines()) == 2


async def test_a_copy_restricted_to_one_group_receives_no_ticket_of_another(strict, secured_server, tmp_path, running):
    """NATS permissions decide: alex's user may read one group's bucket and the reference."""
    url = secured_server.url
    relay_side = relay_config(strict.url, url, user="relay")
    relay = make_relay(running, relay_side, tmp_path / "relay", "relay-1", secret="relay-password")
    running.start(relay.run)
    await eventually(lambda: relay.leading.is_set() and relay.store.get("cursor:zendesk"))
    await eventually(lambda: len(relay.published) == len(relay.store.unsolved()))

    alex = Copy(running, relay_config(strict.url, url, user="alex"), tmp_path / "alex", secret=GROUPS_OF_ALEX)
    sam = Copy(running, relay_config(strict.url, url, user="sam"), tmp_path / "sam", secret="sam-password")
    group = secured_server.alex_group
    mine = {k for k, row in relay.store.unsolved().items() if row["group_id"] == group}
    assert mine and len(mine) < len(relay.store.unsolved())
    await eventually(lambda: set(alex.store.unsolved()) == mine, timeout=20, what="alex gets his group")
    await eventually(lambda: len(sam.store.unsolved()) == len(relay.store.unsolved()), timeout=20)
    other = change(strict, lambda t: t["status"] == "open" and t["group_id"] != group, "another group's news")
    await eventually(lambda: (sam.store.ticket(other["id"]) or {}).get("subject") == "another group's news", timeout=15)
    assert alex.store.ticket(other["id"]) is None
    assert set(alex.store.unsolved()) == mine

    # And asking the server directly for another group's bucket is refused, not just skipped.
    link = await connect(relay_config(strict.url, url, user="alex").relay, GROUPS_OF_ALEX, name="alex by hand")
    try:
        with pytest.raises(Exception):  # noqa: B017 - no answer (timeout) or a permissions error
            kv = await bucket(link.js, group_bucket(other["group_id"]))
            await kv.get(ticket_key(other["id"]))
        with pytest.raises(Exception):  # noqa: B017 - a core subscription to the raw subjects too
            sub = await link.nc.subscribe(f"$KV.{group_bucket(other['group_id'])}.>")
            await link.nc.flush()
            await sub.next_msg(timeout=2)
    finally:
        await link.close()


def test_a_relay_url_off_this_machine_without_tls_is_refused_in_one_line():
    with pytest.raises(RelayConfigError) as refused:
        check_url("nats://nats.example.com:4222")
    assert "tls://nats.example.com:4222" in str(refused.value) and "\n" not in str(refused.value)
    assert check_url("tls://nats.example.com:4222") == ["tls://nats.example.com:4222"]
    assert check_url("nats://127.0.0.1:4222, nats://[::1]:4223") == ["nats://127.0.0.1:4222", "nats://[::1]:4223"]
    with pytest.raises(RelayConfigError, match="credentials"):
        check_url("nats://alex:secret@127.0.0.1:4222")


async def test_presence_shows_to_a_colleague_and_ages_out(strict, nats_server, tmp_path, running, monkeypatch):
    import triage_tui.relay.feed as feed_module

    config = relay_config(strict.url, nats_server.url)
    relay = make_relay(running, config, tmp_path / "relay", "relay-1")
    running.start(relay.run)
    await eventually(lambda: relay.leading.is_set() and relay.store.get("cursor:zendesk"))
    monkeypatch.setattr(feed_module, "PRESENCE_REFRESH", 0.5)
    writer = Copy(running, relay_config(strict.url, nats_server.url, name="Alex"), tmp_path / "alex")
    reader = Copy(running, config, tmp_path / "sam")
    await eventually(lambda: writer.feed.connected and reader.feed.connected)
    from triage_tui.presence import colleagues

    ticket_id = int(next(iter(relay.store.unsolved())))
    writer.engine.requests.ask(Presence(ticket_id, "replying"))
    took = await eventually(
        lambda: [str(c) for c in colleagues(reader.store, ticket_id)] == ["Alex is replying"],
        timeout=5,
        what="Sam sees Alex replying",
    )
    assert took < 2
    assert ticket_id in reader.changed()  # the row and the detail repaint
    assert colleagues(writer.store, ticket_id) == []  # not oneself

    writer.engine.requests.ask(Presence(ticket_id, "viewing"))
    await eventually(lambda: [str(c) for c in colleagues(reader.store, ticket_id)] == ["Alex is viewing"])
    writer.engine.requests.ask(Presence(None, ""))  # moved on: gone at once
    await eventually(lambda: colleagues(reader.store, ticket_id) == [], timeout=5)

    # A copy that dies says nothing more: its last entry (refreshed 28 s ago here) ages out of
    # the colleague's screen on the colleague's own clock, with no message from the server.
    link = await connect(config.relay, None, name="a copy about to die")
    kv = await bucket(link.js, "presence")
    said = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=28)).isoformat(timespec="seconds")
    await kv.put(f"t{ticket_id}.dying", json.dumps({"name": "Kim", "doing": "noting", "at": said}).encode())
    await link.close()
    await eventually(lambda: [str(c) for c in colleagues(reader.store, ticket_id)] == ["Kim is writing a note"])
    changed_before = len(reader.events)
    took = await eventually(lambda: colleagues(reader.store, ticket_id) == [], timeout=10, what="it ages out")
    assert took < 5
    await eventually(lambda: any(ticket_id in e.changed_tickets for e in reader.events[changed_before:]))


async def test_a_copy_that_quits_leaves_its_colleagues_screens_at_once(strict, nats_server, tmp_path, running):
    from triage_tui.presence import colleagues

    config = relay_config(strict.url, nats_server.url)
    relay = make_relay(running, config, tmp_path / "relay", "relay-1")
    running.start(relay.run)
    await eventually(lambda: relay.leading.is_set() and relay.store.get("cursor:zendesk"))
    writer = Copy(running, relay_config(strict.url, nats_server.url, name="Alex"), tmp_path / "alex")
    reader = Copy(running, config, tmp_path / "sam")
    await eventually(lambda: writer.feed.connected and reader.feed.connected)
    ticket_id = int(next(iter(relay.store.unsolved())))
    writer.engine.requests.ask(Presence(ticket_id, "replying"))
    await eventually(lambda: colleagues(reader.store, ticket_id) != [], timeout=5)
    writer.stop.set()  # q: the app closes, its sync loop stops
    took = await eventually(lambda: colleagues(reader.store, ticket_id) == [], timeout=10, what="gone at once")
    assert took < 5  # not the 30 s an entry takes to age out
