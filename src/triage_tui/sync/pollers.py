"""Pollers: pull each service into the cache and say which ids changed.

A failed poll records "offline since" or the error against its source and returns; it
never raises into the caller's loop, so one bad poll cannot take the app down.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from triage_tui.config import Config
from triage_tui.models.base import SkippedRecord
from triage_tui.sources.errors import AuthFailed, NotFound, RateLimited, Rejected, SourceError
from triage_tui.sources.zendesk import ChangedTicket, TicketPage, visible_fields
from triage_tui.store.cache import Store
from triage_tui.store.queue_rows import UNSOLVED, QueueRow
from triage_tui.sync.changes import (
    FEED_PASSES,
    SEARCH_LAG,
    SHOW_MANY,
    VIEW_OVERLAP,
    ChangeFeed,
    configured_feed,
    feed_view_body,
    is_newer,
    own_feed,
    parse_stamp,
    plan_feed,
    stamp,
)
from triage_tui.sync.clients import Clients
from triage_tui.sync.ticket_requests import SearchOutcome
from triage_tui.triage.search import RESULT_LIMIT, plan_search
from triage_tui.triage.suggest import MACRO_USES_KEY, applied_macros

# The feed view reaches back 24 hours: a copy away for longer reads the whole queue again.
RESYNC_AFTER = dt.timedelta(hours=20)
# The feed view found is looked at again this often (someone may have edited or deleted it).
FEED_RECHECK = dt.timedelta(hours=1)


@dataclass
class SyncReport:
    source: str
    changed: list[Any] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    error: str | None = None
    offline: bool = False
    requests: int = 0
    retry_after: float | None = None  # rate limited: when the service said to come back

    def line(self) -> str:
        if self.error:
            return f"{self.source}: {'offline' if self.offline else 'error'}: {self.error}"
        extra = f", {len(self.skipped)} malformed records skipped" if self.skipped else ""
        return f"{self.source}: ok, {len(self.changed)} changed, {self.requests} requests{extra}"


FIRST_SYNC_PAGE = 1000  # the search export's page
AUDIT_BUDGET_SHARE = 0.5  # read audits for the hints only while the account has this much left


def _dump(model: Any) -> dict:
    return model.model_dump(mode="json")


class Pollers:
    def __init__(self, config: Config, store: Store, clients: Clients, now: Callable[[], dt.datetime]) -> None:
        self.config = config
        self.store = store
        self.clients = clients
        self.now = now
        # Called with the changed ticket ids after each page of a long first sync.
        self.progress: Callable[[list[int]], None] | None = None

    async def _guard(self, source: str, work: Callable[[SyncReport], Any], *, status: str = "all") -> SyncReport:
        """Run one poll: its errors become the report (and the source's offline state).

        `status`: what the run may say of the source on screen. "all" (the queue, incidents,
        issues): success and failure. "errors" (a conversation, reference lists): failure only,
        since their success says nothing of whether the queue is current. "none" (deletions):
        neither; its own budget running out is not the queue's state."""
        report = SyncReport(source)
        client = getattr(self.clients, source)
        if client is None:
            report.error = "not configured"
            return report
        before = client.http.requests_made
        try:
            await work(report)
        except RateLimited as exc:
            # The team's budget is spent for this minute: not offline, just later. The
            # schedule comes back after Retry-After (with jitter); the cache keeps serving.
            report.error = exc.message
            report.retry_after = exc.retry_after if exc.retry_after is not None else 30.0
            if status != "none":
                self.store.mark_busy(report.source, f"rate limited; next try in {report.retry_after:.0f}s")
        except SourceError as exc:
            report.error = exc.message
            # Unreachable or failing: "offline since", and the cache keeps serving.
            # Refused (a bad token, a bad request): an error the status line names.
            report.offline = exc.retryable
            if status != "none":
                self.store.mark_failed(report.source, self.now(), exc.message, offline=report.offline)
        else:
            if status == "all":
                self.store.mark_synced(report.source, self.now())
        finally:
            report.requests = client.http.requests_made - before
        return report

    def _skipped(self, report: SyncReport, skipped: list[SkippedRecord]) -> None:
        report.skipped += [str(s) for s in skipped]

    # -- Zendesk --------------------------------------------------------------------------
    async def zendesk(self) -> SyncReport:
        return await self._guard("zendesk", self._zendesk)

    async def _zendesk(self, report: SyncReport) -> None:
        try:
            await self._zendesk_poll(report)
        finally:
            # Cleared here, with nothing awaited before `_guard` records the outcome: the
            # status line goes from "syncing" straight to "✓" (or the error), never "never".
            if self.store.sync_state("zendesk").get("progress"):
                self._say_progress(None)

    async def _zendesk_poll(self, report: SyncReport) -> None:
        client = self.clients.zendesk
        assert client is not None
        cursor = self.store.get("cursor:zendesk") or {}
        first = not cursor.get("high_water")
        if first:
            cursor = await self._first_sync(report)
        if not self.store.get("me"):
            self.store.set("me", _dump(await client.me()))
        if not self.has_reference():
            if first:
                self._say_progress({"stage": "reference"})
            await self._reference(report)
        if first:
            await self.feed()  # found or made once, so that the next polls read it at once
            return
        high_water = parse_stamp(cursor["high_water"])
        checked = parse_stamp(cursor.get("checked_at")) or high_water
        if high_water is None or checked is None or self.now() - checked > RESYNC_AFTER:
            # Away longer than a view of recent changes reaches back (a weekend with the
            # laptop shut): read the whole queue again rather than miss what changed.
            await self._first_sync(report)
            return
        feed = await self.feed()
        if feed.by_search:
            listed = await client.search_changes(stamp(high_water - SEARCH_LAG))
        else:
            try:
                listed = await self._read_feed(feed, high_water - VIEW_OVERLAP)
            except NotFound:
                # Our view was deleted (in Zendesk's UI, or by a copy that lost a race):
                # find or make it again, once, and read that.
                self.store.set("feed:zendesk", {})
                feed = await self.feed()
                listed = (
                    await self._read_feed(feed, high_water - VIEW_OVERLAP)
                    if not feed.by_search
                    else await client.search_changes(stamp(high_water - SEARCH_LAG))
                )
        await self._fetch_changed(report, listed)
        newest = max([m for m in (parse_stamp(t.updated_at) for t in listed) if m is not None], default=high_water)
        # high_water is Zendesk's clock (what the next poll lists down to); checked_at is ours
        # (how long since we last looked, which a quiet weekend does not advance the other).
        cursor = {
            **cursor,
            "high_water": stamp(max(newest, high_water)),
            "checked_at": stamp(self.now()),
            "feed": feed.why,
        }
        self.store.set("cursor:zendesk", cursor)

    async def _first_sync(self, report: SyncReport) -> dict:
        """The queue first: its first page is a useful queue after one request, and the
        screen is told at once; changes since are then read from a view."""
        before = {int(key) for key in self.store.unsolved_rows()}
        found: set[int] = set()
        # An empty cache is filled page by page. A cache read again (after a long absence)
        # keeps its queue while search is walked: nothing disappears from the screen, and a
        # ticket search has not indexed yet is not lost.
        newest = await self._read_queue(report, found, replace=not before)
        await self._settle_missing(report, sorted(before - found))
        await self._fill_people(report)
        await self._fill_sla_metrics(report)
        # Search indexes late: re-read from a view whatever changed while it was catching up.
        start = (newest or self.now()) - SEARCH_LAG
        cursor = {"high_water": stamp(start), "deleted_since": stamp(start), "checked_at": stamp(self.now())}
        self.store.set("cursor:zendesk", cursor)
        return cursor

    def _say_progress(self, progress: dict | None, changed: list[int] | None = None) -> None:
        """A long first sync says how far it is (every copy on this cache reads it), and the
        screen repaints what arrived."""
        # Stamped: a copy killed mid-sync leaves its last page behind, which must not read
        # as "syncing" forever (the status line ignores an old one).
        self.store.mark_progress("zendesk", {**progress, "at": stamp(self.now())} if progress else None)
        if self.progress is not None:
            self.progress(changed or [])

    async def _estimate(self) -> int | None:
        """How many unsolved tickets there are, for "page 3 of ~5": one request, once."""
        client = self.clients.zendesk
        assert client is not None
        try:
            return await client.unsolved_count()
        except SourceError:
            return None  # the pages are still read; only the "of ~5" is missing

    async def _read_queue(self, report: SyncReport, found: set[int], *, replace: bool) -> dt.datetime | None:
        """Every unsolved ticket, page by page; returns the newest change seen."""
        client = self.clients.zendesk
        assert client is not None
        newest: dt.datetime | None = None
        # Asked beside the first page, never before it or waited for: the queue's first
        # paint waits for one request.
        estimate = asyncio.create_task(self._estimate())
        total: int | None = None
        pages: int | None = None
        number = 1
        self._say_progress({"stage": "queue", "page": number, "pages": pages, "total": total})
        try:
            async for page in client.unsolved_tickets(page_size=FIRST_SYNC_PAGE):
                if total is None and estimate.done():
                    total = estimate.result()  # not waited for: "of ~5" comes when it is there
                    pages = max(1, math.ceil(total / FIRST_SYNC_PAGE)) if total is not None else None
                changed, newest = self._read_page(report, page, newest, replace=replace)
                replace = False
                found.update(t.id for t in page.tickets)
                if not page.end_of_stream:
                    number += 1
                # The estimate was made before these pages were read: never "page 6 of ~5".
                pages = max(pages, number) if pages is not None else None
                progress = {"stage": "queue", "page": number, "pages": pages, "total": total, "read": len(found)}
                self._say_progress(progress, changed)
        finally:
            estimate.cancel()
        return newest

    def _read_page(
        self, report: SyncReport, page: TicketPage, newest: dt.datetime | None, *, replace: bool
    ) -> tuple[list[int], dt.datetime | None]:
        """Store one page of the first sync; returns what changed and the newest change seen."""
        self._save_people(page)
        changed = self.store.put_tickets(
            [self._known_metrics(_dump(t)) for t in page.tickets], replace_unsolved=replace, only_if_newer=True
        )
        report.changed += changed
        self._skipped(report, page.skipped)
        for ticket in page.tickets:
            if ticket.updated_at and (newest is None or ticket.updated_at > newest):
                newest = ticket.updated_at
        return changed, newest

    async def _settle_missing(self, report: SyncReport, ids: list[int]) -> None:
        """Tickets we held as unsolved that search no longer lists: solved, deleted, or not
        indexed yet. Ask for each (show_many leaves deleted ones out) instead of guessing."""
        client = self.clients.zendesk
        assert client is not None
        if not ids:
            return
        page = await client.tickets_many(ids)
        self._save_people(page)
        returned = {t.id for t in page.tickets}
        gone = [{"id": ticket_id, "status": "deleted"} for ticket_id in ids if ticket_id not in returned]
        report.changed += self.store.put_tickets([_dump(t) for t in page.tickets], only_if_newer=True)
        report.changed += self.store.put_tickets(gone)
        self._skipped(report, page.skipped)

    async def _fetch_changed(self, report: SyncReport, listed: list[ChangedTicket]) -> None:
        client = self.clients.zendesk
        assert client is not None
        stale: list[int] = []
        for item in listed:
            cached = self.store.ticket(item.id)
            if item.id in stale:
                continue
            if is_newer(item.updated_at, cached.get("updated_at") if cached else None) or (
                cached is not None and item.fields is not None and item.fields != visible_fields(cached)
            ):
                stale.append(item.id)
        if not stale:
            return
        page = await client.tickets_many(stale)
        self._save_people(page)
        fresh = [self._keep_local_metrics(_dump(ticket)) for ticket in page.tickets]
        # A write sent while this poll waited may already have stored a newer version.
        report.changed += self.store.put_tickets(fresh, only_if_newer=True)
        self._skipped(report, page.skipped)
        # Every queue row, not only these: people a failed lookup missed last time come now.
        await self._fill_people(report)

    async def _fill_sla_metrics(self, report: SyncReport) -> None:
        """Search sideloads people but not `metric_sets` or `slas`: fetch those through
        show_many, 100 tickets a request, the screen told after each (once per cache)."""
        client = self.clients.zendesk
        assert client is not None
        missing = [
            int(key) for key in self.store.unsolved_rows() if not (self.store.ticket(int(key)) or {}).get("metric_set")
        ]
        for start in range(0, len(missing), 100):
            self._say_progress({"stage": "sla", "done": start, "total": len(missing)})
            page = await client.tickets_many(missing[start : start + 100])
            self._save_people(page)
            changed = self.store.put_tickets([_dump(t) for t in page.tickets], only_if_newer=True)
            known = set(report.changed)
            report.changed += [c for c in changed if c not in known]
            self._skipped(report, page.skipped)
            if self.progress is not None and changed:
                self.progress(changed)

    async def _fill_people(self, report: SyncReport) -> None:
        """Requesters, assignees and orgs the sideloads did not bring, fetched 100 a request:
        the queue must never show a ticket without its requester and plan."""
        client = self.clients.zendesk
        assert client is not None
        rows = [QueueRow._make(row) for row in self.store.unsolved_rows().values()]
        users, orgs = self.store.names("user"), self.store.names("org")
        want_users = sorted(
            {i for r in rows for i in (r.requester_id, r.assignee_id) if isinstance(i, int) and str(i) not in users}
        )
        want_orgs = sorted(
            {
                r.organization_id
                for r in rows
                if isinstance(r.organization_id, int) and str(r.organization_id) not in orgs
            }
        )
        if want_users:
            found, bad = await client.users_many(want_users)
            self.store.put_records("user", [_dump(u) for u in found])
            self._skipped(report, bad)
        if want_orgs:
            found_orgs, bad = await client.organizations_many(want_orgs)
            self.store.put_records("org", [_dump(o) for o in found_orgs])
            self._skipped(report, bad)

    # -- issue 23: the change feed and reconciliation ---------------------------------------
    async def _read_feed(self, feed: ChangeFeed, since: dt.datetime) -> list[ChangedTicket]:
        """Every ticket the feed lists as changed at or after `since`, ids deduplicated.

        A view's cursor is an offset (README "Facts found ... 2026-12-07"): a ticket leaving
        the view between two page requests skips a row. One page is one consistent answer;
        a read of several is done again until a pass finds nothing the one before missed."""
        client = self.clients.zendesk
        assert client is not None and feed.view_id is not None
        seen: dict[int, ChangedTicket] = {}
        for number in range(FEED_PASSES):
            pages, missed = 0, False
            async for page in client.view_changes(feed.view_id, stamp(since)):
                pages += 1
                for item in page:
                    known = seen.get(item.id)
                    if known is None or item.updated_at > known.updated_at:
                        missed = missed or (number > 0 and known is None)
                        seen[item.id] = item
            if pages <= 1 or (number > 0 and not missed):
                break
        return list(seen.values())

    async def feed(self) -> ChangeFeed:
        """Where this copy reads changes: `[zendesk] changes_view` when set, else the agent's
        own personal view (found by its marker, made once per agent), else search."""
        if self.config.zendesk.changes_view is not None:
            return configured_feed(self.store.list("views"), self.config.zendesk.changes_view)
        saved = self.store.get("feed:zendesk") or {}
        checked = parse_stamp(saved.get("checked_at"))
        if saved.get("why") and checked is not None and self.now() - checked < FEED_RECHECK:
            return ChangeFeed(saved.get("view_id"), saved["why"])
        feed = await self._own_feed()
        self.store.set("feed:zendesk", {"view_id": feed.view_id, "why": feed.why, "checked_at": stamp(self.now())})
        return feed

    async def _own_feed(self) -> ChangeFeed:
        client = self.clients.zendesk
        assert client is not None
        me = self.store.get("me") or _dump(await client.me())
        user_id = int(me["id"])
        plan = plan_feed(await client.personal_views(), user_id)
        made = False
        if plan.keep is None:
            try:
                created = await client.create_view(feed_view_body(user_id))
            except (AuthFailed, Rejected) as exc:
                return ChangeFeed(
                    None, f"no personal view could be made ({exc.message}); changes by search arrive minutes late"
                )
            made = True
            # Another copy of this agent may have made one at the same moment: list again,
            # and every copy keeps the first made.
            plan = plan_feed(await client.personal_views(), user_id)
            if plan.keep is None:  # not listed yet: ours is the one
                plan = plan_feed([created], user_id)
        for extra in plan.delete:
            await client.delete_view(extra)
        if plan.repair:
            assert plan.keep is not None
            await client.update_view(plan.keep, feed_view_body(user_id))
        assert plan.keep is not None
        return own_feed(plan.keep, made)

    async def reconcile(self) -> SyncReport:
        return await self._guard("zendesk", self._reconcile, status="none")

    async def _reconcile(self, report: SyncReport) -> None:
        """One step of a reconciliation pass: the 100 tickets shown that were read longest
        ago (never read first) read again through show_many. A ticket it leaves out is
        deleted, merged away or out of this token's reach, and leaves the cache; one it
        returns closed or solved leaves the queue; a newer one is stored.

        Longest ago first, not "on from the last id read": with a pass of C requests spread
        as C steps, every ticket shown is read within C steps however the queue grows or
        shrinks between them (reading on from an id read three new tickets alone once and
        left the rest for a second pass)."""
        client = self.clients.zendesk
        assert client is not None
        place = self.store.get("cursor:reconcile") or {}
        step = int(place.get("step") or 0) + 1
        last_read: dict[str, int] = place.get("read") or {}
        shown = [int(key) for key in self.store.unsolved_rows()]
        chunk = sorted(shown, key=lambda i: (last_read.get(str(i), 0), i))[:SHOW_MANY]
        if not chunk:
            return
        page = await client.tickets_many(chunk)
        self._save_people(page)
        returned = {t.id for t in page.tickets}
        # Only those still shown: a write or poll may have settled one while we waited.
        gone = [{"id": i, "status": "deleted"} for i in chunk if i not in returned and self.store.ticket(i) is not None]
        # A ticket as cached needs nothing: storing it again would repaint it for nothing.
        moved_on = []
        for ticket in page.tickets:
            fresh = self._keep_local_metrics(_dump(ticket))
            cached = self.store.ticket(ticket.id) or {}
            if fresh.get("status") not in UNSOLVED or is_newer(fresh.get("updated_at"), cached.get("updated_at")):
                moved_on.append(fresh)
        report.changed += self.store.put_tickets(moved_on, only_if_newer=True)
        report.changed += self.store.put_tickets(gone)
        self._skipped(report, page.skipped)
        # Only tickets still shown are remembered: the record stays the size of the queue.
        read = {str(i): last_read[str(i)] for i in shown if str(i) in last_read}
        read.update({str(i): step for i in chunk})
        self.store.set("cursor:reconcile", {"step": step, "read": read})

    async def deletions(self) -> SyncReport:
        return await self._guard("zendesk", self._deletions, status="none")

    async def _deletions(self, report: SyncReport) -> None:
        """Deleted tickets leave the queue. deleted_tickets allows 10 requests a minute for
        the whole account, so this runs far less often than the change poll."""
        client = self.clients.zendesk
        assert client is not None
        cursor = self.store.get("cursor:zendesk") or {}
        since = cursor.get("deleted_since")
        if not since:
            return  # before the first sync: nothing cached to remove
        if cursor.get("deletions_unavailable"):
            return
        try:
            gone = await client.deleted_since(since)
        except (AuthFailed, NotFound) as exc:
            # Some agent roles may not list deleted tickets: the queue then learns of a
            # deletion when the ticket is opened (404), and the status line stays clean.
            self.store.set("cursor:zendesk", {**cursor, "deletions_unavailable": exc.message})
            report.skipped.append(f"deleted tickets not available: {exc.message}")
            return
        known = [t for t in gone if self.store.ticket(t.id) is not None]
        if known:
            report.changed += self.store.put_tickets([{"id": t.id, "status": "deleted"} for t in known])
        newest = max(
            (parse_stamp(t.updated_at) for t in gone),
            default=None,
            key=lambda m: m or dt.datetime.min.replace(tzinfo=dt.UTC),
        )
        if newest is not None:
            cursor = {**cursor, "deleted_since": stamp(newest - VIEW_OVERLAP)}
            self.store.set("cursor:zendesk", cursor)

    def _known_metrics(self, ticket: dict) -> dict:
        """Search brings no SLA metrics: an unchanged ticket keeps the ones already cached."""
        cached = self.store.ticket(ticket["id"])
        if cached and cached.get("updated_at") == ticket.get("updated_at"):
            for key in ("metric_set", "slas"):
                if ticket.get(key) is None and cached.get(key) is not None:
                    ticket[key] = cached[key]
        return ticket

    def _keep_local_metrics(self, ticket: dict) -> dict:
        if ticket.get("metric_set") is None:
            previous = self.store.ticket(ticket["id"])
            if previous and previous.get("metric_set"):
                ticket["metric_set"] = previous["metric_set"]
        return ticket

    def _save_people(self, page: Any) -> None:
        if page.users:
            self.store.put_records("user", [_dump(u) for u in page.users])
        if page.organizations:
            self.store.put_records("org", [_dump(o) for o in page.organizations])
        if page.groups:
            known = {g["id"]: g for g in self.store.list("groups")}
            known.update({g.id: _dump(g) for g in page.groups})
            self.store.put_list("groups", list(known.values()))

    def has_reference(self) -> bool:
        """Groups, macros, views and fields fetched at least once (groups alone may have
        come as sideloads with tickets)."""
        return bool(self.store.get("reference:refreshed_at"))

    async def reference(self) -> SyncReport:
        return await self._guard("zendesk", self._reference, status="errors")

    async def _reference(self, report: SyncReport) -> None:
        client = self.clients.zendesk
        assert client is not None
        for name, fetch in (
            ("groups", client.groups),
            ("macros", client.macros),
            ("views", client.views),
            ("ticket_fields", client.ticket_fields),
        ):
            items, skipped = await fetch()
            self.store.put_list(name, [_dump(i) for i in items])
            self._skipped(report, skipped)
        self.store.set("reference:refreshed_at", self.now().isoformat())

    async def search(self, text: str, number: int = 0) -> SearchOutcome:
        """Find tickets in Zendesk, solved ones included: by id (fetched directly: search
        indexes late), requester email, organization, or words. The found tickets are read
        again through show_many, so what is shown is their state now, with SLA metrics."""
        plan = plan_search(text, self.store.names("org").values())
        outcome = SearchOutcome(text, number, plan.meaning if plan else "")
        if plan is None:
            return outcome

        async def work(report: SyncReport) -> None:
            client = self.clients.zendesk
            assert client is not None
            if plan.ticket_id is not None:
                order = [plan.ticket_id]
            else:
                assert plan.query is not None
                result = await client.search_tickets(plan.query, RESULT_LIMIT)
                self._save_people(result.found)
                self._skipped(report, result.found.skipped)
                order = [t.id for t in result.found.tickets]
                outcome.count = result.count
            page = await client.tickets_many(order, waited_on=True) if order else TicketPage([])
            self._save_people(page)
            self._skipped(report, page.skipped)
            fresh = {t.id for t in page.tickets}
            # Deleted since search indexed them (show_many leaves those out): not found.
            outcome.ids = [i for i in order if i in fresh]
            if plan.ticket_id is not None:
                outcome.count = len(outcome.ids)
            else:
                outcome.count -= len(order) - len(outcome.ids)  # the deleted ones are not "more"
            tickets = [self._keep_local_metrics(_dump(t)) for t in page.tickets]
            outcome.changed = self.store.put_tickets(tickets, only_if_newer=True)

        # A refused query or an unreachable service is the search's answer, not the queue's
        # state: the status line keeps saying what the polls say.
        report = await self._guard("zendesk", work, status="none")
        outcome.error = report.error
        return outcome

    async def comments(self, ticket_id: int) -> SyncReport:
        """Fetch a ticket's conversation when it is opened, unless the cached one is current."""

        async def work(report: SyncReport) -> None:
            client = self.clients.zendesk
            assert client is not None  # _guard reports an unconfigured source
            ticket = self.store.ticket(ticket_id)
            cached = self.store.comments(ticket_id)
            if cached and ticket and cached.get("ticket_updated_at") == ticket.get("updated_at"):
                return
            try:
                items, skipped = await client.comments(ticket_id)
            except NotFound:
                # Deleted (or merged away) since the last deletions poll: it leaves the queue
                # now rather than at the next one, and the source is not "in error" for it.
                report.changed += self.store.put_tickets([{"id": ticket_id, "status": "deleted"}])
                return
            self._skipped(report, skipped)
            self.store.put_comments(ticket_id, ticket.get("updated_at") if ticket else None, [_dump(c) for c in items])
            missing = {c.author_id for c in items if c.author_id and not self.store.record("user", c.author_id)}
            if missing:
                users, bad = await client.users_many(sorted(missing))
                self.store.put_records("user", [_dump(u) for u in users])
                self._skipped(report, bad)
            await self._learn_macros(ticket_id)
            report.changed.append(ticket_id)

        return await self._guard("zendesk", work, status="errors")

    async def _learn_macros(self, ticket_id: int) -> None:
        """Which macros engineers applied to a ticket, from its audits: one more request,
        only beside a conversation fetched anyway, and only while the account has half its
        budget left this minute (the hints learn slowly rather than slow a team's polls)."""
        client = self.clients.zendesk
        assert client is not None
        if client.http.budget.share_left() < AUDIT_BUDGET_SHARE:
            return
        try:
            audits = await client.audits(ticket_id)
        except SourceError:
            return  # a hint is not worth an error on the status line
        applied = applied_macros(_dump(a) for a in audits)
        uses = self.store.get(MACRO_USES_KEY) or {}
        if uses.get(str(ticket_id), []) != applied:
            if applied:
                uses[str(ticket_id)] = applied
            else:
                uses.pop(str(ticket_id), None)
            self.store.set(MACRO_USES_KEY, uses)

    # -- incident.io ----------------------------------------------------------------------
    async def incidents(self) -> SyncReport:
        return await self._guard("incidentio", self._incidents)

    async def _incidents(self, report: SyncReport) -> None:
        client = self.clients.incidentio
        assert client is not None
        if not self.store.list("incident_roles"):
            roles, skipped = await client.roles()
            self.store.put_list("incident_roles", [_dump(r) for r in roles])
            self._skipped(report, skipped)
        if not self.store.list("incident_severities"):  # to raise an incident with (issue 26)
            severities, skipped = await client.severities()
            self.store.put_list("incident_severities", [_dump(s) for s in severities])
            self._skipped(report, skipped)
        incidents, skipped = await client.live_incidents()
        self._skipped(report, skipped)
        previous = {i["id"]: i for i in self.store.list("incidents")}
        current = [_dump(i) for i in incidents]
        self.store.put_list("incidents", current)
        for incident in current:
            old = previous.get(incident["id"])
            if old != incident:
                report.changed.append(incident["id"])
            if (
                old is None
                or old.get("updated_at") != incident.get("updated_at")
                or not self.store.get(f"incident_updates:{incident['id']}")
            ):
                updates, bad = await client.updates(incident["id"])
                self.store.set(f"incident_updates:{incident['id']}", [_dump(u) for u in updates])
                self._skipped(report, bad)
        gone = set(previous) - {i["id"] for i in current}
        if gone:
            # Resolved: keep it at hand, the Support Watcher still follows up its tickets.
            resolved = {i["id"]: i for i in self.store.list("incidents_resolved")}
            for incident_id in sorted(gone):
                try:
                    resolved[incident_id] = _dump(await client.incident(incident_id))
                except SourceError:
                    resolved[incident_id] = previous[incident_id]
                report.changed.append(incident_id)
            self.store.put_list("incidents_resolved", list(resolved.values())[-10:])

    # -- GitHub ---------------------------------------------------------------------------
    async def github(self) -> SyncReport:
        return await self._guard("github", self._github)

    async def _github(self, report: SyncReport) -> None:
        client = self.clients.github
        assert client is not None
        for repo in self.config.github.repos:
            cached = self.store.get(f"issues:{repo}") or {}
            result = await client.open_issues(repo, cached.get("etag"))
            if result.not_modified:
                continue
            self._skipped(report, result.skipped)
            self.store.set(f"issues:{repo}", {"etag": result.etag, "items": [_dump(i) for i in result.issues]})
            report.changed.append(repo)
        if self.config.sdk.zendesk_views and self.clients.zendesk is not None:
            await self._sdk_views(report)

    # The ticket fields the SDK view shows of a view's tickets (the rest stays in Zendesk).
    _SDK_FIELDS = ("id", "subject", "status", "priority", "group_id", "tags", "created_at", "updated_at")

    async def _sdk_views(self, report: SyncReport) -> None:
        """The SDK rotation's Zendesk filters, on the GitHub schedule (a request per view
        every 5 minutes, from the account's budget). A view that fails says why in its place."""
        zendesk = self.clients.zendesk
        assert zendesk is not None
        titles = {v.get("id"): v.get("title") for v in self.store.list("views")}
        # Titles known from the last poll or the hourly reference lists; else asked once.
        titles.update({v["id"]: v["title"] for v in self.store.get("sdk_views") or [] if v.get("titled")})
        found = []
        for view_id in self.config.sdk.zendesk_views:
            record: dict[str, Any] = {
                "id": view_id,
                "title": titles.get(view_id) or f"view {view_id}",
                "mobile": view_id in self.config.sdk.mobile_views,
                "tickets": [],
                "error": None,
            }
            try:
                if view_id not in titles:
                    record["title"] = await zendesk.view_title(view_id)
                record["titled"] = True
                tickets = await zendesk.view_tickets(view_id)
                record["tickets"] = [{k: t.get(k) for k in self._SDK_FIELDS} for t in tickets]
            except SourceError as exc:  # a Zendesk problem: said in its place, not GitHub's
                record["error"] = exc.message
            found.append(record)
        if found != self.store.get("sdk_views"):
            self.store.set("sdk_views", found)
            report.changed.append("sdk_views")
