"""The outbox: every write is persisted here before any HTTP call, and stays until it is
sent or the user drops it. It lives in its own cache so a schema rebuild of the data
cache never touches a pending write.

Entry states: pending -> sending -> sent; a 409 makes a conflict (the user re-applies or
drops); a request the API rejects outright is failed (shown, retried only on request).

Times on disk are wall-clock UTC (`retry_at`): a monotonic clock restarts at every boot, so
a monotonic value read by another process means nothing. Entries written by older
versions carry a monotonic `not_before`; they are due at once.

When the disk is full or the cache dir read-only, every write raises OutboxUnavailable
(one line: why and where) and leaves nothing half-written; entries already persisted
stay as they were (SQLite transactions are all or nothing).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage_tui.store.errors import OutboxUnavailable, StoreUnavailable, storage_fault
from triage_tui.store.files import iso, open_json_cache, private_umask
from triage_tui.store.read_only import ReadOnlyCache
from triage_tui.targets import Target, WriteKind

ACTIVE = ("pending", "sending")
NEEDS_USER = ("conflict", "failed")
# The longest a persisted retry time is believed: one further in the future than any
# backoff can be means the wall clock was set back since, and the write is due now.
MAX_RETRY_DELAY = dt.timedelta(seconds=300)


def retry_stamp(moment: dt.datetime) -> str:
    """A retry time as stored: UTC ISO 8601 with microseconds (backoffs can be under a second)."""
    return moment.astimezone(dt.UTC).isoformat()


def retry_due(entry: dict[str, Any], now: dt.datetime) -> bool:
    """Whether a persisted entry may be sent at wall-clock `now`, by its stored `retry_at`.

    No `retry_at` (new, re-applied, or written by a version that stored a monotonic
    `not_before`, meaningless after a reboot): due now. A retry time further away than any
    backoff (the clock went back): due now, rather than stuck.
    """
    stamp = entry.get("retry_at")
    if not stamp:
        return True
    try:
        when = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return True
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when <= now or when - now > MAX_RETRY_DELAY


def queued_message(counts: dict[str, int], *, blocked_by: str | None = None) -> str | None:
    """What to say when the app quits with writes still queued; None when there are none.
    `blocked_by`: why the cache cannot be written now (then they go once it can)."""
    queued = counts.get("queued", 0)
    waiting_on_user = counts.get("conflicts", 0) + counts.get("failed", 0)
    parts = []
    stays, goes = ("1 write stays", "it goes") if queued == 1 else (f"{queued} writes stay", "they go")
    if queued and blocked_by:
        parts.append(
            f"{stays} queued; {goes} once the cache is writable again ({blocked_by}): "
            "then start triage-tui or run `triage-tui sync --once`"
        )
    elif queued:
        parts.append(f"{stays} queued; {goes} next time you start triage-tui (or run `triage-tui sync --once`)")
    if waiting_on_user:
        parts.append(
            f"{waiting_on_user} need{'s' if waiting_on_user == 1 else ''} you (conflict or failed): press C in the app"
        )
    return "; ".join(parts) if parts else None


def _outbox_write(method: Callable) -> Callable:
    """A fault of the machine while writing becomes OutboxUnavailable: one line, typed."""

    @functools.wraps(method)
    def wrapper(self: Outbox, *args: Any, **kwargs: Any) -> Any:
        if self.read_only_reason is not None:
            raise OutboxUnavailable(self.read_only_reason, self.directory)
        try:
            return method(self, *args, **kwargs)
        except StoreUnavailable as exc:
            raise OutboxUnavailable(exc.reason, self.directory) from None
        except (sqlite3.Error, OSError) as exc:
            reason = storage_fault(exc, self.directory)
            if reason is None:
                raise
            raise OutboxUnavailable(reason, self.directory) from None

    return wrapper


@dataclass(frozen=True)
class NewWrite:
    """A write not yet persisted: what it does, what it acts on, the request's body, and
    the line the user reads. `seen_updated_at`: the ticket's version the user saw."""

    kind: WriteKind
    target: Target
    payload: dict[str, Any]
    summary: str
    seen_updated_at: str | None = None

    def entry(self, seq: int, now: dt.datetime) -> dict[str, Any]:
        """The entry as persisted: plain JSON, the same fields every version has stored."""
        return {
            "id": f"{seq:012d}",
            "seq": seq,
            "kind": self.kind.value,
            "target": str(self.target),
            "payload": self.payload,
            "summary": self.summary,
            "created_at": iso(now),
            "seen_updated_at": self.seen_updated_at,
            "status": "pending",
            "attempts": 0,
            "last_error": None,
            "retry_at": None,  # wall-clock UTC, see retry_due()
        }


class SenderBusy(Exception):
    """Another process holds the sender lock."""


class Outbox:
    """`read_only_ok`: when the cache dir cannot be written, open the queued entries
    read-only (they are listed, counted, kept) and refuse new ones with OutboxUnavailable."""

    def __init__(self, directory: Path, *, read_only_ok: bool = False) -> None:
        self.directory = Path(directory)
        self.read_only_reason: str | None = None
        self.cache: Any
        try:
            self.cache = open_json_cache(self.directory / "outbox")
        except (sqlite3.Error, OSError) as exc:
            reason = storage_fault(exc, self.directory)
            if reason is None:
                raise
            if not read_only_ok:
                raise StoreUnavailable(reason, self.directory) from None
            self.cache = ReadOnlyCache(self.directory / "outbox", reason, missing_ok=True)
            self.read_only_reason = reason
        self._lock_path = self.directory / "sender.lock"

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    def close(self) -> None:
        self.cache.close()

    def add(self, write: NewWrite, *, now: dt.datetime) -> dict[str, Any]:
        """Persist a write. Its target orders writes: one target's writes go out in order.

        Raises OutboxUnavailable (disk full, read-only...) with nothing persisted."""
        return self.add_many([write], now=now)[0]

    @_outbox_write
    def add_many(self, writes: Iterable[NewWrite], *, now: dt.datetime) -> list[dict[str, Any]]:
        """Persist several writes all together or none of them (one user action that makes
        two writes must not half-happen)."""
        entries = []
        with self.cache.transact():
            # diskcache's incr() needs pickled ints; our values are JSON, so count by hand.
            seq = int(self.cache.get("meta:seq", 0))
            for write in writes:
                seq += 1
                entry = write.entry(seq, now)
                self.cache.set(f"entry:{entry['id']}", entry)
                entries.append(entry)
            self.cache.set("meta:seq", seq)
        return entries

    def entries(self, statuses: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        found = []
        for key in self.cache.iterkeys():
            if isinstance(key, str) and key.startswith("entry:"):
                entry = self.cache.get(key)
                if isinstance(entry, dict) and (statuses is None or entry.get("status") in statuses):
                    found.append(entry)
        found.sort(key=lambda e: e["seq"])
        return found

    def get(self, entry_id: str) -> dict[str, Any] | None:
        return self.cache.get(f"entry:{entry_id}")

    @_outbox_write
    def save(self, entry: dict[str, Any]) -> None:
        self.cache.set(f"entry:{entry['id']}", entry)

    @_outbox_write
    def update(self, entry_id: str, **changes: Any) -> dict[str, Any] | None:
        with self.cache.transact():
            entry = self.get(entry_id)
            if entry is None:
                return None
            entry.update(changes)
            self.save(entry)
            return entry

    @_outbox_write
    def settle(
        self, entry_id: str, changes: dict[str, Any], follow_ups: list[NewWrite], *, now: dt.datetime
    ) -> list[dict[str, Any]]:
        """Record `entry_id`'s outcome and queue the writes that follow from it, in one
        transaction: a crash leaves either neither (the entry is looked for and settled
        again) or both, never a follow-up queued twice. Returns the follow-up entries."""
        with self.cache.transact():
            self.update(entry_id, **changes)
            return self.add_many(follow_ups, now=now) if follow_ups else []

    def drop(self, entry_id: str) -> bool:
        return self.update(entry_id, status="dropped") is not None

    def reapply(self, entry_id: str) -> dict[str, Any] | None:
        """After a conflict: send again on top of the ticket as it is now (theirs)."""
        entry = self.get(entry_id)
        if entry is None or entry["status"] not in NEEDS_USER:
            return None
        theirs = (entry.get("theirs") or {}).get("updated_at")
        payload = dict(entry["payload"])
        if "ticket" in payload and theirs:
            payload["ticket"] = {**payload["ticket"], "updated_stamp": theirs}
        return self.update(
            entry_id,
            status="pending",
            payload=payload,
            retry_at=None,
            last_error=None,
            job_id=None,  # a failed bulk ticket goes in a new request, not its old job
            seen_updated_at=theirs or entry.get("seen_updated_at"),
        )

    def counts(self) -> dict[str, int]:
        counts = {"queued": 0, "conflicts": 0, "failed": 0}
        for entry in self.entries():
            if entry["status"] in ACTIVE:
                counts["queued"] += 1
            elif entry["status"] == "conflict":
                counts["conflicts"] += 1
            elif entry["status"] == "failed":
                counts["failed"] += 1
        return counts

    def quit_message(self) -> str | None:
        """The line to show when the app quits: how many writes stay queued (None: none)."""
        return queued_message(self.counts(), blocked_by=self.read_only_reason)

    def queued_for(self, source: str) -> int:
        return sum(1 for e in self.entries(ACTIVE) if Target.parse(e["target"]).source == source)

    def prune(self, keep_sent: int = 200) -> None:
        """Forget old sent and dropped entries; unsent ones are never pruned."""
        if self.read_only:
            return
        done = [e for e in self.entries(("sent", "dropped"))]
        try:
            for entry in done[:-keep_sent] if len(done) > keep_sent else []:
                self.cache.delete(f"entry:{entry['id']}")
        except (sqlite3.Error, OSError) as exc:
            # Housekeeping: on a full disk even a delete can fail; it is tried next round.
            if storage_fault(exc, self.directory) is None:
                raise

    @contextmanager
    def sender_lock(self) -> Iterator[None]:
        """One sender at a time across processes; the kernel releases it if we die."""
        if self.read_only_reason is not None:
            raise OutboxUnavailable(self.read_only_reason, self.directory)
        try:
            with private_umask():
                fd = os.open(self._lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        except OSError as exc:
            reason = storage_fault(exc, self.directory)
            if reason is None:
                raise
            raise OutboxUnavailable(reason, self.directory) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SenderBusy("another triage-tui process is sending the outbox") from None
            yield
        finally:
            os.close(fd)
