"""The relay's pace (issue 27): one reader for a whole team, whose every request counts
against the account's budget. A view lists whole tickets but sideloads nothing (Zendesk's
reference, "List Tickets From a View": a TicketsResponse, no `include`), so the SLA data
(`slas`, `metric_set`) comes through `tickets/show_many?include=slas,metric_sets`. The relay
stores and publishes a listed change at once and fetches the SLA data of what changed
through one show_many a round, not one per poll."""

from __future__ import annotations

from tests.conftest import Closing
from tests.helpers import Engine


def show_manys(sandbox) -> int:
    return sum(n for key, n in sandbox.state.requests.items() if key.startswith("zendesk GET") and "show_many" in key)


def a_colleagues_reply(sandbox, ticket_id: int, subject: str) -> None:
    """A teammate answers in Zendesk's web UI: a public agent comment, and a new subject."""
    with sandbox.state.lock:
        agent = next(u for u in sandbox.state.users.values() if u.get("role") in ("agent", "admin"))
        ticket = sandbox.state.tickets[ticket_id]
        ticket["subject"] = subject
        sandbox.state.add_comment(ticket_id, agent["id"], "On it, thanks for waiting", True, sandbox.app.now())
        sandbox.state.touch(ticket, sandbox.app.now())


def active_reply_metric(ticket: dict) -> bool:
    metrics = (ticket.get("slas") or {}).get("policy_metrics") or []
    return any(m.get("stage") == "active" and str(m.get("metric", "")).endswith("reply_time") for m in metrics)


def stored(engine: Engine, ticket_id: int) -> dict:
    ticket = engine.store.ticket(ticket_id)
    assert ticket is not None, f"#{ticket_id} is not in the cache"
    return ticket


async def slas_now(engine: Engine, ticket_id: int) -> dict:
    assert engine.clients.zendesk is not None
    page = await engine.clients.zendesk.tickets_many([ticket_id])
    return page.tickets[0].model_dump(mode="json")["slas"]


async def test_the_relay_stores_a_listed_change_at_once_and_its_sla_data_once_a_round(
    strict, tmp_path, closing: Closing
):
    engine = closing(Engine(strict.url, tmp_path / "relay"))
    pollers = engine.engine.pollers
    clock = [1000.0]
    pollers.slas_every, pollers.monotonic = 30.0, lambda: clock[0]
    for _ in range(2):  # the first sync, then a poll that settles the high-water mark
        assert (await engine.engine.poll("zendesk")).error is None
    waiting = [int(k) for k in engine.store.unsolved() if active_reply_metric(engine.store.ticket(int(k)) or {})]
    assert len(waiting) >= 2, "the dataset must hold tickets waiting on a first reply under a policy"
    first, second = waiting[:2]

    # The first change of a round: stored and its SLA data fetched at once.
    a_colleagues_reply(strict, first, "answered by a colleague")
    before = show_manys(strict)
    report = await engine.engine.poll("zendesk")
    assert first in report.changed
    assert stored(engine, first)["subject"] == "answered by a colleague"
    assert show_manys(strict) - before == 1

    # The next, within the round: stored as listed at once, with the SLA data it had; no show_many.
    old_slas = stored(engine, second)["slas"]
    a_colleagues_reply(strict, second, "also answered")
    clock[0] += 10
    before = show_manys(strict)
    report = await engine.engine.poll("zendesk")
    assert second in report.changed
    assert stored(engine, second)["subject"] == "also answered"
    assert stored(engine, second)["slas"] == old_slas
    assert show_manys(strict) == before
    fresh = await slas_now(engine, second)
    assert fresh != old_slas  # the reply fulfilled the metric: the SLA data is owed

    # The round ends: the next poll, even one that lists nothing new, brings what is owed.
    clock[0] += 25
    before = show_manys(strict)
    report = await engine.engine.poll("zendesk")
    assert second in report.changed
    assert stored(engine, second)["slas"] == fresh
    assert show_manys(strict) - before == 1


async def test_a_new_ticket_is_stored_as_listed_and_its_requester_and_sla_data_come_with_the_round(
    strict, tmp_path, closing: Closing
):
    """A new ticket is a change to see now, like any other: stored as the view lists it, no
    request of its own; its requester (never seen before) and its SLA data come with the
    round's one show_many, which sideloads both."""
    engine = closing(Engine(strict.url, tmp_path / "relay"))
    pollers = engine.engine.pollers
    clock = [1000.0]
    pollers.slas_every, pollers.monotonic = 30.0, lambda: clock[0]
    for _ in range(2):
        assert (await engine.engine.poll("zendesk")).error is None
    waiting = [int(k) for k in engine.store.unsolved() if active_reply_metric(engine.store.ticket(int(k)) or {})]
    a_colleagues_reply(strict, waiting[0], "first of the round")
    await engine.engine.poll("zendesk")  # the round starts: its show_many now

    with strict.state.lock:
        requester = strict.state.end_user("Nova Newcomer", "nova@example.org")  # first seen here
        support = next(g for g in strict.state.groups.values() if g["name"] == "Support")["id"]
        fields = {"subject": "A new one", "priority": "urgent", "group_id": support}
        created = strict.state.create_ticket(fields, requester, requester, "It is broken.", strict.app.now())
    clock[0] += 8
    before = show_manys(strict)
    users_before = sum(n for key, n in strict.state.requests.items() if "/users/" in key)
    report = await engine.engine.poll("zendesk")
    assert created["id"] in report.changed
    assert stored(engine, created["id"])["subject"] == "A new one"
    assert show_manys(strict) == before  # no request for it within the round
    assert sum(n for key, n in strict.state.requests.items() if "/users/" in key) == users_before
    assert str(requester["id"]) not in engine.store.names("user")

    clock[0] += 25  # the round ends: one show_many brings its requester and its SLA data
    report = await engine.engine.poll("zendesk")
    assert show_manys(strict) - before == 1
    assert str(requester["id"]) in engine.store.names("user")
    assert stored(engine, created["id"])["slas"] == await slas_now(engine, created["id"])


async def test_a_copy_still_fetches_every_change_whole_at_once(strict, tmp_path, closing: Closing):
    """Without the relay's pace (every copy, the default), nothing changes: a listed change
    is fetched through show_many on the poll that lists it, SLA data included."""
    engine = closing(Engine(strict.url, tmp_path / "copy"))
    for _ in range(2):
        assert (await engine.engine.poll("zendesk")).error is None
    ticket_id = next(int(k) for k in engine.store.unsolved() if active_reply_metric(engine.store.ticket(int(k)) or {}))
    a_colleagues_reply(strict, ticket_id, "answered by a colleague")
    before = show_manys(strict)
    await engine.engine.poll("zendesk")
    assert show_manys(strict) - before == 1
    assert stored(engine, ticket_id)["slas"] == await slas_now(engine, ticket_id)
