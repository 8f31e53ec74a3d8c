"""The disk cache: the source of truth for the screen.

Safety, because diskcache's defaults are not safe for this data:
- the directory is 0700 and files 0600 (created under a 077 umask), since tickets hold
  customers' words;
- values are JSON, never pickle (diskcache unpickles by default: CVE-2025-69872, whoever
  can write the directory gets code execution); a schema version guards the layout, and a
  cache of another version is rebuilt, a corrupt one moved aside, never a crash.

Faults of the machine are not corruption (see `errors.py`): a full disk or a read-only
cache dir at start-up gives a read-only store that paints what is cached (`read_only_ok`),
and a write that fails for them later stops the store's writes (`read_only`) instead of
raising into the UI or leaving half of a sync on disk.

Layout: every ticket, comment list, user and org has a key of its own; unsolved tickets
also live together, projected to their queue fields, under one key (start-up paints from
a single read), and so do users and orgs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import diskcache

from triage_tui.store.errors import StoreUnavailable, is_corruption, storage_fault

SCHEMA_VERSION = 6  # 6: queue rows carry the digest of their derived-facts inputs
UNSOLVED = frozenset({"new", "open", "pending", "hold"})
# What a queue row needs of a ticket. The unsolved snapshot holds these as a list per
# ticket, not a dict: start-up decodes 5,000 of them, and lists of scalars decode in a
# third of the time (measured: 22 ms against 68 ms with the SLA metrics left out).
QUEUE_FIELDS = (
    "id",
    "subject",
    "status",
    "priority",
    "group_id",
    "assignee_id",
    "requester_id",
    "organization_id",
    "tags",
    "created_at",
    "updated_at",
    "excerpt",
    "inputs",
)
EXCERPT = 240


_AUTH_STATUS = re.compile(r"not authori[sz]ed \((401|403)\)")


def failure_reason(source: str, error: str) -> str:
    """A source's error as the line a user acts on: a rejected token names the command that
    fixes it. The sources' messages are kept otherwise; they never carry a credential."""
    match = _AUTH_STATUS.search(error)
    if match is None:
        return error
    env = f"TRIAGE_{source.upper()}_TOKEN"
    if match.group(1) == "401":
        return f"401: token rejected; run `triage-tui auth set {source}` (or fix {env})"
    return f"403: token lacks permission for this; check the agent's role, or run `triage-tui auth set {source}`"


def _older(candidate: str | None, cached: str | None) -> bool:
    """Whether `candidate` is an older version than `cached` (ISO stamps from Zendesk)."""
    if not candidate or not cached:
        return False
    try:
        return dt.datetime.fromisoformat(candidate) < dt.datetime.fromisoformat(cached)
    except ValueError:
        return False


class Q:
    """Positions of QUEUE_FIELDS in a stored queue row."""

    ID, SUBJECT, STATUS, PRIORITY, GROUP, ASSIGNEE, REQUESTER, ORG, TAGS, CREATED, UPDATED, EXCERPT, INPUTS = range(13)


# What a ticket's derived facts (plan, SLA clock, ranking facts) read besides its queue
# fields: Zendesk changes these without touching `updated_at` (show_many brings the SLA
# data after search brought the ticket; a policy's targets are edited).
DERIVED_INPUTS = ("slas", "metric_set")


def queue_projection(ticket: dict) -> list:
    row = [ticket.get(key) for key in QUEUE_FIELDS]
    row[Q.SUBJECT] = ticket.get("subject") or ticket.get("raw_subject")
    row[Q.EXCERPT] = (ticket.get("description") or "")[:EXCERPT]
    row[Q.INPUTS] = inputs_digest(row, ticket)
    return row


def inputs_digest(row: list, ticket: dict) -> str:
    """A short digest of everything the derived facts of `ticket` read: its queue fields and
    its SLA data. Cached facts are reused only while it is unchanged: a cache keyed on one
    field (`updated_at`) went stale when another changed. Computed once per write, so
    start-up compares a string per ticket instead of hashing thousands."""
    inputs = [row[: Q.INPUTS], *(ticket.get(key) for key in DERIVED_INPUTS)]
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def make_private_dir(path: Path) -> None:
    with private_umask():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Only when it is wrong: chmod fails on a read-only mount even when it would change nothing.
    if path.stat().st_mode & 0o777 != 0o700:
        os.chmod(path, 0o700)


def tighten(path: Path) -> None:
    """Files someone else created too openly (an older version, a copy) become owner-only."""
    for child in path.rglob("*"):
        try:
            mode = child.stat().st_mode & 0o777
            wanted = 0o700 if child.is_dir() else 0o600
            if mode & 0o077:
                os.chmod(child, wanted)
        except OSError:
            continue


def open_json_cache(path: Path) -> diskcache.Cache:
    make_private_dir(path)
    with private_umask():
        cache = diskcache.Cache(
            str(path),
            disk=diskcache.JSONDisk,
            disk_compress_level=0,
            # Large values (the unsolved snapshot) stay in SQLite rows, not loose files.
            disk_min_file_size=1 << 30,
            size_limit=8 << 30,
            eviction_policy="none",
        )
    tighten(path)
    return cache


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def unavailable(exc: BaseException, path: Path) -> StoreUnavailable:
    """`exc` as a StoreUnavailable when it is a fault of the machine; otherwise re-raised."""
    reason = storage_fault(exc, path)
    if reason is None:
        raise exc
    return StoreUnavailable(reason, path)


class ReadOnlyCache:
    """The reading half of diskcache.Cache over a database nobody may write now.

    diskcache writes its settings table on every open, so it cannot open a cache on a
    read-only mount or a full disk. SQLite can, read-only; `immutable=1` is the fallback
    when even the WAL index cannot be created (a read-only mount). Values are decoded by
    diskcache's own JSONDisk, so both read the same bytes the same way.
    """

    def __init__(self, path: Path, reason: str, *, missing_ok: bool = False) -> None:
        self.path = Path(path)
        self.reason = reason
        self._lock = threading.Lock()
        self._disk = diskcache.JSONDisk(str(self.path), compress_level=0)
        self._con: sqlite3.Connection | None = None
        database = self.path / "cache.db"
        if not database.exists():
            if missing_ok:
                return
            raise StoreUnavailable(f"{reason}, and nothing is cached yet", self.path.parent)
        self._con = self._connect(database)

    def _connect(self, database: Path) -> sqlite3.Connection:
        uri = database.resolve().as_uri()
        failure: BaseException | None = None
        for options in ("?mode=ro", "?immutable=1"):
            try:
                con = sqlite3.connect(uri + options, uri=True, check_same_thread=False)
                con.execute("SELECT count(*) FROM Cache").fetchone()
                return con
            except sqlite3.Error as exc:
                failure = exc
        raise StoreUnavailable(f"{self.reason}, and the cache cannot be read ({failure})", self.path.parent)

    def get(self, key: Any, default: Any = None) -> Any:
        if self._con is None:
            return default
        db_key, raw = self._disk.put(key)
        with self._lock:
            row = self._con.execute(
                "SELECT mode, filename, value FROM Cache "
                "WHERE key = ? AND raw = ? AND (expire_time IS NULL OR expire_time > ?)",
                (db_key, raw, time.time()),
            ).fetchone()
        if row is None:
            return default
        return self._disk.fetch(row[0], row[1], row[2], False)

    def iterkeys(self) -> Iterator[Any]:
        if self._con is None:
            return iter(())
        with self._lock:
            rows = self._con.execute("SELECT key, raw FROM Cache ORDER BY rowid").fetchall()
        return iter([self._disk.get(key, raw) for key, raw in rows])

    def volume(self) -> int:
        if self._con is None:
            return 0
        with self._lock:
            ((pages,),) = self._con.execute("PRAGMA page_count").fetchall()
            ((size,),) = self._con.execute("PRAGMA page_size").fetchall()
        return pages * size

    def _refuse(self, *_: Any, **__: Any) -> Any:
        raise StoreUnavailable(self.reason, self.path.parent)

    set = delete = clear = _refuse

    @contextlib.contextmanager
    def transact(self) -> Iterator[None]:
        self._refuse()
        yield  # pragma: no cover - never reached

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def _cache_write(default: Callable[[], Any] = lambda: None) -> Callable:
    """A Store write that a fault of the machine turns into "writes stopped", not a raise.

    The cache is only a cache: what is not stored is fetched again. What must not happen is
    half a sync on disk (a cursor moved on past tickets that were never stored), so after
    the first such failure the store writes nothing more until it is opened again.
    """

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
            if self.read_only:
                return default()
            try:
                return method(self, *args, **kwargs)
            except (sqlite3.Error, OSError) as exc:
                reason = storage_fault(exc, self.directory)
                if reason is None:
                    raise
                self._stop_writing(reason)
                return default()

        return wrapper

    return decorate


class Store:
    """Typed access to the cache. Every method is safe to call from several processes.

    `read_only_ok`: when the cache dir cannot be written (disk full, read-only mount, no
    permission), open what is cached read-only instead of raising StoreUnavailable.
    `read_only` / `read_only_reason` say so (also when writes stop later), for the UI.
    """

    def __init__(self, directory: Path, *, read_only_ok: bool = False) -> None:
        self.directory = Path(directory)
        self.notice: str | None = None  # one line for the UI when the cache had to be rebuilt
        self.read_only_reason: str | None = None  # "disk full", "cache dir is read-only"...
        self.cache: diskcache.Cache | ReadOnlyCache
        try:
            try:
                make_private_dir(self.directory)
            except OSError as exc:
                raise unavailable(exc, self.directory) from None
            self.cache = self._open_checked(self.directory / "data")
        except StoreUnavailable as exc:
            if not read_only_ok:
                raise
            self.cache = ReadOnlyCache(self.directory / "data", exc.reason)
            self.read_only_reason = exc.reason
            self.notice = self.read_only_notice()

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    def read_only_notice(self) -> str | None:
        """One line for the status bar and stderr, or None when the store can write."""
        if self.read_only_reason is None:
            return None
        return (
            f"read-only cache: {self.read_only_reason} ({self.directory}); "
            "showing what is cached, nothing is synced or queued"
        )

    def _stop_writing(self, reason: str) -> None:
        self.read_only_reason = reason
        self.notice = f"cache writes stopped: {reason} ({self.directory}); restart triage-tui once that is fixed"

    def _open_checked(self, path: Path) -> diskcache.Cache:
        try:
            return self._open_versioned(path)
        except Exception as exc:
            if storage_fault(exc, path) is not None:
                raise unavailable(exc, self.directory) from None
            if not is_corruption(exc):
                raise
            corruption = exc
        # Only bytes SQLite or the decoder call bad get here: never a full disk or a mount.
        aside = path.with_name(f"{path.name}.corrupt-{dt.datetime.now():%Y%m%d%H%M%S}")
        try:
            shutil.move(str(path), str(aside))
            cache = self._open_versioned(path)
        except (OSError, sqlite3.Error) as exc:
            raise unavailable(exc, self.directory) from None
        self.notice = f"cache at {path} was unreadable ({type(corruption).__name__}); moved to {aside.name} and rebuilt"
        return cache

    def _open_versioned(self, path: Path) -> diskcache.Cache:
        cache = open_json_cache(path)
        try:
            version = cache.get("meta:schema")
            if version != SCHEMA_VERSION:
                if version is not None:
                    self.notice = f"cache schema {version} replaced by {SCHEMA_VERSION}: it will refill from the APIs"
                cache.clear()
                cache.set("meta:schema", SCHEMA_VERSION)
        except BaseException:
            cache.close()
            raise
        return cache

    def close(self) -> None:
        self.cache.close()

    # -- generic ------------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self.cache.get(key, default)
        except (ValueError, UnicodeDecodeError):
            return default

    @_cache_write(lambda: False)
    def set(self, key: str, value: Any) -> bool:
        """Store `value`; False when the store takes no writes (see `read_only`)."""
        self.cache.set(key, value)
        return True

    # -- tickets ------------------------------------------------------------------------
    def unsolved_rows(self) -> dict[str, list]:
        """Unsolved tickets by id (JSON object keys are strings): queue rows, see `Q`."""
        value = self.get("tickets:unsolved")
        return value if isinstance(value, dict) else {}

    def unsolved(self) -> dict[str, dict]:
        """The same, each row as a dict of QUEUE_FIELDS (for tools and tests)."""
        return {key: dict(zip(QUEUE_FIELDS, row)) for key, row in self.unsolved_rows().items()}

    def ticket(self, ticket_id: int) -> dict | None:
        """The whole ticket as last synced."""
        return self.get(f"ticket:{ticket_id}")

    @_cache_write(list)
    def put_tickets(
        self, tickets: Iterable[dict], *, replace_unsolved: bool = False, only_if_newer: bool = False
    ) -> list[int]:
        """Store tickets; unsolved ones join the snapshot, others leave it. Returns changed ids.

        `only_if_newer`: a ticket older than the cached copy is left out (a poll's answer or a
        write's echo that arrived after a newer version was stored), decided inside the
        transaction so another process's write in between counts too."""
        changed: list[int] = []
        with self.cache.transact():
            snapshot = {} if replace_unsolved else self.unsolved_rows()
            tags_index: dict[str, list[int]] = self.get("index:incident_tags", {}) or {}
            for ticket in tickets:
                key = str(ticket["id"])
                cached = self.get(f"ticket:{key}")
                if cached == ticket:
                    if replace_unsolved and ticket.get("status") in UNSOLVED:
                        snapshot[key] = queue_projection(ticket)  # unchanged, still in the queue
                    continue
                if only_if_newer and cached and _older(ticket.get("updated_at"), cached.get("updated_at")):
                    continue
                changed.append(ticket["id"])
                if ticket.get("status") == "deleted":
                    snapshot.pop(key, None)
                    self.cache.delete(f"ticket:{key}")
                    continue
                self.cache.set(f"ticket:{key}", ticket)
                if ticket.get("status") in UNSOLVED:
                    snapshot[key] = queue_projection(ticket)
                else:
                    snapshot.pop(key, None)
                for tag in ticket.get("tags") or []:
                    if tag.startswith("incident/"):
                        ids = tags_index.setdefault(tag, [])
                        if ticket["id"] not in ids:
                            ids.append(ticket["id"])
            self.cache.set("tickets:unsolved", snapshot)
            self.cache.set("index:incident_tags", tags_index)
        return changed

    def tickets_tagged(self, tag: str) -> list[dict]:
        """Every cached ticket carrying `tag` (incident/<n>), solved ones included."""
        ids = (self.get("index:incident_tags", {}) or {}).get(tag, [])
        found = [self.ticket(ticket_id) for ticket_id in ids]
        return [ticket for ticket in found if ticket and tag in (ticket.get("tags") or [])]

    def comments(self, ticket_id: int) -> dict | None:
        """{"ticket_updated_at": ..., "items": [...]} or None when never fetched."""
        return self.get(f"comments:{ticket_id}")

    def put_comments(self, ticket_id: int, ticket_updated_at: str | None, items: list[dict]) -> None:
        self.set(f"comments:{ticket_id}", {"ticket_updated_at": ticket_updated_at, "items": items})

    # -- people and reference data ------------------------------------------------------
    @_cache_write()
    def put_records(self, kind: str, records: Iterable[dict]) -> None:
        """Users and orgs: a key each (one lookup), all together, and their names alone (what
        start-up reads: a fifth of the bytes of the whole records)."""
        with self.cache.transact():
            everyone = self.all_records(kind)
            names = self.names(kind)
            for record in records:
                self.cache.set(f"{kind}:{record['id']}", record)
                everyone[str(record["id"])] = record
                names[str(record["id"])] = record.get("name") or record.get("email") or ""
            self.cache.set(f"records:{kind}", everyone)
            self.cache.set(f"names:{kind}", names)

    def names(self, kind: str) -> dict[str, str]:
        """Display names of users or orgs by id (name, else email)."""
        value = self.get(f"names:{kind}")
        return value if isinstance(value, dict) else {}

    def all_records(self, kind: str) -> dict[str, dict]:
        value = self.get(f"records:{kind}")
        return value if isinstance(value, dict) else {}

    def record(self, kind: str, record_id: Any) -> dict | None:
        if record_id is None:
            return None
        return self.get(f"{kind}:{record_id}")

    def put_list(self, name: str, items: list[dict]) -> None:
        self.set(f"list:{name}", items)

    def list(self, name: str) -> list[dict]:
        value = self.get(f"list:{name}")
        return value if isinstance(value, list) else []

    # -- sync bookkeeping ---------------------------------------------------------------
    def sync_state(self, source: str) -> dict:
        return self.get(f"sync:{source}", {}) or {}

    def mark_synced(self, source: str, now: dt.datetime, **extra: Any) -> None:
        state = {
            **self.sync_state(source),
            **extra,
            "last_success": iso(now),
            "offline_since": None,
            "last_error": None,
            "reason": None,
            "last_error_at": None,
            "busy": None,
        }
        self.set(f"sync:{source}", state)

    def mark_progress(self, source: str, progress: dict | None) -> None:
        """How far a long sync is ("page 3 of ~5"), for the status line of every copy on
        this cache; None when it is done (or failed)."""
        state = self.sync_state(source)
        if state.get("progress") != progress:
            self.set(f"sync:{source}", {**state, "progress": progress})

    def mark_busy(self, source: str, reason: str) -> None:
        """Rate limited: neither offline nor an error; the cache serves until the next try."""
        self.set(f"sync:{source}", {**self.sync_state(source), "busy": reason})

    def mark_failed(self, source: str, now: dt.datetime, error: str, offline: bool) -> None:
        """Record a failed poll or send. `reason` is kept until the next success: a toast goes
        away, the status line keeps saying why (and, for a token, what fixes it)."""
        state = self.sync_state(source)
        if offline and not state.get("offline_since"):
            state["offline_since"] = iso(now)
        state["last_error"] = error
        state["reason"] = failure_reason(source, error)
        state["last_error_at"] = iso(now)
        self.set(f"sync:{source}", state)

    def sync_reason(self, source: str) -> str | None:
        """Why `source` last failed, one line (None after a success)."""
        state = self.sync_state(source)
        return state.get("reason") or state.get("last_error")

    # -- drafts -------------------------------------------------------------------------
    def draft(self, ticket_id: int, kind: str) -> str:
        return self.get(f"draft:{ticket_id}:{kind}", "") or ""

    @_cache_write(lambda: False)
    def save_draft(self, ticket_id: int, kind: str, text: str) -> bool:
        """False when it could not be kept on disk: the caller keeps it in memory."""
        key = f"draft:{ticket_id}:{kind}"
        if text.strip():
            return self.set(key, text)
        self.cache.delete(key)
        return True

    def size_bytes(self) -> int:
        return int(self.cache.volume())
