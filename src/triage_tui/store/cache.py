"""The disk cache: the source of truth for the screen.

Safety, because diskcache's defaults are not safe for this data:
- the directory is 0700 and files 0600 (created under a 077 umask), since tickets hold
  customers' words;
- values are JSON, never pickle (diskcache unpickles by default: CVE-2025-69872, whoever
  can write the directory gets code execution); a schema version guards the layout, and a
  cache of another version is rebuilt, a corrupt one moved aside, never a crash.

Layout: every ticket, comment list, user and org has a key of its own; unsolved tickets
also live together, projected to their queue fields, under one key (start-up paints from
a single read), and so do users and orgs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import diskcache

SCHEMA_VERSION = 5
UNSOLVED = frozenset({"new", "open", "pending", "hold"})
# What a queue row needs of a ticket. The unsolved snapshot holds these as a list per
# ticket, not a dict: start-up decodes 5,000 of them, and lists of scalars decode in a
# third of the time (measured: 22 ms against 68 ms with the SLA metrics left out).
QUEUE_FIELDS = (
    "id", "subject", "status", "priority", "group_id", "assignee_id", "requester_id",
    "organization_id", "tags", "created_at", "updated_at", "excerpt",
)
EXCERPT = 240


class Q:
    """Positions of QUEUE_FIELDS in a stored queue row."""

    ID, SUBJECT, STATUS, PRIORITY, GROUP, ASSIGNEE, REQUESTER, ORG, TAGS, CREATED, UPDATED, EXCERPT = range(12)


def queue_projection(ticket: dict) -> list:
    row = [ticket.get(key) for key in QUEUE_FIELDS]
    row[Q.SUBJECT] = ticket.get("subject") or ticket.get("raw_subject")
    row[Q.EXCERPT] = (ticket.get("description") or "")[:EXCERPT]
    return row


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


class Store:
    """Typed access to the cache. Every method is safe to call from several processes."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.notice: str | None = None  # one line for the UI when the cache had to be rebuilt
        make_private_dir(self.directory)
        self.cache = self._open_checked(self.directory / "data")

    def _open_checked(self, path: Path) -> diskcache.Cache:
        try:
            cache = open_json_cache(path)
            version = cache.get("meta:schema")
        except (sqlite3.DatabaseError, ValueError, UnicodeDecodeError) as exc:
            aside = path.with_name(f"{path.name}.corrupt-{dt.datetime.now():%Y%m%d%H%M%S}")
            shutil.move(str(path), str(aside))
            self.notice = f"cache at {path} was unreadable ({type(exc).__name__}); moved to {aside.name} and rebuilt"
            cache = open_json_cache(path)
            version = None
        if version != SCHEMA_VERSION:
            if version is not None:
                self.notice = f"cache schema {version} replaced by {SCHEMA_VERSION}: it will refill from the APIs"
            cache.clear()
            cache.set("meta:schema", SCHEMA_VERSION)
        return cache

    def close(self) -> None:
        self.cache.close()

    # -- generic ------------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self.cache.get(key, default)
        except (ValueError, UnicodeDecodeError):
            return default

    def set(self, key: str, value: Any) -> None:
        self.cache.set(key, value)

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

    def put_tickets(self, tickets: Iterable[dict], *, replace_unsolved: bool = False) -> list[int]:
        """Store tickets; unsolved ones join the snapshot, others leave it. Returns changed ids."""
        changed: list[int] = []
        with self.cache.transact():
            snapshot = {} if replace_unsolved else self.unsolved_rows()
            tags_index: dict[str, list[int]] = self.get("index:incident_tags", {}) or {}
            for ticket in tickets:
                key = str(ticket["id"])
                if self.get(f"ticket:{key}") == ticket:
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
        state = {**self.sync_state(source), **extra, "last_success": iso(now), "offline_since": None, "last_error": None, "busy": None}
        self.set(f"sync:{source}", state)

    def mark_busy(self, source: str, reason: str) -> None:
        """Rate limited: neither offline nor an error; the cache serves until the next try."""
        self.set(f"sync:{source}", {**self.sync_state(source), "busy": reason})

    def mark_failed(self, source: str, now: dt.datetime, error: str, offline: bool) -> None:
        state = self.sync_state(source)
        if offline and not state.get("offline_since"):
            state["offline_since"] = iso(now)
        state["last_error"] = error
        self.set(f"sync:{source}", state)

    # -- drafts -------------------------------------------------------------------------
    def draft(self, ticket_id: int, kind: str) -> str:
        return self.get(f"draft:{ticket_id}:{kind}", "") or ""

    def save_draft(self, ticket_id: int, kind: str, text: str) -> None:
        key = f"draft:{ticket_id}:{kind}"
        if text.strip():
            self.set(key, text)
        else:
            self.cache.delete(key)

    def size_bytes(self) -> int:
        return int(self.cache.volume())
