"""Issue 24: the SLA the queue shows is Zendesk's `breach_at`, after a first sync, after a
restart and after SLA data changes that leave `updated_at` as it was.

The mechanism behind "-2d16h where Zendesk says 6 hours": the first sync reads the queue
through search, which carries no `slas` or `metric_set` (Zendesk's search results have no
such sideloads); the screen ranks those pages at once, then show_many brings the SLA data
with `updated_at` unchanged. Derived facts cached by `updated_at` alone kept the clock
counted from `created_at`. The sandbox's answer is read over HTTP as any client would:
`GET /api/v2/tickets/show_many.json?include=slas` (Zendesk's reference, "Side-loading":
`slas` gives `policy_metrics[]` with `breach_at`, `stage`, `metric`).
"""

from __future__ import annotations

import copy
import datetime as dt

from tests.conftest import FROZEN_NOW, Closing, sandbox_config
from tests.helpers import Engine
from triage_tui.read.workspace import Workspace
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage.sla import format_duration, parse_time


def open_workspace(directory) -> Workspace:
    config = sandbox_config("http://127.0.0.1:9").replace(cache_dir=directory)
    return Workspace(Store(directory), Outbox(directory), config, lambda: FROZEN_NOW)


async def zendesk_breach_at(engine: Engine, ids: list[int]) -> dict[int, dt.datetime]:
    """Each ticket's earliest active reply-metric `breach_at`, as the sandbox answers it now."""
    assert engine.clients.zendesk is not None
    page = await engine.clients.zendesk.tickets_many(ids)
    found: dict[int, dt.datetime] = {}
    for ticket in page.tickets:
        metrics = ticket.slas.policy_metrics if ticket.slas else []
        reply = [m for m in metrics if m.metric is not None and m.metric.endswith("reply_time")]
        active = [m.breach_at for m in reply if m.stage == "active" and m.breach_at]
        if active:
            found[ticket.id] = min(active)
    return found


def shown(workspace: Workspace) -> dict[int, tuple[dt.datetime | None, str]]:
    """What the queue shows per ticket: the clock's breach moment and the row's countdown."""
    result = {}
    for row in workspace.rows("all"):
        counted = workspace.countdown(row)
        result[row.entry.id] = (row.entry.clock.breach_at, format_duration(counted.seconds_to_breach))
    return result


def expected(workspace: Workspace, breach: dict[int, dt.datetime]) -> dict[int, tuple[dt.datetime, str]]:
    calendar = workspace.calendar
    return {i: (b, format_duration(calendar.seconds_between(FROZEN_NOW, b))) for i, b in breach.items()}


async def test_every_policy_ticket_shows_zendesks_breach_at_after_a_first_sync_and_a_restart(
    strict, tmp_path, closing: Closing
):
    directory = tmp_path / "cache"
    engine = closing(Engine(strict.url, directory))
    workspace = open_workspace(directory)
    # As the app does: each page of the first sync is ranked on screen as it arrives.
    engine.engine.pollers.progress = workspace.update
    report = await engine.engine.poll("zendesk")
    assert report.error is None, report.error
    workspace.update(report.changed)  # the sync's report, as the app receives it

    breach = await zendesk_breach_at(engine, sorted(workspace.entries))
    assert len(breach) > 20, "the dataset must hold tickets under a Zendesk SLA policy"
    want = expected(workspace, breach)
    now_shown = shown(workspace)
    assert {i: now_shown[i] for i in breach} == want

    # `R` reads the cache again; a restart reads the derived facts it kept.
    workspace.load()
    assert {i: shown(workspace)[i] for i in breach} == want
    restarted = open_workspace(directory)
    restarted.load()
    assert {i: shown(restarted)[i] for i in breach} == want
    # The detail's "SLA:" is the same fact.
    some = next(iter(breach))
    detail = restarted.detail(some)
    assert detail is not None and format_duration(detail.seconds_to_breach) == want[some][1]


async def test_new_sla_data_without_a_new_updated_at_changes_the_row(engine, tmp_path):
    """Zendesk moves `breach_at` without touching `updated_at` (a policy edited, a business
    schedule changed, SLA data that arrives after the ticket through show_many): the row must
    follow, through an incremental update, a reload (`R`) and a restart alike."""
    workspace = open_workspace(engine.directory)
    workspace.load()
    breach = await zendesk_breach_at(engine, sorted(workspace.entries))
    ticket_id = min(breach)
    cached = copy.deepcopy(engine.store.ticket(ticket_id))
    moved = breach[ticket_id] + dt.timedelta(hours=5)
    for metric in cached["slas"]["policy_metrics"]:
        if metric["stage"] == "active":
            metric["breach_at"] = moved.strftime("%Y-%m-%dT%H:%M:%SZ")
    before = cached["updated_at"]
    changed = engine.store.put_tickets([cached], only_if_newer=True)
    assert changed == [ticket_id] and engine.store.ticket(ticket_id)["updated_at"] == before

    workspace.update(changed)
    assert workspace.entries[ticket_id].clock.breach_at == moved
    workspace.load()  # `R`: a full reload keeps in-memory entries whose inputs are unchanged
    assert workspace.entries[ticket_id].clock.breach_at == moved
    restarted = open_workspace(engine.directory)
    restarted.load()
    row = next(r for r in restarted.rows("all") if r.entry.id == ticket_id)
    assert row.entry.clock.breach_at == moved
    assert format_duration(restarted.countdown(row).seconds_to_breach) == format_duration(
        restarted.calendar.seconds_between(FROZEN_NOW, moved)
    )
    assert parse_time(engine.store.ticket(ticket_id)["slas"]["policy_metrics"][0]["breach_at"]) == moved


async def test_our_own_writes_keep_zendesks_sla_until_zendesk_says_otherwise(engine):
    """A ticket update's answer is `{ticket, audit}` without `slas` (Zendesk's reference:
    `include=slas` is a sideload of the ticket reads). Assigning the ticket moves no SLA, so
    the row keeps Zendesk's breach_at, not the handbook's own count; a public reply fulfils
    the reply metric at once, as the next read of Zendesk then confirms."""
    from triage_tui.triage.macros import ChangeSet

    workspace = open_workspace(engine.directory)
    workspace.load()
    breach = await zendesk_breach_at(engine, sorted(workspace.entries))
    # One the handbook's count would put elsewhere: Zendesk's moment is not ours to replace.
    ticket_id = next(
        i for i in sorted(breach) if workspace.entries[i].clock.from_zendesk and workspace.entries[i].facts.assignee_id
    )
    me = (engine.store.get("me") or {})["id"]
    engine.writes.update_ticket(TicketRef.of(engine.store.ticket(ticket_id)), ChangeSet(assignee_id=me), "assign")
    await engine.drain()
    workspace.update([ticket_id])
    clock = workspace.entries[ticket_id].clock
    assert clock.from_zendesk and clock.breach_at == breach[ticket_id]

    engine.writes.update_ticket(
        TicketRef.of(engine.store.ticket(ticket_id)), ChangeSet(comment="Hey, fixed now"), "reply"
    )
    await engine.drain()
    workspace.update([ticket_id])
    assert workspace.entries[ticket_id].clock.state == "idle"
    page = await engine.clients.zendesk.tickets_many([ticket_id])  # what `f` or a poll reads next
    engine.store.put_tickets([page.tickets[0].model_dump(mode="json")])
    workspace.update([ticket_id])
    assert workspace.entries[ticket_id].clock.state == "idle"
