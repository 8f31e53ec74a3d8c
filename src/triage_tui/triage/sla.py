"""SLA clocks in business hours.

The handbook counts response targets in "calendar hours Monday - Friday": time on the
weekend (and, when configured, outside working hours or on holidays) never counts.
First-reply, follow-up and next-reply targets are one and the same target; the clock
restarts on each customer reply awaiting us, pauses while Pending or On-hold, and stops
when Solved or Closed.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

HOUR = 3600.0
# Guard against a calendar with (almost) no business time: give up after ten years of days.
_MAX_DAYS = 3660

ALERT_STAGES = ("3h", "2h", "1h")

Stage = Literal["3h", "2h", "1h", "breached"]
ClockState = Literal["running", "paused", "idle"]
_UTC = ZoneInfo("UTC")


def parse_time(text: str | None) -> dt.datetime | None:
    """An ISO 8601 moment as the APIs and the cache write it (a "Z" suffix included), or None."""
    return dt.datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class BusinessCalendar:
    tz: ZoneInfo = _UTC
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    day_start: dt.time = dt.time(0, 0)
    day_end_hour: float = 24.0
    holidays: frozenset[dt.date] = frozenset()

    @classmethod
    def from_settings(cls, sla) -> BusinessCalendar:
        """Build from the `[sla]` config section (any object with its attributes)."""
        return cls(
            tz=ZoneInfo(sla.timezone),
            workdays=frozenset(sla.workdays),
            day_start=sla.day_start,
            day_end_hour=float(sla.day_end_hour),
            holidays=frozenset(sla.holidays),
        )

    def __post_init__(self) -> None:
        start_hours = self.day_start.hour + self.day_start.minute / 60 + self.day_start.second / 3600
        if not self.workdays or self.day_end_hour <= start_hours:
            raise ValueError("a business calendar needs at least one working day with working hours")

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The working interval of a local calendar day, as UTC datetimes, or None."""
        return _window(self, day)

    def _compute_window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        if day.weekday() not in self.workdays or day in self.holidays:
            return None
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=self.tz)
        start = dt.datetime.combine(day, self.day_start, tzinfo=self.tz)
        # Wall-clock arithmetic: a working day keeps its hours across DST changes.
        end = midnight + dt.timedelta(hours=self.day_end_hour)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def _local_day(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def seconds_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Business seconds from `start` to `end` (negative when `end` is earlier)."""
        if end < start:
            return -self.seconds_between(end, start)
        total = dt.timedelta()  # summed exactly, in microseconds; seconds only at the end
        day = self._local_day(start) - dt.timedelta(days=1)  # a window may begin the day before
        last = self._local_day(end)
        for _ in range(_MAX_DAYS):
            if day > last:
                break
            window = self.window(day)
            if window is not None:
                lo = max(window[0], start)
                hi = min(window[1], end)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total.total_seconds()

    def add(self, start: dt.datetime, seconds: float) -> dt.datetime:
        """The moment `seconds` of business time after `start` (before it when negative).

        Lands on the first instant the budget is used up, so a target that ends exactly at
        closing time breaches at closing time, not the next morning.
        """
        if seconds < 0:
            return self._subtract(start, -seconds)
        remaining = seconds
        day = self._local_day(start) - dt.timedelta(days=1)
        for _ in range(_MAX_DAYS):
            window = self.window(day)
            if window is not None and window[1] > start:
                lo = max(window[0], start)
                available = (window[1] - lo).total_seconds()
                if remaining <= available:
                    return lo + dt.timedelta(seconds=remaining)
                remaining -= available
            day += dt.timedelta(days=1)
        raise ValueError("business calendar has no working time within ten years")

    def _subtract(self, end: dt.datetime, seconds: float) -> dt.datetime:
        remaining = seconds
        day = self._local_day(end) + dt.timedelta(days=1)
        for _ in range(_MAX_DAYS):
            window = self.window(day)
            if window is not None and window[0] < end:
                hi = min(window[1], end)
                available = (hi - window[0]).total_seconds()
                if remaining <= available:
                    return hi - dt.timedelta(seconds=remaining)
                remaining -= available
            day -= dt.timedelta(days=1)
        raise ValueError("business calendar has no working time within ten years")


@functools.lru_cache(maxsize=8192)
def _window(calendar: BusinessCalendar, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    # Every clock in the queue walks the same few weeks of days: compute each day once.
    return calendar._compute_window(day)


EventKind = Literal["awaiting", "answered", "paused", "resumed", "stopped"]


@dataclass(frozen=True)
class ClockEvent:
    """Something that moves an SLA clock.

    awaiting: a customer reply now waits on us (starts or restarts the clock);
    answered: we replied publicly (the target is met, the clock stops);
    paused / resumed: Pending or On-hold set / lifted; stopped: Solved or Closed.
    """

    at: dt.datetime
    kind: EventKind


@dataclass(frozen=True)
class SlaClock:
    """Where a ticket's clock stands. `breach_at` is set only while it runs."""

    state: ClockState
    breach_at: dt.datetime | None = None
    remaining_when_paused: float | None = None
    started_at: dt.datetime | None = None
    from_zendesk: bool = False

    def seconds_to_breach(self, now: dt.datetime, calendar: BusinessCalendar) -> float | None:
        """Business seconds until breach; negative once breached; None without a clock."""
        if self.state == "running" and self.breach_at is not None:
            return calendar.seconds_between(now, self.breach_at)
        if self.state == "paused":
            return self.remaining_when_paused
        return None


IDLE = SlaClock("idle")


def run_clock(events: Iterable[ClockEvent], target_hours: float | None, calendar: BusinessCalendar) -> SlaClock:
    """Replay `events` (in time order) against a target of `target_hours` business hours."""
    if target_hours is None:
        return IDLE
    target = target_hours * HOUR
    awaiting = False
    running = False
    elapsed = 0.0
    since: dt.datetime | None = None
    started: dt.datetime | None = None
    for event in sorted(events, key=lambda e: e.at):
        if event.kind == "awaiting":
            awaiting, running, elapsed, since, started = True, True, 0.0, event.at, event.at
        elif event.kind in ("answered", "stopped"):
            awaiting = running = False
        elif event.kind == "paused":
            if running and since is not None:
                elapsed += calendar.seconds_between(since, event.at)
            running = False
        elif event.kind == "resumed" and awaiting and not running:
            running, since = True, event.at
    if not awaiting:
        return IDLE
    if not running:
        return SlaClock("paused", remaining_when_paused=target - elapsed, started_at=started)
    assert since is not None
    return SlaClock("running", breach_at=calendar.add(since, target - elapsed), started_at=started)


def clock_from_policy(metrics: Sequence[Any]) -> SlaClock | None:
    """Zendesk's own SLA policy metrics, when present, win over the local computation.

    `metrics` are objects with `metric`, `stage` and `breach_at` (the `slas.policy_metrics`
    sideload). Reply metrics only; the earliest active breach is the one that matters.
    """
    reply = [m for m in metrics if (getattr(m, "metric", "") or "").endswith("reply_time")]
    if not reply:
        return None
    active = [m for m in reply if getattr(m, "stage", None) == "active" and getattr(m, "breach_at", None)]
    if active:
        first = min(active, key=lambda m: m.breach_at)
        return SlaClock("running", breach_at=first.breach_at, from_zendesk=True)
    paused = [m for m in reply if getattr(m, "stage", None) == "paused"]
    if paused:
        minutes = getattr(paused[0], "minutes", None)
        remaining = minutes * 60 if minutes is not None else None
        return SlaClock("paused", remaining_when_paused=remaining, from_zendesk=True)
    return SlaClock("idle", from_zendesk=True)


def slas_after_write(previous: dict[str, Any], status: str | None, public_reply: bool) -> dict[str, Any] | None:
    """Zendesk's `slas` as they stand after our own update, whose answer carries none.

    A public reply fulfils the reply metric (achieved until the customer writes again);
    Pending or On-hold pause it; Solved or Closed achieve it; anything else (an assignee, a
    tag, a note) moves no SLA, so Zendesk's last word stands. A paused metric resumed by
    reopening has a breach moment only Zendesk knows: None, until it is read again."""
    metrics = previous.get("policy_metrics") or []
    reply = [m for m in metrics if str(m.get("metric") or "").endswith("reply_time")]
    if not reply:
        return previous
    if public_reply or status in ("solved", "closed"):
        stage = "achieved"
    elif status in ("pending", "hold"):
        stage = "paused"
    elif any(m.get("stage") == "paused" for m in reply):
        return None
    else:
        return previous
    changed = [{**m, "stage": stage, "breach_at": None} if m in reply else m for m in metrics]
    return {**previous, "policy_metrics": changed}


def stage_for(seconds_to_breach: float | None, alert_hours: Sequence[float] = (3, 2, 1)) -> Stage | None:
    """The warning stage: 3h, 2h, 1h before a breach, then breached."""
    if seconds_to_breach is None:
        return None
    if seconds_to_breach <= 0:
        return "breached"
    for hours in sorted(alert_hours):
        if seconds_to_breach <= hours * HOUR:
            return f"{int(hours)}h"  # type: ignore[return-value]
    return None


def alert_due(stage: Stage | None, already_alerted: frozenset[str]) -> str | None:
    """The alert to fire now, if any: once per stage per clock, three at most."""
    if stage in ALERT_STAGES and stage not in already_alerted and len(already_alerted) < 3:
        return stage
    return None


def format_duration(seconds: float | None) -> str:
    """Compact business-time label for the queue: "3h12m", "-45m", "2d4h"."""
    if seconds is None:
        return "—"
    sign = "-" if seconds < 0 else ""
    minutes = int(abs(seconds) // 60)
    hours, mins = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        return f"{sign}{days}d{hours}h"
    if hours:
        return f"{sign}{hours}h{mins:02d}m"
    return f"{sign}{mins}m"
