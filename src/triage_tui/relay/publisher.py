"""`triage-tui relay`: one reader of a Zendesk account for the whole team.

It is the sync engine's Zendesk path (the view of recent changes, `show_many`, deletions,
reference lists; its schedule stretched by the account's budget), run by whichever relay
holds the lease, with every change published to JetStream (`names.py` has the layout).
A relay that takes over first loads the cursor the last leader left in KV, so it reads
from where that one stopped; one that loses the lease or its NATS link stops reading.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

from nats.js.errors import NoKeysError
from nats.js.kv import KeyValue

from triage_tui.config import Config
from triage_tui.relay.connect import Link, bucket, connect
from triage_tui.relay.lease import Lease
from triage_tui.relay.names import (
    CURSOR_KEY,
    PRESENCE,
    PRESENCE_SECONDS,
    REF,
    REFERENCE_LISTS,
    STATE,
    group_bucket,
    group_of_bucket,
    ticket_key,
    ticket_of_key,
)
from triage_tui.relay.waits import first_of, stop_if_cancelled
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.clients import Clients
from triage_tui.sync.engine import SyncEngine

LEASE_BUCKET = "relay_lease"
RECONNECT = 2.0
# One reader for a team looks more often than each copy did (its floor is 15 s). Its view
# lists whole tickets, published at once, new ones too; what a listing lacks (SLA data, a
# requester never seen) comes through one `show_many` a round of SLAS_SECONDS. Measured with a
# change every 3 s, a fifth of them new tickets (bench/team_relay.py): 7.5 view reads and 1.3
# show_many a minute, and a change waits about half a poll (4 s) before it is published.
POLL_SECONDS = 8.0
SLAS_SECONDS = 45.0
ZENDESK_ONLY = ("zendesk", "deletions", "reference")
LEAVES_BUCKET = ("solved", "closed")  # out of every queue: published once, then purged


class LeaseLost(Exception):
    pass


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


class Relay:
    def __init__(
        self,
        config: Config,
        store: Store,
        outbox: Outbox,
        clients: Clients,
        secret: str | None,
        *,
        name: str,
        emit: Callable[[str], None],
        poll_seconds: float = POLL_SECONDS,
        slas_seconds: float = SLAS_SECONDS,
    ) -> None:
        self.config = config
        self.store = store
        self.secret = secret
        self.name = name
        self.emit = emit
        # Only the Zendesk path: incidents and issues stay with each copy (their budgets are per key).
        self.engine = SyncEngine(config, store, outbox, Clients(clients.zendesk, None, None))
        self.engine.schedule.intervals["zendesk"] = poll_seconds
        self.engine.pollers.slas_every = slas_seconds
        self.lease_seconds = config.relay.lease_seconds
        self.published: dict[int, int] = {}  # ticket id -> the group bucket it was last put in
        # Tickets published before the relay knew a person they name (a new requester comes
        # with the round's show_many): published again once it does.
        self.unnamed: set[int] = set()
        self.buckets: dict[str, KeyValue] = {}
        self.leading = asyncio.Event()  # for tests and the bench: this relay reads Zendesk now

    # -- the loop ------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            stop_if_cancelled()
            lost = asyncio.Event()

            async def on_lost(lost: asyncio.Event = lost) -> None:
                lost.set()

            try:
                link = await connect(self.config.relay, self.secret, name=f"relay {self.name}", on_lost=on_lost)
            except Exception as exc:  # noqa: BLE001 - unreachable, refused, TLS: say it and try again
                self.emit(f"relay: NATS unreachable: {type(exc).__name__}: {exc}")
                await first_of(stop, seconds=RECONNECT)
                continue
            try:
                await self._serve(link, stop, lost)
            except Exception as exc:  # noqa: BLE001 - any failure: give up the lease's work and reconnect
                self.emit(f"relay: stopped reading: {type(exc).__name__}: {exc}")
            finally:
                self.leading.clear()
                await link.close()
            await first_of(stop, seconds=RECONNECT if not stop.is_set() else 0)

    async def _serve(self, link: Link, stop: asyncio.Event, lost: asyncio.Event) -> None:
        js = link.js
        self.buckets.clear()  # bound to the last connection: a reconnect looks them up again
        lease_kv = await bucket(js, LEASE_BUCKET, create=True, ttl=self.lease_seconds)
        self.state = await bucket(js, STATE, create=True)
        self.ref = await bucket(js, REF, create=True)
        await bucket(js, PRESENCE, create=True, ttl=PRESENCE_SECONDS)
        self.js = js
        lease = Lease(lease_kv, self.name)
        try:
            while not stop.is_set() and not lost.is_set():
                stop_if_cancelled()
                if await lease.try_acquire():
                    self.emit(f"relay: {self.name} leads: reading Zendesk")
                    try:
                        await self._lead(lease, stop, lost)
                    except* LeaseLost:
                        self.emit(f"relay: {self.name} lost the lease: another relay reads Zendesk now")
                    self.leading.clear()
                else:
                    await first_of(stop, lost, seconds=self.lease_seconds / 3)
        finally:
            if not lost.is_set():
                await lease.release()

    async def _lead(self, lease: Lease, stop: asyncio.Event, lost: asyncio.Event) -> None:
        await self._take_over()
        self.leading.set()
        async with asyncio.TaskGroup() as group:
            renewing = group.create_task(self._renew(lease, stop, lost))
            polling = group.create_task(self._poll_loop(stop, lost))
            await first_of(stop, lost)
            renewing.cancel()
            polling.cancel()

    async def _renew(self, lease: Lease, stop: asyncio.Event, lost: asyncio.Event) -> None:
        while not stop.is_set() and not lost.is_set():
            stop_if_cancelled()
            await first_of(stop, lost, seconds=self.lease_seconds / 3)
            if stop.is_set() or lost.is_set():
                return
            if not await lease.renew():
                raise LeaseLost()

    async def _poll_loop(self, stop: asyncio.Event, lost: asyncio.Event) -> None:
        engine = self.engine
        engine.schedule.start(time.monotonic())
        while not stop.is_set() and not lost.is_set():
            stop_if_cancelled()
            await self.poll_once()
            await first_of(stop, lost, seconds=max(0.05, engine.schedule.seconds_to_next(time.monotonic())))

    # -- taking over ---------------------------------------------------------------------
    async def _take_over(self) -> None:
        """Resume from the cursor the last leader left, and learn which bucket holds each
        ticket (a ticket moved to another group must leave its old one)."""
        try:
            entry = await self.state.get(CURSOR_KEY)
            cursor = json.loads(entry.value) if entry.value else None
        except Exception:  # noqa: BLE001 - no cursor yet: the first leader ever
            cursor = None
        if cursor and cursor.get("zendesk"):
            self.store.set("cursor:zendesk", cursor["zendesk"])
        self.published.clear()
        async for info in _streams(self.js):
            name = info.config.name.removeprefix("KV_")
            if not name.startswith("tickets_g"):
                continue
            kv = await self._bucket(name)
            group = group_of_bucket(name) or 0
            try:
                keys = await kv.keys()
            except NoKeysError:
                continue
            for key in keys:
                ticket_id = ticket_of_key(key)
                if ticket_id is not None:
                    self.published[ticket_id] = group

    # -- one round -----------------------------------------------------------------------
    async def poll_once(self) -> list[int]:
        """Run the due Zendesk jobs and publish what they changed; returns those ids."""
        before = self.store.get("reference:refreshed_at")
        changed: list[int] = []
        for job, report in await self.engine.due_jobs():
            if report.error or report.changed:
                self.emit(report.line())
            if job in ("zendesk", "deletions"):
                changed += [c for c in report.changed if isinstance(c, int) and c not in changed]
        changed += sorted(i for i in self.unnamed if i not in changed and not self._missing_people(i))
        await self.publish(changed)
        if self.store.get("reference:refreshed_at") != before:
            await self.publish_reference()
        await self._publish_cursor()
        return changed

    async def publish(self, ticket_ids: list[int]) -> None:
        for ticket_id in ticket_ids:
            ticket = self.store.ticket(ticket_id)
            old = self.published.get(ticket_id)
            key = ticket_key(ticket_id)
            if ticket is not None and self._missing_people(ticket_id):
                self.unnamed.add(ticket_id)
            else:
                self.unnamed.discard(ticket_id)
            if ticket is None:  # deleted (or merged away): it leaves every copy
                if old is not None:
                    await (await self._bucket(group_bucket(old))).delete(key)
                    del self.published[ticket_id]
                continue
            group = ticket.get("group_id") or 0
            if old is not None and old != group:
                await (await self._bucket(group_bucket(old))).delete(key)
            kv = await self._bucket(group_bucket(group))
            await kv.put(key, encode(self._with_people(ticket)))
            if ticket.get("status") in LEAVES_BUCKET:
                # Copies connected now have its last state; then its value leaves the bucket
                # (a purge keeps a header-only marker), so a copy that connects next month
                # does not load every ticket the account ever solved. A solved ticket the
                # customer reopens is listed again and put again.
                await kv.purge(key)
                self.published.pop(ticket_id, None)
                continue
            self.published[ticket_id] = group

    def _missing_people(self, ticket_id: int) -> bool:
        ticket = self.store.ticket(ticket_id) or {}
        return any(
            isinstance(ticket.get(field), int) and self.store.record("user", ticket[field]) is None
            for field in ("requester_id", "assignee_id")
        )

    def _with_people(self, ticket: dict) -> dict:
        """The ticket with the people and organization it names: a copy sees them only
        through the tickets its group lets it read."""
        users = [
            self.store.record("user", ticket.get(field)) for field in ("requester_id", "assignee_id", "submitter_id")
        ]
        org = self.store.record("org", ticket.get("organization_id"))
        unique = {u["id"]: u for u in users if u}
        return {"ticket": ticket, "users": list(unique.values()), "orgs": [org] if org else []}

    async def publish_reference(self) -> None:
        for name in REFERENCE_LISTS:
            await self.ref.put(name, encode(self.store.list(name)))

    async def _publish_cursor(self) -> None:
        cursor = self.store.get("cursor:zendesk") or {}
        if not cursor.get("high_water"):
            return
        payload = {"zendesk": cursor, "leader": self.name, "published_at": _stamp()}
        await self.state.put(CURSOR_KEY, encode(payload))
        # What a copy falling back to Zendesk needs: where to read changes from.
        shared = {k: cursor[k] for k in ("high_water", "deleted_since", "checked_at") if k in cursor}
        await self.ref.put(CURSOR_KEY, encode({**shared, "published_at": payload["published_at"]}))

    async def _bucket(self, name: str) -> KeyValue:
        kv = self.buckets.get(name)
        if kv is None:
            kv = self.buckets[name] = await bucket(self.js, name, create=True)
        return kv


async def _streams(js: Any) -> Any:
    for info in await js.streams_info():
        yield info
