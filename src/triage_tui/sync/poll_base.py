"""What every poll shares: its report, the guard that turns a source's error into the
report and the source's state, and how Zendesk's answers are stored (the tickets as the
JSON of the validated `Ticket`, their people beside them).

A failed poll records "offline since" or the error against its source and returns; it
never raises into the caller's loop, so one bad poll cannot take the app down.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from triage_tui.config import Config
from triage_tui.models.base import SkippedRecord
from triage_tui.sources.errors import RateLimited, SourceError
from triage_tui.store.cache import Store
from triage_tui.sync.clients import Clients


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


def dump(model: Any) -> dict:
    """A validated record as the cache stores it: its JSON."""
    return model.model_dump(mode="json")


class PollerBase:
    def __init__(self, config: Config, store: Store, clients: Clients, now: Callable[[], dt.datetime]) -> None:
        self.config = config
        self.store = store
        self.clients = clients
        self.now = now
        # Called with the changed ticket ids after each page of a long first sync.
        self.progress: Callable[[list[int]], None] | None = None
        # The relay's pace (None for a copy): a changed ticket is stored as the feed listed it
        # at once and its SLA data (show_many) fetched at most this often (Pollers._fetch_changed).
        self.slas_every: float | None = None
        self.slas_owed: set[int] = set()
        self.slas_read_at = -math.inf
        self.monotonic: Callable[[], float] = time.monotonic

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
            self.store.put_records("user", [dump(u) for u in page.users])
        if page.organizations:
            self.store.put_records("org", [dump(o) for o in page.organizations])
        if page.groups:
            known = {g["id"]: g for g in self.store.list("groups")}
            known.update({g.id: dump(g) for g in page.groups})
            self.store.put_list("groups", list(known.values()))
