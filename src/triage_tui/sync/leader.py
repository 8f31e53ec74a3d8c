"""One poller per cache: several copies on one dev box (a TUI per tmux pane, headless
`triage-tui sync` beside them) cost the account one copy's budget.

The copy holding the poll lock polls and appends what changed to a short log in the
cache; the others read the log and repaint. The kernel drops the lock when its holder
exits or is killed, and another copy takes over within a second.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage_tui.store.cache import Store
from triage_tui.store.files import private_umask

LOG_KEY = "sync:changes"
LOG_LENGTH = 50


class PollLock:
    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / "poll.lock"
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        try:
            with private_umask():
                fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        except OSError:
            return True  # no lock file possible (read-only cache): poll alone, as before
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass
class Shared:
    """What the leader's polls changed, as a follower needs it to repaint."""

    tickets: list[int] = field(default_factory=list)
    incidents: bool = False
    reference: bool = False

    def __bool__(self) -> bool:
        return bool(self.tickets or self.incidents or self.reference)


class ChangeLog:
    """The leader appends; each follower remembers the last entry it has seen."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.seen = self._latest()

    def _entries(self) -> list[dict[str, Any]]:
        value = self.store.get(LOG_KEY)
        return value if isinstance(value, list) else []

    def _latest(self) -> int:
        entries = self._entries()
        return int(entries[-1]["seq"]) if entries else 0

    def append(self, shared: Shared) -> None:
        entries = self._entries()
        seq = (int(entries[-1]["seq"]) if entries else 0) + 1
        entries.append(
            {"seq": seq, "tickets": shared.tickets, "incidents": shared.incidents, "reference": shared.reference}
        )
        self.store.set(LOG_KEY, entries[-LOG_LENGTH:])
        self.seen = seq

    def read_new(self) -> Shared:
        entries = self._entries()
        fresh = [e for e in entries if int(e["seq"]) > self.seen]
        if not fresh:
            return Shared()
        shared = Shared()
        if int(fresh[0]["seq"]) > self.seen + 1:
            shared.reference = True  # entries were dropped while we looked away: reload all
        for entry in fresh:
            shared.tickets += [i for i in entry.get("tickets") or [] if i not in shared.tickets]
            shared.incidents = shared.incidents or bool(entry.get("incidents"))
            shared.reference = shared.reference or bool(entry.get("reference"))
        self.seen = int(fresh[-1]["seq"])
        return shared
