"""The cache's directories and databases, private to their owner: 0700 directories and 0600
files (created under a 077 umask), since tickets hold customers' words; values are JSON,
never pickle (diskcache unpickles by default: CVE-2025-69872, whoever can write the
directory gets code execution)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import diskcache


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
