"""A copy's side of the relay: watch the buckets its NATS user may read, write what arrives
into the same cache a Zendesk poll fills, and say which tickets changed, as a poll does.

While the relay feeds the queue the engine reads no Zendesk change (writes and a ticket's
conversation still go to Zendesk with the engineer's own token). A copy that cannot reach
the relay for `fallback_seconds` falls back to polling Zendesk itself, from the cursor the
relay last published, says so on the status line, and returns when the relay is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import secrets as random_ids
import time
from collections.abc import Callable
from typing import Any

from nats.js.errors import BucketNotFoundError, KeyNotFoundError
from nats.js.kv import KV_DEL, KV_PURGE, KeyValue

from triage_tui.config import Config
from triage_tui.relay.connect import Link, bucket, connect
from triage_tui.relay.names import (
    CURSOR_KEY,
    PATH_KEY,
    PRESENCE,
    PRESENCE_REFRESH,
    PRESENCE_SECONDS,
    PRESENCE_STORE_KEY,
    REF,
    REFERENCE_LISTS,
    group_bucket,
    group_of_bucket,
    presence_key,
    ticket_of_key,
)
from triage_tui.relay.waits import first_of, stop_if_cancelled
from triage_tui.store.cache import Store
from triage_tui.sync.engine import SyncEvent

RECONNECT = 2.0
RESCAN = 30.0  # buckets of groups whose first ticket came later are looked for this often
BATCH_WINDOW = 0.05  # entries arriving together (a first load, one poll's changes) are one write
SWEEP = 2.0  # colleagues' entries past their age leave the screen this often


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


class RelayFeed:
    def __init__(
        self,
        config: Config,
        store: Store,
        secret: str | None,
        *,
        whoami: Callable[[], Any] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        copy_id: str | None = None,
    ) -> None:
        self.config = config
        self.relay = config.relay
        self.store = store
        self.secret = secret
        self.whoami = whoami  # awaitable factory: the Zendesk user, for the name colleagues see
        self.monotonic = monotonic
        self.copy_id = copy_id or random_ids.token_hex(4)
        self.connected = False
        self.lost_since: float | None = monotonic()  # counted from start: a relay never reached
        self.lost_at: dt.datetime = _now()
        self.watched: set[str] = set()
        self.forbidden: set[str] = set()
        self.activity: tuple[int | None, str] = (None, "")
        self._activity_changed = asyncio.Event()
        self._queue: asyncio.Queue[tuple[str, str, Any]] = asyncio.Queue()
        self._groups_changed = asyncio.Event()
        self.user_id: int | None = None
        self._said: str | None = None  # the presence key this copy last announced
        self.name = self.relay.name

    # -- what the engine asks -----------------------------------------------------------
    def feeds_queue(self) -> bool:
        """True while the relay feeds the queue, or has been away less than the grace time."""
        if self.connected:
            return True
        return self.lost_since is not None and self.monotonic() - self.lost_since < self.relay.fallback_seconds

    def _next_try(self) -> float:
        """Seconds to the next connection attempt: RECONNECT, or less when the fallback falls
        due sooner, so the copy turns to Zendesk at `fallback_seconds`, not a try later."""
        if self.lost_since is None or self.connected:
            return RECONNECT
        due = self.lost_since + self.relay.fallback_seconds - self.monotonic()
        return RECONNECT if due <= 0 else min(RECONNECT, due)

    def doing(self, ticket_id: int | None, what: str) -> None:
        """The engineer is viewing, replying to or noting on `ticket_id` (None: nothing)."""
        if (ticket_id, what) != self.activity:
            self.activity = (ticket_id, what)
            self._activity_changed.set()

    # -- the loop ------------------------------------------------------------------------
    async def run(self, emit: Callable[[SyncEvent], None], stop: asyncio.Event) -> None:
        fell_back = said = False
        while not stop.is_set():
            stop_if_cancelled()
            lost = asyncio.Event()

            async def on_lost(lost: asyncio.Event = lost) -> None:
                lost.set()

            link: Link | None = None
            try:
                link = await connect(self.relay, self.secret, name=f"copy {self.copy_id}", on_lost=on_lost)
                await self._serve(link, emit, stop, lost)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - unreachable, refused, no relay yet: count it, try again
                if not said or self.connected:  # once an outage (a session that was up ends), not every try
                    said = True
                    emit(SyncEvent(lines=[f"relay: unreachable: {type(exc).__name__}: {exc}"]))
            finally:
                if self.connected:  # it was up: a new outage starts now
                    self.connected = fell_back = False
                    self.lost_since, self.lost_at = self.monotonic(), _now()
                if link is not None:
                    await link.close()
            fell_back = self._fall_back_if_due(emit, fell_back)
            await first_of(stop, seconds=self._next_try())
            # Before the next try, not after it: a try may take its connect timeout.
            fell_back = self._fall_back_if_due(emit, fell_back)

    def _fall_back_if_due(self, emit: Callable[[SyncEvent], None], fell_back: bool) -> bool:
        """Say once per outage that the copy reads Zendesk itself, when `fallback_seconds` have
        passed without the relay; returns whether it has fallen back."""
        if fell_back or self.feeds_queue():
            return fell_back
        self._say_path(f"zendesk: relay lost {self.lost_at:%H:%M}")
        emit(
            SyncEvent(
                lines=[f"relay: unreachable since {self.lost_at:%H:%M}: reading Zendesk directly"],
                outbox_changed=True,  # the status line repaints
            )
        )
        return True

    async def _serve(self, link: Link, emit: Callable[[SyncEvent], None], stop: asyncio.Event, lost: asyncio.Event):
        js = link.js
        ref = await bucket(js, REF)  # absent: no relay has run yet (BucketNotFoundError: retried)
        presence = await bucket(js, PRESENCE)
        self.watched.clear()
        self.forbidden.clear()
        self._groups_changed = asyncio.Event()
        await self._know_me()
        with contextlib.suppress(KeyNotFoundError):  # which buckets to watch, before watching them
            self.store.put_list("groups", json.loads((await ref.get("groups")).value or b"[]"))
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self._watch(ref, "ref", lost))]
            tasks.append(group.create_task(self._watch(presence, "presence", lost)))
            await self._watch_groups(js, group, tasks, lost)
            tasks.append(group.create_task(self._apply(emit)))
            tasks.append(group.create_task(self._announce(presence, lost)))
            tasks.append(group.create_task(self._rescan(js, group, tasks, lost)))
            tasks.append(group.create_task(self._sweeper(emit)))
            self.connected = True
            self.lost_since = None
            self._say_path("relay")
            emit(SyncEvent(lines=["relay: reading the queue from the relay"], outbox_changed=True))
            try:
                await first_of(stop, lost)
            finally:  # stopped, or cancelled by the engine as the app quits
                for task in tasks:
                    task.cancel()
                if not lost.is_set() and self._said is not None:
                    # Quitting: colleagues stop seeing this engineer now, not when it ages out.
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(presence.delete(self._said), 2.0)
        if lost.is_set():
            raise ConnectionError("the relay's NATS connection closed")

    async def _know_me(self) -> None:
        me = self.store.get("me")
        if not me and self.whoami is not None:
            try:
                me = await self.whoami()
            except Exception:  # noqa: BLE001 - the name is a courtesy; presence works without it
                me = None
            if me:
                self.store.set("me", me)
        if not self.name:
            self.name = (me or {}).get("name") or "A colleague"
        self.user_id = (me or {}).get("id")

    def _wanted_groups(self) -> list[int]:
        """Every group the reference lists (and no group), narrowed by `[relay] groups`; the
        server refuses the buckets this copy's NATS user may not read."""
        groups = self.store.list("groups")
        chosen = set(self.relay.groups)
        ids = [int(g["id"]) for g in groups if not chosen or str(g.get("id")) in chosen or str(g.get("name")) in chosen]
        return ([0] if not chosen else []) + ids

    async def _watch_groups(self, js: Any, group: asyncio.TaskGroup, tasks: list, lost: asyncio.Event) -> None:
        names = [group_bucket(g) for g in self._wanted_groups()]
        names = [n for n in names if n not in self.watched and n not in self.forbidden]

        async def open_one(name: str) -> KeyValue | None:
            try:
                return await bucket(js, name)
            except BucketNotFoundError:
                return None  # no ticket in that group yet: looked for again later
            except Exception:  # noqa: BLE001 - refused by the server (no answer to a forbidden request)
                self.forbidden.add(name)
                return None

        opened = await asyncio.gather(*(open_one(n) for n in names))
        for name, kv in zip(names, opened, strict=True):
            if kv is not None:
                self.watched.add(name)
                tasks.append(group.create_task(self._watch(kv, name, lost)))

    async def _rescan(self, js: Any, group: asyncio.TaskGroup, tasks: list, lost: asyncio.Event) -> None:
        """New groups, and groups whose first ticket came after we looked."""
        while True:
            stop_if_cancelled()
            await first_of(self._groups_changed, seconds=RESCAN)
            self._groups_changed.clear()
            await self._watch_groups(js, group, tasks, lost)

    async def _watch(self, kv: KeyValue, source: str, lost: asyncio.Event) -> None:
        try:
            watcher = await kv.watch(">")
            async for entry in watcher:
                stop_if_cancelled()
                if entry is not None:
                    await self._queue.put((source, entry.key, entry))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a watcher that dies means the link is not to be trusted
            lost.set()

    # -- applying what arrives -----------------------------------------------------------
    async def _apply(self, emit: Callable[[SyncEvent], None]) -> None:
        while True:
            stop_if_cancelled()
            items = [await self._queue.get()]
            await asyncio.sleep(BATCH_WINDOW)
            while not self._queue.empty():
                items.append(self._queue.get_nowait())
            emit(self.apply(items))

    def apply(self, items: list[tuple[str, str, Any]]) -> SyncEvent:
        """Write one batch into the cache; the event names the tickets to repaint."""
        event = SyncEvent()
        latest: dict[int, dict | None] = {}  # ticket id -> its newest value here (None: it left)
        presence = self.store.get(PRESENCE_STORE_KEY) or {}
        presence_changed: set[int] = set()
        people: dict[str, dict] = {"user": {}, "org": {}}  # written once a batch: each write rewrites all
        for source, key, entry in items:
            removed = entry.operation in (KV_DEL, KV_PURGE) or entry.value is None
            if source == "ref":
                if not removed:
                    event.reference_changed |= self._reference(key, json.loads(entry.value))
            elif source == "presence":
                ticket_text, _, copy = key.partition(".")
                ticket_id = ticket_of_key(ticket_text)
                if ticket_id is None or copy == self.copy_id:
                    continue
                on_ticket = presence.setdefault(str(ticket_id), {})
                if removed:
                    on_ticket.pop(copy, None)
                else:
                    on_ticket[copy] = json.loads(entry.value)
                presence_changed.add(ticket_id)
            elif (ticket_id := ticket_of_key(key)) is not None:
                if not removed:
                    value = json.loads(entry.value)
                    people["user"].update({u["id"]: u for u in value.get("users") or []})
                    people["org"].update({o["id"]: o for o in value.get("orgs") or []})
                    latest[ticket_id] = value["ticket"]
                    continue
                # A delete in a group's bucket: deleted, or moved to another group. Only the
                # copy still holding it in that group lets it go (the put in its new group
                # may have come first).
                current = latest[ticket_id] if ticket_id in latest else self.store.ticket(ticket_id)
                if current is not None and current.get("status") in ("solved", "closed"):
                    continue  # published solved, then purged from the bucket: it stays here as solved
                if current is not None and (current.get("group_id") or 0) == (group_of_bucket(source) or 0):
                    latest[ticket_id] = None
        for kind, records in people.items():
            if records:
                self.store.put_records(kind, list(records.values()))
        if event.reference_changed:
            self.store.set("reference:refreshed_at", _iso(_now()))
        fresh = [ticket for ticket in latest.values() if ticket is not None]
        changed = self.store.put_tickets(fresh, only_if_newer=True) if fresh else []
        left = [{"id": ticket_id, "status": "deleted"} for ticket_id, t in latest.items() if t is None]
        changed += self.store.put_tickets(left) if left else []
        if presence_changed:
            self.store.set(PRESENCE_STORE_KEY, {k: v for k, v in presence.items() if v})
        event.changed_tickets = sorted(set(changed) | presence_changed)
        if self.connected and (fresh or left or event.reference_changed):
            self.store.mark_synced("zendesk", _now(), **{PATH_KEY: "relay"})
        return event

    def _reference(self, key: str, value: Any) -> bool:
        if key in REFERENCE_LISTS:
            self.store.put_list(key, value)
            if key == "groups":
                self._groups_changed.set()
            return True
        if key == CURSOR_KEY and self.connected:
            # Where the relay has read to: a copy falling back polls Zendesk from there. The
            # relay's poll is also the queue's freshness: the status line shows its time.
            cursor = self.store.get("cursor:zendesk") or {}
            self.store.set("cursor:zendesk", {**cursor, **{k: v for k, v in value.items() if k != "published_at"}})
            self.store.mark_synced("zendesk", _now(), **{PATH_KEY: "relay"})
        return False

    def _say_path(self, path: str) -> None:
        state = self.store.sync_state("zendesk")
        if path == "relay":
            self.store.mark_synced("zendesk", _now(), **{PATH_KEY: path})
        elif state.get(PATH_KEY) != path:
            self.store.set("sync:zendesk", {**state, PATH_KEY: path})

    # -- presence ------------------------------------------------------------------------
    async def _announce(self, presence: KeyValue, lost: asyncio.Event) -> None:
        """Publish what this engineer is doing; refreshed before it ages out, removed when
        they move on. A copy that dies stops refreshing and its entry ages out."""
        self._said = None
        while True:
            stop_if_cancelled()
            ticket_id, what = self.activity
            key = presence_key(ticket_id, self.copy_id) if ticket_id is not None and what else None
            with contextlib.suppress(Exception):  # a failed put is tried again at the next refresh
                if self._said is not None and self._said != key:
                    await presence.delete(self._said)
                if key is not None:
                    value = {"name": self.name, "user_id": self.user_id, "doing": what, "at": _iso(_now())}
                    await presence.put(key, json.dumps(value).encode())
                self._said = key
            self._activity_changed.clear()
            await first_of(self._activity_changed, seconds=PRESENCE_REFRESH)

    def sweep(self) -> list[int]:
        """Colleagues' entries past their age (the server drops them without telling
        watchers): returns the tickets whose line changes."""
        presence = self.store.get(PRESENCE_STORE_KEY) or {}
        limit = _iso(_now() - dt.timedelta(seconds=PRESENCE_SECONDS))
        changed = []
        for ticket, on_ticket in list(presence.items()):
            old = [copy for copy, entry in on_ticket.items() if str(entry.get("at", "")) < limit]
            for copy in old:
                del on_ticket[copy]
            if old:
                changed.append(int(ticket))
            if not on_ticket:
                del presence[ticket]
        if changed:
            self.store.set(PRESENCE_STORE_KEY, presence)
        return changed

    async def _sweeper(self, emit: Callable[[SyncEvent], None]) -> None:
        while True:
            stop_if_cancelled()
            await asyncio.sleep(SWEEP)
            if changed := self.sweep():
                emit(SyncEvent(changed_tickets=changed))
