"""A cache nobody may write now (a read-only mount, a full disk), read as diskcache would."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import diskcache

from triage_tui.store.errors import StoreUnavailable


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
