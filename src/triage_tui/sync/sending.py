"""What every family of sends shares: a round's report, the backoff policy, and the shape
of a handler in the sender's dispatch table (sync/sender.py).

Monotonic time lives only in this process (`Sending._deadlines`); the disk holds
wall-clock time (store/outbox.py, `retry_at`), so a backoff survives a restart and a
reboot without meaning something else there.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from triage_tui.sources.errors import Offline, RateLimited, SourceError
from triage_tui.store.cache import Store
from triage_tui.store.outbox import MAX_RETRY_DELAY, Outbox, retry_due, retry_stamp
from triage_tui.sync.clients import Clients
from triage_tui.targets import Target

# A write that the API rejected is shown to the user; one that keeps failing for network
# reasons is retried with capped backoff for as long as it takes.
MAX_BACKOFF = MAX_RETRY_DELAY.total_seconds()
# How far a service's clock may be behind ours when looking for what an earlier try did.
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    waiting: int = 0
    busy: bool = False
    offline: set[str] = field(default_factory=set)
    changed_tickets: list[int] = field(default_factory=list)
    # Texts for the user's clipboard (a bug report's team-channel alert, for Slack).
    copies: list[str] = field(default_factory=list)
    # Services a 429 told to wait this round, and what each finished bulk job did.
    limited: set[str] = field(default_factory=set)
    jobs: list[str] = field(default_factory=list)
    # Seconds until a running job should be read again (None: nothing to follow).
    wake_in: float | None = None

    def line(self) -> str:
        if self.busy:
            return "outbox: another process is sending"
        line = (
            f"outbox: {len(self.sent)} sent, {self.waiting} waiting, "
            f"{len(self.conflicts)} conflicts, {len(self.failed)} failed"
        )
        return "; ".join([line, *self.jobs])

    def wake(self, seconds: float) -> None:
        self.wake_in = seconds if self.wake_in is None else min(self.wake_in, seconds)


def parse_stamp(stamp: str | None) -> dt.datetime | None:
    if not stamp:
        return None
    return dt.datetime.fromisoformat(stamp)


@dataclass(eq=False)
class Sending:
    """The outbox, the cache, the clients and the clocks one sender works with, and its
    retry policy: what every handler is given."""

    outbox: Outbox
    store: Store
    clients: Clients
    now: Callable[[], dt.datetime]
    monotonic: Callable[[], float]
    # Backoffs this process set: entry id -> (the retry_at it persisted, a monotonic
    # deadline). Monotonic time lives only here; the disk holds wall-clock time.
    _deadlines: dict[str, tuple[str, float]] = field(default_factory=dict, init=False, repr=False)

    def me_id(self) -> int | None:
        return (self.store.get("me") or {}).get("id")

    def since(self, entry: dict) -> dt.datetime:
        """From when to look for what an earlier try of `entry` did at the service."""
        return (parse_stamp(entry["created_at"]) or self.now()) - CLOCK_SKEW

    def mark_sent(self, entry: dict, **extra: Any) -> None:
        self.outbox.update(entry["id"], status="sent", sent_at=self.now().isoformat(), **extra)

    # -- the retry policy ------------------------------------------------------------------
    def _backoff(self, attempts: int) -> float:
        return min(MAX_BACKOFF, 2.0 * 2 ** min(attempts, 8)) * (0.5 + random.random() / 2)

    def retry_at(self, entry: dict, delay: float | None = None) -> str:
        """Back `entry` off (by `delay` seconds, or the backoff of its attempts): the
        wall-clock time to persist, remembered monotonically too."""
        delay = self._backoff(entry["attempts"]) if delay is None else delay
        stamp = retry_stamp(self.now() + dt.timedelta(seconds=delay))
        self._deadlines[entry["id"]] = (stamp, self.monotonic() + delay)
        return stamp

    def due(self, entry: dict) -> bool:
        remembered = self._deadlines.get(entry["id"])
        if remembered is not None and remembered[0] == entry.get("retry_at"):
            # Our own backoff: monotonic time does not jump when someone sets the clock.
            return remembered[1] <= self.monotonic()
        # Set by an earlier process (maybe before a reboot), or changed since: wall clock.
        return retry_due(entry, self.now())

    def job_wait(self, entry: dict) -> float:
        """Seconds until `entry`'s job is read again: by the poll time this process set, or
        none when an earlier process set it (after a restart, the job is read first thing)."""
        remembered = self._deadlines.get(entry["id"])
        if remembered is None or remembered[0] != entry.get("retry_at"):
            return 0.0
        return max(0.0, remembered[1] - self.monotonic())

    def retry_later(self, entry: dict, exc: SourceError, report: SendReport, blocked: set[str]) -> None:
        status = "sending" if entry["status"] == "sending" else "pending"
        delay = None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            # The service said when: not a moment sooner (our own backoff could be shorter),
            # and every other write to it waits this round too.
            delay = exc.retry_after + random.uniform(0.0, min(5.0, 0.1 * exc.retry_after + 0.5))
            report.limited.add(Target.parse(entry["target"]).source)
        self.outbox.update(entry["id"], status=status, last_error=exc.message, retry_at=self.retry_at(entry, delay))
        blocked.add(entry["target"])
        report.waiting += 1
        if isinstance(exc, Offline):
            source = Target.parse(entry["target"]).source
            report.offline.add(source)
            self.store.mark_failed(source, self.now(), exc.message, offline=True)


Service = Literal["zendesk", "incidentio", "github"]  # a field of Clients
Send = Callable[[Sending, dict], Awaitable[Any]]
Applied = Callable[[Sending, dict], Awaitable[tuple[bool, str | None]]]
Finish = Callable[[Sending, dict, Any, SendReport], None]


async def never_applied(sending: Sending, entry: dict) -> tuple[bool, str | None]:
    """An idempotent write (labels, a role, a user's org, an incident by its idempotency
    key, a macro's update or delete): simply sent again after an interrupted send."""
    return False, None


def finish_sent(sending: Sending, entry: dict, result: Any, report: SendReport) -> None:
    sending.mark_sent(entry, last_error=None)


@dataclass(frozen=True)
class Handler:
    """How one kind of write goes out. `service`: the client it needs (no client: the
    write waits, as for a service offline). `applied`: after an interrupted send, whether
    the service acted on it already, and for a ticket update the ticket's new stamp.
    `finish`: the entry recorded as sent, and what follows in the cache. `gone_on_404`: a
    404 means the ticket was deleted."""

    service: Service
    send: Send
    applied: Applied = never_applied
    finish: Finish = finish_sent
    gone_on_404: bool = False
