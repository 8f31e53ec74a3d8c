"""The disk cache: the source of truth for the screen.

Safety, because diskcache's defaults are not safe for this data: private JSON databases
(`files.py`); a schema version guards the layout, and a cache of another version is
rebuilt, a corrupt one moved aside, never a crash.

Faults of the machine are not corruption (see `errors.py`): a full disk or a read-only
cache dir at start-up gives a read-only store that paints what is cached (`read_only_ok`),
and a write that fails for them later stops the store's writes (`read_only`) instead of
raising into the UI or leaving half of a sync on disk.

Layout: every ticket (the JSON of `models.zendesk.Ticket`), comment list, user and org has
a key of its own; unsolved tickets also live together, as their queue rows
(`queue_rows.py`), under one key (start-up paints from a single read), and so do users and
orgs.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import diskcache

from triage_tui.store.errors import StoreUnavailable, is_corruption, storage_fault
from triage_tui.store.files import iso, make_private_dir, open_json_cache
from triage_tui.store.queue_rows import QUEUE_FIELDS, UNSOLVED, queue_row
from triage_tui.store.read_only import ReadOnlyCache

SCHEMA_VERSION = 6  # 6: queue rows carry the digest of their derived-facts inputs

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


def unavailable(exc: BaseException, path: Path) -> StoreUnavailable:
    """`exc` as a StoreUnavailable when it is a fault of the machine; otherwise re-raised."""
    reason = storage_fault(exc, path)
    if reason is None:
        raise exc
    return StoreUnavailable(reason, path)


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
        """Unsolved tickets by id (JSON object keys are strings): their queue rows (`QueueRow`)."""
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
                        snapshot[key] = queue_row(ticket)  # unchanged, still in the queue
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
                    snapshot[key] = queue_row(ticket)
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
