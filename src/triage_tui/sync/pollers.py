"""Pollers: pull each service into the cache and say which ids changed.

This module is the Zendesk queue: a first sync page by page, then the changes its feed
lists (`feed_reads.py`), reconciliation (`reconciliation.py`) and deletions. incident.io
(`incident_polls.py`), GitHub (`github_polls.py`) and the screen's own asks
(`ticket_requests.py`) are polled by the same object; what they share is `poll_base.py`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math

from triage_tui.sources.errors import AuthFailed, NotFound, SourceError
from triage_tui.sources.zendesk import ChangedTicket, TicketPage, visible_fields
from triage_tui.store.queue_rows import QueueRow
from triage_tui.sync.changes import (
    SEARCH_LAG,
    VIEW_OVERLAP,
    is_newer,
    parse_stamp,
    stamp,
)
from triage_tui.sync.feed_reads import FeedReads
from triage_tui.sync.github_polls import GithubPolls
from triage_tui.sync.incident_polls import IncidentPolls
from triage_tui.sync.poll_base import SyncReport, dump
from triage_tui.sync.reconciliation import Reconciliation
from triage_tui.sync.ticket_requests import TicketRequests

# The feed view reaches back 24 hours: a copy away for longer reads the whole queue again.
RESYNC_AFTER = dt.timedelta(hours=20)

FIRST_SYNC_PAGE = 1000  # the search export's page


class Pollers(FeedReads, Reconciliation, TicketRequests, IncidentPolls, GithubPolls):
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
            self.store.set("me", dump(await client.me()))
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
            [self._known_metrics(dump(t)) for t in page.tickets], replace_unsolved=replace, only_if_newer=True
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
        report.changed += self.store.put_tickets(
            [self._keep_local_metrics(dump(t)) for t in page.tickets], only_if_newer=True
        )
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
        if self.slas_every is not None:
            stale = await self._store_as_listed(report, listed, stale)
        if not stale:
            return
        page = await client.tickets_many(stale)
        self._save_people(page)
        fresh = [self._keep_local_metrics(dump(ticket)) for ticket in page.tickets]
        # A write sent while this poll waited may already have stored a newer version.
        report.changed += self.store.put_tickets(fresh, only_if_newer=True)
        self._skipped(report, page.skipped)
        # Every queue row, not only these: people a failed lookup missed last time come now.
        await self._fill_people(report)

    async def _store_as_listed(self, report: SyncReport, listed: list[ChangedTicket], stale: list[int]) -> list[int]:
        """The relay's way (`slas_every` set): each of its requests counts against the whole
        team's budget, and a view lists whole tickets without SLA data or people. What changed
        is stored as listed at once, a new ticket too (with the SLA data cached before, if
        any); what the listing lacks (SLA data, a requester never seen) comes through one
        show_many every `slas_every`, which sideloads both, or at once for a listing that did
        not validate. A new ticket's first-reply clock runs for hours, so its SLA data a round
        late moves nothing that matters; its change seen a poll sooner does.
        Returns the ids to fetch through show_many now."""
        whole = {item.id: item.ticket for item in listed if item.ticket is not None}
        due = self.monotonic() - self.slas_read_at >= self.slas_every if self.slas_every is not None else True
        if all(i in whole for i in stale):
            fresh = []
            for ticket_id in stale:
                ticket, cached = dump(whole[ticket_id]), self.store.ticket(ticket_id) or {}
                for key in ("metric_set", "slas"):
                    if ticket.get(key) is None and cached.get(key) is not None:
                        ticket[key] = cached[key]  # until the round's show_many: seconds old
                fresh.append(ticket)
            report.changed += self.store.put_tickets(fresh, only_if_newer=True)
            self.slas_owed.update(stale)
            if not (self.slas_owed and due):
                return []  # people the listing names but the cache lacks come with the round
            stale = []
        fetch, self.slas_owed = sorted(set(stale) | self.slas_owed), set()
        self.slas_read_at = self.monotonic()
        return fetch

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
            changed = self.store.put_tickets([dump(t) for t in page.tickets], only_if_newer=True)
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
            self.store.put_records("user", [dump(u) for u in found])
            self._skipped(report, bad)
        if want_orgs:
            found_orgs, bad = await client.organizations_many(want_orgs)
            self.store.put_records("org", [dump(o) for o in found_orgs])
            self._skipped(report, bad)

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
            self.store.put_list(name, [dump(i) for i in items])
            self._skipped(report, skipped)
        self.store.set("reference:refreshed_at", self.now().isoformat())
