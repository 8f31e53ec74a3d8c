"""Faults of the machine under the cache, told apart from a corrupt cache.

A full disk, a read-only mount or a directory we may not write are not the cache's fault:
the data on disk is fine and must never be moved aside or rebuilt for them. Only a file
SQLite says is not a database, or is malformed, is corruption.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import zlib
from pathlib import Path

DISK_FULL = "disk full"
READ_ONLY = "cache dir is read-only"
NO_PERMISSION = "no permission to write the cache dir"
IO_ERROR = "disk I/O error"
LOCKED = "cache is locked by another process"

# SQLite primary result codes (the low byte of an extended code).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED = 3, 5, 6
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT = 8, 10, 11
_SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_AUTH, _SQLITE_NOTADB = 13, 14, 23, 26


class StoreUnavailable(Exception):
    """The cache cannot be written here and now. `reason` is a few words ("disk full"),
    `path` the directory concerned; str() is the one line a user reads."""

    def __init__(self, reason: str, path: Path | str | None = None) -> None:
        self.reason = reason
        self.path = Path(path) if path is not None else None
        super().__init__(f"{reason} ({self.path})" if self.path else reason)


class OutboxUnavailable(StoreUnavailable):
    """A write could not be queued, and nothing of it was persisted: the caller still holds
    the only copy of what the user typed and must keep it."""

    def __init__(self, reason: str, path: Path | str | None = None) -> None:
        super().__init__(reason, path)

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"not queued: {self.reason}{where}"


def _mounted_read_only(path: Path) -> bool:
    for candidate in (path, *path.parents):
        try:
            return bool(os.statvfs(candidate).f_flag & os.ST_RDONLY)
        except OSError:
            continue
    return False


def _disk_full(path: Path) -> bool:
    for candidate in (path, *path.parents):
        try:
            stats = os.statvfs(candidate)
        except OSError:
            continue
        # A few pages left is full for SQLite: a write needs its journal as well.
        return stats.f_bavail * stats.f_frsize < 64 * 1024
    return False


def _writable(path: Path) -> bool:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return os.access(candidate, os.W_OK)
    return True


def _by_looking(path: Path, fallback: str | None) -> str | None:
    """What the filesystem says when the error itself is vague (CANTOPEN, IOERR)."""
    if _mounted_read_only(path):
        return READ_ONLY
    if _disk_full(path):
        return DISK_FULL
    if not _writable(path):
        return NO_PERMISSION
    return fallback


def storage_fault(exc: BaseException, path: Path | str) -> str | None:
    """A few words for a fault of the machine (disk full, read-only, no permission, I/O),
    or None when `exc` is something else (corruption, a bug)."""
    path = Path(path)
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(exc).lower()
        if primary == _SQLITE_FULL or "disk is full" in text:
            return DISK_FULL
        if primary == _SQLITE_READONLY or "readonly database" in text:
            return _by_looking(path, READ_ONLY)
        if primary in (_SQLITE_PERM, _SQLITE_AUTH):
            return NO_PERMISSION
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
            return LOCKED
        if primary == _SQLITE_CANTOPEN or "unable to open database" in text:
            return _by_looking(path, "cannot open the cache database")
        if primary == _SQLITE_IOERR or "disk i/o error" in text:
            return _by_looking(path, IO_ERROR)
        return None
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return DISK_FULL
        if exc.errno == errno.EROFS:
            return READ_ONLY
        if exc.errno in (errno.EACCES, errno.EPERM):
            return NO_PERMISSION
        if exc.errno == errno.EIO:
            return IO_ERROR
        return None
    return None


def is_corruption(exc: BaseException) -> bool:
    """True only when the bytes on disk are bad: what may be moved aside and rebuilt."""
    if isinstance(exc, sqlite3.DatabaseError):
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
        text = str(exc).lower()
        return "not a database" in text or "malformed" in text
    # A row that does not decode: JSON, zlib or UTF-8 garbage where our values belong.
    return isinstance(exc, (json.JSONDecodeError, zlib.error, UnicodeDecodeError, ValueError))
