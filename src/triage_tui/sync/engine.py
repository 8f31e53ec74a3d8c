"""The sync engine: one loop for the app and for headless `triage-tui sync`.

Polls and sends are separate tasks. A write is woken at once (`kick`) and never waits
behind a poll, a poll's 429 or its backoff; polls keep their own jittered schedule,
stretched when the account's shared budget runs low. A crash of the loop is reported and
the loop restarted with backoff, never left dead while writes pile up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from triage_tui.config import Config
from triage_tui.store.cache import Store
from triage_tui.store.errors import StoreUnavailable
from triage_tui.store.outbox import Outbox
from triage_tui.sync.changes import RECONCILE_SECONDS, reconcile_step
from triage_tui.sync.clients import Clients
from triage_tui.sync.events import SyncEvent
from triage_tui.sync.github_reads import GithubAnswer, answer
from triage_tui.sync.leader import ChangeLog, PollLock, Shared
from triage_tui.sync.poll_base import SyncReport
from triage_tui.sync.pollers import Pollers
from triage_tui.sync.requests import (
    FetchComments,
    GithubRead,
    Presence,
    Refresh,
    Request,
    Requests,
    SearchZendesk,
    SendNow,
)
from triage_tui.sync.schedule import Schedule
from triage_tui.sync.search_outcome import SearchOutcome
from triage_tui.sync.sender import Sender, SendReport

# With nothing due, the send task still looks at the outbox this often: a write queued by
# another process (headless sync beside the app) or one whose backoff ended goes out.
SEND_IDLE = 5.0
RESTART_BACKOFF = (1.0, 2.0, 5.0, 15.0, 60.0)
FALLBACK_SPREAD = 10.0
STORE_RETRY = 30.0
ZENDESK_JOBS = frozenset(
    {"zendesk", "deletions", "reference", "reconcile"}
)  # a full or read-only disk is looked at again this often


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class QueueFeed(Protocol):
    """Another way for the queue to learn what changed (a team's relay: `relay/feed.py`).
    While it feeds the queue the engine reads no Zendesk changes of its own."""

    def feeds_queue(self) -> bool: ...

    async def run(self, emit: Callable[[SyncEvent], None], stop: asyncio.Event) -> None: ...

    def doing(self, ticket_id: int | None, what: str) -> None: ...


def _first_leaf(exc: BaseException) -> BaseException:
    """The error inside a task group's wrapper, to name what actually failed."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


class SyncEngine:
    def __init__(
        self,
        config: Config,
        store: Store,
        outbox: Outbox,
        clients: Clients,
        now: Callable[[], dt.datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        feed: QueueFeed | None = None,
        *,
        requests: Requests | None = None,
        progress: Callable[[list[int]], None] | None = None,
    ) -> None:
        """`requests`: how another thread (the app) asks the loop for things; `progress`:
        told the changed ticket ids after each page of a long first sync."""
        self.config = config
        self.feed = feed
        self._fed = False
        self.store = store
        self.outbox = outbox
        self.clients = clients
        self.monotonic = monotonic
        self.pollers = Pollers(config, store, clients, now)
        self.pollers.progress = progress
        self.sender = Sender(outbox, store, clients, now, monotonic)
        self.requests = requests if requests is not None else Requests()
        self.lock = PollLock(store.directory)
        self.changes = ChangeLog(store)
        sync = config.sync
        self.schedule = Schedule(
            {
                "zendesk": sync.zendesk_seconds,
                "deletions": sync.deletions_seconds,
                "incidentio": sync.incidentio_seconds,
                "github": sync.github_seconds,
                "reference": sync.reference_seconds,
                # One pass over the tickets shown; each run reads the next 100 of them.
                "reconcile": RECONCILE_SECONDS,
            },
            spread_first=frozenset({"deletions", "reconcile"}),
        )
        self.jobs: dict[str, Callable[[], Awaitable[SyncReport]]] = {
            "zendesk": self.pollers.zendesk,
            "deletions": self.pollers.deletions,
            "incidentio": self.pollers.incidents,
            "github": self.pollers.github,
            "reference": self.pollers.reference,
            "reconcile": self.pollers.reconcile,
        }
        self._fetches: set[asyncio.Task[None]] = set()
        self._wake_sender: asyncio.Event | None = None
        self._wake_poller: asyncio.Event | None = None

    def configured(self) -> list[str]:
        return [name for name in ("zendesk", "incidentio", "github") if getattr(self.clients, name) is not None]

    def _client_of(self, job: str) -> Any:
        return getattr(self.clients, "zendesk" if job in ("deletions", "reference", "reconcile") else job, None)

    async def poll(self, name: str) -> SyncReport:
        report = await self.jobs[name]()
        client = self._client_of(name)
        budget = client.http.budget if client is not None and name in ("zendesk", "deletions", "reconcile") else None
        # A reconciliation pass comes a step at a time (`changes.reconcile_step`): 80 tickets
        # shown are one request every 10 minutes, 5,000 a listing of 6 requests 15 s apart.
        every = (
            reconcile_step(
                len(self.store.unsolved_rows()),
                self.schedule.intervals[name],
                listing=report.error is None and self.pollers.listing_under_way(),
            )
            if name == "reconcile"
            else None
        )
        self.schedule.ran(name, self.monotonic(), budget=budget, retry_after=report.retry_after, every=every)
        return report

    async def due_reports(self) -> list[SyncReport]:
        """Run whichever pollers are due (the first call runs them all)."""
        return [report for _, report in await self.due_jobs()]

    async def due_jobs(self) -> list[tuple[str, SyncReport]]:
        """The same, each report with the job that made it (reference data reports as
        "zendesk", yet means a reload of groups, macros and views)."""
        reports = []
        if not self.pollers.has_reference():
            self.schedule.ran("reference", self.monotonic())  # the first Zendesk poll fetches it
        zendesk = self.clients.zendesk
        limited = zendesk.http.limited_for() if zendesk is not None else 0.0
        fed = self.feed is not None and self.feed.feeds_queue()
        if self._fed and not fed:
            # The relay is gone: read Zendesk soon, each copy of the team at its own moment
            # (they all lost it at once), not at the end of a whole interval.
            self.schedule.postpone("zendesk", self.monotonic() + self.schedule.rng.uniform(0.0, FALLBACK_SPREAD))
        self._fed = fed
        for name in self.schedule.due(self.monotonic()):
            if fed and name in ZENDESK_JOBS:
                self.schedule.ran(name, self.monotonic())  # the relay read it for the team
                continue
            if name == "deletions" and self.feed is not None:
                # Fallen back, this copy is one of a team that lost its relay together, and
                # deleted_tickets allows 10 requests a minute for the whole account (100 copies
                # met 429s there within a minute). Reconciliation removes deleted tickets
                # meanwhile; the relay publishes deletions again once it is back.
                self.schedule.ran(name, self.monotonic())
                continue
            if limited > 0 and name in ZENDESK_JOBS:
                # The account's budget is spent for now (a 429 said so): every Zendesk job
                # waits with the one that was refused, rather than collect 429s of its own.
                self.schedule.postpone(name, self.monotonic() + limited)
                continue
            if self._client_of(name) is not None:
                reports.append((name, await self.poll(name)))
            else:
                self.schedule.ran(name, self.monotonic())
        return reports

    async def send(self) -> SendReport:
        return await self.sender.send_due()

    def kick(self) -> None:
        """From another thread: a write was queued, send it now."""
        self.requests.ask(SendNow())

    # -- the loop -------------------------------------------------------------------------
    async def run_forever(self, emit: Callable[[SyncEvent], None], stop: asyncio.Event) -> None:
        """Poll and send until `stop`; a crash is reported and the loop restarted."""
        failures = 0
        try:
            while not stop.is_set():
                started = self.monotonic()
                try:
                    await self._run_tasks(emit, stop)
                except Exception as caught:  # noqa: BLE001 - any bug must not leave sync dead
                    self.requests.detach()  # asks made during the backoff wait for the restart
                    exc = _first_leaf(caught)
                    if self.monotonic() - started > 300:
                        failures = 0  # it ran well for a while: start the backoff over
                    delay = RESTART_BACKOFF[min(failures, len(RESTART_BACKOFF) - 1)]
                    failures += 1
                    emit(
                        SyncEvent(
                            lines=[f"sync stopped: {type(exc).__name__}: {exc}; restarting in {delay:.0f}s"],
                            crashed=f"{type(exc).__name__}: {exc}",
                        )
                    )
                    try:
                        await asyncio.wait_for(stop.wait(), timeout=delay)
                    except TimeoutError:
                        pass
                finally:
                    self.requests.detach()
        finally:
            # A restart inside this process must be able to take the poll lock again.
            self.lock.release()

    async def _run_tasks(self, emit: Callable[[SyncEvent], None], stop: asyncio.Event) -> None:
        self.schedule.start(self.monotonic())
        self._wake_sender, self._wake_poller = asyncio.Event(), asyncio.Event()
        queue = self.requests.attach()
        async with asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(self._send_task(emit, stop)),
                group.create_task(self._poll_task(emit, stop)),
                group.create_task(self._request_task(emit, queue, group)),
            ]
            if self.feed is not None:
                tasks.append(group.create_task(self.feed.run(emit, stop)))
            await stop.wait()
            for task in [*tasks, *self._fetches]:  # a conversation in flight must not hold up quitting
                task.cancel()

    async def _sleep_until(self, event: asyncio.Event, seconds: float) -> None:
        try:
            await asyncio.wait_for(event.wait(), timeout=max(0.01, seconds))
        except TimeoutError:
            pass
        event.clear()

    async def _send_task(self, emit: Callable[[SyncEvent], None], stop: asyncio.Event) -> None:
        assert self._wake_sender is not None
        said: str | None = None
        while not stop.is_set():
            try:
                sent = await self.send()
            except StoreUnavailable as exc:
                # The disk filled or went read-only: nothing may go out unrecorded. Say it
                # once and look again later; what is queued stays queued.
                if str(exc) != said:
                    said = str(exc)
                    emit(SyncEvent(lines=[f"outbox paused: {exc}"], outbox_changed=True))
                await self._sleep_until(self._wake_sender, STORE_RETRY)
                continue
            said = None
            if sent.sent or sent.conflicts or sent.failed or sent.changed_tickets:
                emit(
                    SyncEvent(
                        lines=[sent.line()],
                        changed_tickets=sent.changed_tickets,
                        outbox_changed=True,
                        toasts=sent.jobs,
                        copies=sent.copies,
                    )
                )
            # A bulk job running: back when it is due to be read again, not at the idle pace.
            idle = SEND_IDLE if sent.wake_in is None else min(SEND_IDLE, sent.wake_in)
            await self._sleep_until(self._wake_sender, idle)

    async def _poll_task(self, emit: Callable[[SyncEvent], None], stop: asyncio.Event) -> None:
        assert self._wake_poller is not None
        while not stop.is_set():
            if self.store.read_only:
                # Polling into a cache that cannot be written would only spend the budget.
                await self._sleep_until(self._wake_poller, STORE_RETRY)
                continue
            if self.lock.try_acquire():
                event = await self._poll_due()
                if event.changed_tickets or event.incidents_changed or event.reference_changed:
                    self.changes.append(Shared(event.changed_tickets, event.incidents_changed, event.reference_changed))
            else:
                # Another copy on this machine polls into this cache: repaint from what it found.
                shared = self.changes.read_new()
                event = SyncEvent(
                    changed_tickets=shared.tickets,
                    incidents_changed=shared.incidents,
                    reference_changed=shared.reference,
                )
            if event:
                emit(event)
            await self._sleep_until(self._wake_poller, min(1.0, self.schedule.seconds_to_next(self.monotonic())))

    async def _poll_due(self) -> SyncEvent:
        event = SyncEvent()
        for job, report in await self.due_jobs():
            event.lines.append(report.line())
            if job == "reference":
                event.reference_changed = report.error is None
            elif job in ("zendesk", "deletions", "reconcile"):
                event.changed_tickets += [c for c in report.changed if isinstance(c, int)]
            else:
                event.incidents_changed = event.incidents_changed or bool(report.changed)
        return event

    async def _request_task(
        self, emit: Callable[[SyncEvent], None], queue: asyncio.Queue[Request], group: asyncio.TaskGroup
    ) -> None:
        assert self._wake_sender is not None and self._wake_poller is not None
        while True:
            match await queue.get():
                case SendNow():
                    self._wake_sender.set()
                case Refresh():
                    # What changed, now; not the hourly reference lists nor the deletions poll,
                    # whose budget (10 a minute) the whole account shares.
                    for name in ("zendesk", "incidentio", "github"):
                        self.schedule.postpone(name, self.monotonic())
                    self._wake_poller.set()
                    self._wake_sender.set()
                case FetchComments(ticket_id):
                    # Its own task: a slow conversation must not hold back a "send now".
                    self._fetches.add(group.create_task(self._comments(emit, ticket_id)))
                case SearchZendesk(number, text):
                    self._fetches.add(group.create_task(self._search(emit, (number, text))))
                case GithubRead() as read:
                    self._fetches.add(group.create_task(self._github_read(emit, read.kind, read.asked)))
                case Presence(ticket_id, doing) if self.feed is not None:
                    self.feed.doing(ticket_id, doing)  # what this engineer does on a ticket, for colleagues

    async def _comments(self, emit: Callable[[SyncEvent], None], ticket_id: int) -> None:
        try:
            report = await self.pollers.comments(ticket_id)
        except Exception as exc:  # noqa: BLE001 - one conversation must not restart the loop
            emit(SyncEvent(lines=[f"zendesk: conversation of #{ticket_id} not fetched: {type(exc).__name__}: {exc}"]))
            return
        finally:
            self._fetches.discard(asyncio.current_task())
        gone = self.store.ticket(ticket_id) is None  # deleted since the last poll: leaves the queue
        emit(
            SyncEvent(
                lines=[report.line()] if report.error else [],
                comments_for=ticket_id,
                changed_tickets=[ticket_id] if gone else [],
            )
        )

    async def _search(self, emit: Callable[[SyncEvent], None], asked: tuple[int, str]) -> None:
        number, text = asked
        try:
            outcome = await self.pollers.search(text, number)
        except Exception as exc:  # noqa: BLE001 - one search must not restart the loop
            outcome = SearchOutcome(text, number, error=f"{type(exc).__name__}: {exc}")
        finally:
            self._fetches.discard(asyncio.current_task())
        emit(SyncEvent(changed_tickets=outcome.changed, searched=outcome))

    async def _github_read(self, emit: Callable[[SyncEvent], None], kind: str, asked: tuple[Any, ...]) -> None:
        try:
            found = await answer(self.clients, kind, asked)
        except Exception as exc:  # noqa: BLE001 - one read must not restart the loop
            found = GithubAnswer(kind, asked, error=f"{type(exc).__name__}: {exc}")
        finally:
            self._fetches.discard(asyncio.current_task())
        emit(SyncEvent(github=found))

    # -- headless -----------------------------------------------------------------------
    async def run(self, *, once: bool, emit: Callable[[str], None], stop: asyncio.Event | None = None) -> int:
        """Headless. With `once`: every source once, then the outbox until it is drained
        or only waits on backoff; the exit code says whether everything succeeded."""
        stop = stop or asyncio.Event()
        if not once:

            def print_lines(event: SyncEvent) -> None:
                for line in event.lines:
                    emit(line)

            await self.run_forever(print_lines, stop)
            return 0
        failures = 0
        total = await self.send()
        jobs = self.configured() + (["deletions"] if self.clients.zendesk is not None else [])
        for name in jobs:
            report = await self.poll(name)
            if name != "deletions" or report.changed or report.error:
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
