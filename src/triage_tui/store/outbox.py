"""The outbox: every write is persisted here before any HTTP call, and stays until it is
sent or the user drops it. It lives in its own cache so a schema rebuild of the data
cache never touches a pending write.

Entry states: pending -> sending -> sent; a 409 makes a conflict (the user re-applies or
drops); a request the API rejects outright is failed (shown, retried only on request).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from triage_tui.store.cache import iso, open_json_cache, private_umask

ACTIVE = ("pending", "sending")
NEEDS_USER = ("conflict", "failed")


class SenderBusy(Exception):
    """Another process holds the sender lock."""


class Outbox:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.cache = open_json_cache(self.directory / "outbox")
        self._lock_path = self.directory / "sender.lock"

    def close(self) -> None:
        self.cache.close()

    def add(
        self,
        kind: str,
        target: str,
        payload: dict[str, Any],
        *,
        summary: str,
        now: dt.datetime,
        seen_updated_at: str | None = None,
    ) -> dict[str, Any]:
        """Persist a write. `target` orders writes: one target's writes go out in order."""
        with self.cache.transact():
            # diskcache's incr() needs pickled ints; our values are JSON, so count by hand.
            seq = int(self.cache.get("meta:seq", 0)) + 1
            self.cache.set("meta:seq", seq)
            entry = self._new_entry(seq, kind, target, payload, summary, now, seen_updated_at)
            self.cache.set(f"entry:{entry['id']}", entry)
        return entry

    @staticmethod
    def _new_entry(
        seq: int, kind: str, target: str, payload: dict[str, Any], summary: str, now: dt.datetime, seen_updated_at: str | None
    ) -> dict[str, Any]:
        return {
            "id": f"{seq:012d}",
            "seq": seq,
            "kind": kind,
            "target": target,
            "payload": payload,
            "summary": summary,
            "created_at": iso(now),
            "seen_updated_at": seen_updated_at,
            "status": "pending",
            "attempts": 0,
            "last_error": None,
            "not_before": 0.0,
        }

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

    def save(self, entry: dict[str, Any]) -> None:
        self.cache.set(f"entry:{entry['id']}", entry)

    def update(self, entry_id: str, **changes: Any) -> dict[str, Any] | None:
        with self.cache.transact():
            entry = self.get(entry_id)
            if entry is None:
                return None
            entry.update(changes)
            self.save(entry)
            return entry

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
        return self.update(entry_id, status="pending", payload=payload, not_before=0.0, last_error=None, seen_updated_at=theirs or entry.get("seen_updated_at"))

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

    def queued_for(self, source: str) -> int:
        return sum(1 for e in self.entries(ACTIVE) if e["target"].startswith(source + ":"))

    def prune(self, keep_sent: int = 200) -> None:
        """Forget old sent and dropped entries; unsent ones are never pruned."""
        done = [e for e in self.entries(("sent", "dropped"))]
        for entry in done[:-keep_sent] if len(done) > keep_sent else []:
            self.cache.delete(f"entry:{entry['id']}")

    @contextmanager
    def sender_lock(self) -> Iterator[None]:
        """One sender at a time across processes; the kernel releases it if we die."""
        with private_umask():
            fd = os.open(self._lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SenderBusy("another triage-tui process is sending the outbox") from None
            yield
        finally:
            os.close(fd)
