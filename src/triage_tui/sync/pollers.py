"""Pollers: pull each service into the cache and say which ids changed.

A failed poll records "offline since" or the error against its source and returns; it
never raises into the caller's loop, so one bad poll cannot take the app down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from triage_tui.config import Config
from triage_tui.models.base import SkippedRecord
from triage_tui.sources.errors import SourceError
from triage_tui.store.cache import Store
from triage_tui.sync.clients import Clients

# The incremental export refuses a start_time less than a minute old; start a little earlier
# than the first sync so nothing that changed during it is missed.
INCREMENTAL_OVERLAP = dt.timedelta(minutes=2)


@dataclass
class SyncReport:
    source: str
    changed: list[Any] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    error: str | None = None
    offline: bool = False
    requests: int = 0

    def line(self) -> str:
        if self.error:
            return f"{self.source}: {'offline' if self.offline else 'error'}: {self.error}"
        extra = f", {len(self.skipped)} malformed records skipped" if self.skipped else ""
        return f"{self.source}: ok, {len(self.changed)} changed, {self.requests} requests{extra}"


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

    async def _guard(self, source: str, work: Callable[[SyncReport], Any]) -> SyncReport:
        """Run one poll: its errors become the report (and the source's offline state)."""
        report = SyncReport(source)
        client = getattr(self.clients, source)
        if client is None:
            report.error = "not configured"
            return report
        before = client.http.requests_made
        try:
            await work(report)
        except SourceError as exc:
            report.error = exc.message
            # Unreachable, rate limited or failing: "offline since", and the cache keeps serving.
            # Refused (a bad token, a bad request): an error the status line names.
            report.offline = exc.retryable
            self.store.mark_failed(report.source, self.now(), exc.message, offline=report.offline)
        else:
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
        client = self.clients.zendesk
        assert client is not None
        cursor = self.store.get("cursor:zendesk") or {}
        if not cursor:
            # First sync: the queue first (its first page is a useful queue after one
            # request, and the screen is told at once), then who I am and the reference data.
            started = self.now()
            first = True
            async for page in client.unsolved_tickets():
                self._save_people(page)
                changed = self.store.put_tickets([_dump(t) for t in page.tickets], replace_unsolved=first)
                report.changed += changed
                self._skipped(report, page.skipped)
                first = False
                if self.progress is not None:
                    self.progress(changed)
            self.store.set("cursor:zendesk", {"start_time": int((started - INCREMENTAL_OVERLAP).timestamp())})
        if not self.store.get("me"):
            self.store.set("me", _dump(await client.me()))
        if not self.store.list("groups"):
            await self._reference(report)
        if not cursor:
            return
        after, start_time = cursor.get("after_cursor"), cursor.get("start_time")
        for _ in range(50):  # bounded catch-up per poll; the next poll continues
            page = await client.incremental(cursor=after, start_time=start_time)
            self._save_people(page)
            tickets = [self._keep_local_metrics(_dump(t)) for t in page.tickets]
            report.changed += self.store.put_tickets(tickets)
            self._skipped(report, page.skipped)
            after = page.after_cursor
            self.store.set("cursor:zendesk", {"after_cursor": after})
            if page.end_of_stream:
                break

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

    async def reference(self) -> SyncReport:
        return await self._guard("zendesk", self._reference)

    async def _reference(self, report: SyncReport) -> None:
        client = self.clients.zendesk
        assert client is not None
        for name, fetch in (("groups", client.groups), ("macros", client.macros), ("views", client.views), ("ticket_fields", client.ticket_fields)):
            items, skipped = await fetch()
            self.store.put_list(name, [_dump(i) for i in items])
            self._skipped(report, skipped)
        self.store.set("reference:refreshed_at", self.now().isoformat())

    async def comments(self, ticket_id: int) -> SyncReport:
        """Fetch a ticket's conversation when it is opened, unless the cached one is current."""

        async def work(report: SyncReport) -> None:
            ticket = self.store.ticket(ticket_id)
            cached = self.store.comments(ticket_id)
            if cached and ticket and cached.get("ticket_updated_at") == ticket.get("updated_at"):
                return
            items, skipped = await self.clients.zendesk.comments(ticket_id)
            self._skipped(report, skipped)
            self.store.put_comments(ticket_id, ticket.get("updated_at") if ticket else None, [_dump(c) for c in items])
            missing = {c.author_id for c in items if c.author_id and not self.store.record("user", c.author_id)}
            if missing:
                users, bad = await self.clients.zendesk.users_many(sorted(missing))
                self.store.put_records("user", [_dump(u) for u in users])
                self._skipped(report, bad)
            report.changed.append(ticket_id)

        return await self._guard("zendesk", work)

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
        incidents, skipped = await client.live_incidents()
        self._skipped(report, skipped)
        previous = {i["id"]: i for i in self.store.list("incidents")}
        current = [_dump(i) for i in incidents]
        self.store.put_list("incidents", current)
        for incident in current:
            old = previous.get(incident["id"])
            if old != incident:
                report.changed.append(incident["id"])
            if old is None or old.get("updated_at") != incident.get("updated_at") or not self.store.get(f"incident_updates:{incident['id']}"):
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
