"""Reconciliation: the tickets a copy shows that left its queue without "changing" for it
(merged: closed; moved out of a restricted agent's reach; deleted without permission to list
deletions) found and dropped, a step at a time (the arithmetic: `changes.py`)."""

from __future__ import annotations

from triage_tui.sources.errors import Rejected
from triage_tui.store.queue_rows import UNSOLVED, QueueRow
from triage_tui.sync.changes import (
    EXPORT_PAGE,
    LISTING_EXPIRES,
    SHOW_MANY,
    is_newer,
    parse_stamp,
    reconcile_by_listing,
    stamp,
)
from triage_tui.sync.poll_base import PollerBase, SyncReport, dump


class Reconciliation(PollerBase):
    async def reconcile(self) -> SyncReport:
        return await self._guard("zendesk", self._reconcile, status="none")

    async def _reconcile(self, report: SyncReport) -> None:
        """One step of a reconciliation pass (`changes.py`): a small queue is read again
        whole through show_many, a larger one listed through search export first."""
        rows = self.store.unsolved_rows()
        if reconcile_by_listing(len(rows)):
            await self._reconcile_listed(report, rows)
        else:
            await self._reconcile_read(report, [int(key) for key in rows])

    async def _reconcile_read(self, report: SyncReport, shown: list[int]) -> None:
        """The 100 tickets shown that were read longest ago (never read first) read again.

        Longest ago first, not "on from the last id read": with a pass of C requests spread
        as C steps, every ticket shown is read within C steps however the queue grows or
        shrinks between them (reading on from an id read three new tickets alone once and
        left the rest for a second pass)."""
        place = self.store.get("cursor:reconcile") or {}
        step = int(place.get("step") or 0) + 1
        last_read: dict[str, int] = place.get("read") or {}
        chunk = sorted(shown, key=lambda i: (last_read.get(str(i), 0), i))[:SHOW_MANY]
        if not chunk:
            return
        await self._settle_shown(report, chunk)
        # Only tickets still shown are remembered: the record stays the size of the queue.
        read = {str(i): last_read[str(i)] for i in shown if str(i) in last_read}
        read.update({str(i): step for i in chunk})
        self.store.set("cursor:reconcile", {"step": step, "read": read})

    async def _reconcile_listed(self, report: SyncReport, rows: dict[str, list]) -> None:
        """A step of a listed pass: the next page of every unsolved ticket this token may see
        (search export, 1000 ids), or, once listed, one show_many of the tickets shown that
        the listing left out or listed newer than cached.

        Only tickets shown when the listing began are judged by it: one that arrived since
        (a new ticket search has not indexed yet) may be missing without being a ghost, and is
        judged by the next pass. A ghost search still lists as unsolved (indexed "up to a few
        minutes" late) is left out of the next pass's listing: it leaves within two passes."""
        client = self.clients.zendesk
        assert client is not None
        shown = [int(key) for key in rows]
        place = self.store.get("cursor:reconcile") or {}
        listing = place.get("listing")
        began = parse_stamp(listing.get("began")) if isinstance(listing, dict) else None
        if not isinstance(listing, dict) or began is None or self.now() - began > LISTING_EXPIRES:
            listing = self._new_listing(shown)
        if "confirm" not in listing:
            try:
                page = await client.unsolved_listed(listing["after"], EXPORT_PAGE)
            except Rejected:
                if listing["after"] is None:
                    raise
                # The cursor refused (expired by Zendesk's clock sooner than by ours): the
                # listing begins again at once rather than ask with it at every step.
                listing = self._new_listing(shown)
                page = await client.unsolved_listed(None, EXPORT_PAGE)
            cached = {t.id: QueueRow._make(rows[str(t.id)]).updated_at for t in page.listed if str(t.id) in rows}
            listing["listed"] += [t.id for t in page.listed]
            listing["newer"] += [t.id for t in page.listed if t.id in cached and is_newer(t.updated_at, cached[t.id])]
            listing["after"] = page.after_cursor
            if page.after_cursor is None:
                # Listed: what to ask about is known, and asked at the next step (one request a step).
                left_out = set(listing["before"]) - set(listing["listed"])
                confirm = sorted(left_out | set(listing["newer"]))
                listing = {"began": listing["began"], "confirm": confirm} if confirm else None
        else:
            still = set(shown)
            chunk = [i for i in listing["confirm"] if i in still][:SHOW_MANY]
            if chunk:
                await self._settle_shown(report, chunk)
            rest = [i for i in listing["confirm"] if i in still and i not in chunk]
            listing = {**listing, "confirm": rest} if rest else None
        self.store.set("cursor:reconcile", {"listing": listing} if listing else {})

    def listing_under_way(self) -> bool:
        """Whether a listed pass has pages or questions left (its next step comes soon)."""
        return bool((self.store.get("cursor:reconcile") or {}).get("listing"))

    def _new_listing(self, shown: list[int]) -> dict:
        """A listing about to begin: when, what was shown then, no page read yet."""
        return {"began": stamp(self.now()), "before": shown, "after": None, "listed": [], "newer": []}

    async def _settle_shown(self, report: SyncReport, chunk: list[int]) -> None:
        """Read `chunk` (tickets shown) again through show_many. A ticket it leaves out is
        deleted, merged away or out of this token's reach, and leaves the cache; one it
        returns closed or solved leaves the queue; a newer one is stored."""
        client = self.clients.zendesk
        assert client is not None
        page = await client.tickets_many(chunk)
        self._save_people(page)
        returned = {t.id for t in page.tickets}
        # Only those still shown: a write or poll may have settled one while we waited.
        gone = [{"id": i, "status": "deleted"} for i in chunk if i not in returned and self.store.ticket(i) is not None]
        # A ticket as cached needs nothing: storing it again would repaint it for nothing.
        moved_on = []
        for ticket in page.tickets:
            fresh = self._keep_local_metrics(dump(ticket))
            cached = self.store.ticket(ticket.id) or {}
            if fresh.get("status") not in UNSOLVED or is_newer(fresh.get("updated_at"), cached.get("updated_at")):
                moved_on.append(fresh)
        report.changed += self.store.put_tickets(moved_on, only_if_newer=True)
        report.changed += self.store.put_tickets(gone)
        self._skipped(report, page.skipped)
