"""The sync engine: pollers on their own intervals plus the outbox sender.

The app runs `SyncEngine` steps in Textual workers; `triage-tui sync` runs `run()` headless.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from triage_tui.config import Config
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.clients import Clients
from triage_tui.sync.pollers import Pollers, SyncReport
from triage_tui.sync.sender import SendReport, Sender


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Schedule:
    """When each job last ran, so a loop can ask which are due."""

    intervals: dict[str, float]
    last: dict[str, float] = field(default_factory=dict)

    def due(self, now: float) -> list[str]:
        return [name for name, every in self.intervals.items() if now - self.last.get(name, -1e18) >= every]

    def ran(self, name: str, now: float) -> None:
        self.last[name] = now


class SyncEngine:
    def __init__(
        self,
        config: Config,
        store: Store,
        outbox: Outbox,
        clients: Clients,
        now: Callable[[], dt.datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.store = store
        self.outbox = outbox
        self.clients = clients
        self.monotonic = monotonic
        self.pollers = Pollers(config, store, clients, now)
        self.sender = Sender(outbox, store, clients, now, monotonic)
        sync = config.sync
        self.schedule = Schedule(
            {
                "zendesk": sync.zendesk_seconds,
                "incidentio": sync.incidentio_seconds,
                "github": sync.github_seconds,
                "reference": sync.reference_seconds,
            }
        )
        self.jobs: dict[str, Callable[[], Awaitable[SyncReport]]] = {
            "zendesk": self.pollers.zendesk,
            "incidentio": self.pollers.incidents,
            "github": self.pollers.github,
            "reference": self.pollers.reference,
        }

    def configured(self) -> list[str]:
        return [name for name in ("zendesk", "incidentio", "github") if getattr(self.clients, name) is not None]

    async def poll(self, name: str) -> SyncReport:
        report = await self.jobs[name]()
        self.schedule.ran(name, self.monotonic())
        return report

    async def due_reports(self) -> list[SyncReport]:
        """Run whichever pollers are due (the first call runs them all)."""
        reports = []
        if not self.store.list("groups"):
            self.schedule.ran("reference", self.monotonic())  # the first Zendesk poll fetches it
        for name in self.schedule.due(self.monotonic()):
            if name == "reference" or getattr(self.clients, name, None) is not None:
                reports.append(await self.poll(name))
        return reports

    async def send(self) -> SendReport:
        return await self.sender.send_due()

    async def run(self, *, once: bool, emit: Callable[[str], None], tick: float = 1.0, stop: asyncio.Event | None = None) -> int:
        """Headless loop. With `once`: every source once, then the outbox until it is drained
        or only waits on backoff; the exit code says whether everything succeeded."""
        stop = stop or asyncio.Event()
        if once:
            failures = 0
            total = await self.send()
            for name in self.configured():
                report = await self.poll(name)
                emit(report.line())
                failures += bool(report.error)
            for _ in range(20):
                if not self.outbox.entries(("pending", "sending")):
                    break
                sent = await self.send()
                total.sent += sent.sent
                total.conflicts += sent.conflicts
                total.failed += sent.failed
                total.waiting = sent.waiting
                if not sent.sent:
                    break
            emit(total.line())
            return 1 if failures or total.failed or total.conflicts else 0
        while not stop.is_set():
            # Writes first: what the user did goes out before the next poll.
            sent = await self.send()
            if sent.sent or sent.conflicts or sent.failed:
                emit(sent.line())
            for report in await self.due_reports():
                emit(report.line())
            try:
                await asyncio.wait_for(stop.wait(), timeout=tick)
            except TimeoutError:
                pass
        return 0
