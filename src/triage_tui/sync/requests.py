"""How another thread (the UI) asks the sync loop for something: send now, refresh now,
fetch a ticket's comments, search Zendesk, read GitHub, say what this engineer is doing.

Each ask is a small frozen dataclass; `Request` is their union, which the engine matches
on. Kept apart from the engine, with no HTTP imports, so the app can make the mailbox
(`Requests`) before its first paint and hand it to the engine when the sync thread starts.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, fields
from typing import Any, ClassVar


@dataclass(frozen=True)
class SendNow:
    """A write was just queued: send the outbox now, not at the idle pace."""


@dataclass(frozen=True)
class Refresh:
    """The user asked for what changed, now."""


@dataclass(frozen=True)
class FetchComments:
    """A ticket's conversation, for the detail pane."""

    ticket_id: int


@dataclass(frozen=True)
class SearchZendesk:
    """Find tickets in Zendesk: the words, and the search's number (a newer one wins)."""

    number: int
    text: str


@dataclass(frozen=True)
class GithubRead:
    """A GitHub read someone waits on; its answer (sync/github_reads.py) carries `kind`
    and `asked` (the fields, in order), for the screen to match it to what it asked."""

    kind: ClassVar[str]
    repo: str

    @property
    def asked(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))


@dataclass(frozen=True)
class SearchGithub(GithubRead):
    """Open issues of `repo` matching `words` (a bug report's duplicate search)."""

    kind: ClassVar[str] = "github_search"
    words: str


@dataclass(frozen=True)
class ReadIssueComments(GithubRead):
    """A GitHub issue's comments."""

    kind: ClassVar[str] = "issue_comments"
    number: int


@dataclass(frozen=True)
class Presence:
    """What this engineer does on a ticket ("viewing", "replying", "noting"; None and ""
    when on none), for colleagues through a team's relay."""

    ticket_id: int | None
    doing: str


Request = SendNow | Refresh | FetchComments | SearchZendesk | GithubRead | Presence


class Requests:
    """What another thread (the UI) asks of the loop: fetch comments, search, refresh, send now.

    Thread-safe; asks made before the loop runs are kept and handled when it starts.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Request] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[Request] | None = None

    def ask(self, request: Request) -> None:
        with self._lock:
            if self._loop is None or self._queue is None:
                self._pending.append(request)
                return
            loop, queue = self._loop, self._queue
        try:
            loop.call_soon_threadsafe(self._deliver, queue, request)
        except RuntimeError:  # the loop closed in between: the next one picks it up
            with self._lock:
                self._pending.append(request)

    def _deliver(self, queue: asyncio.Queue[Request], item: Request) -> None:
        """On the loop's thread: into the queue if it is still the live one, else kept."""
        with self._lock:
            if queue is self._queue:
                queue.put_nowait(item)
            else:
                self._pending.append(item)

    def attach(self) -> asyncio.Queue[Request]:
        queue: asyncio.Queue[Request] = asyncio.Queue()
        with self._lock:
            self._loop, self._queue = asyncio.get_running_loop(), queue
            for item in self._pending:
                queue.put_nowait(item)
            self._pending.clear()
        return queue

    def detach(self) -> None:
        """The loop stops (or restarts): what it had not handled yet waits for the next one."""
        with self._lock:
            queue = self._queue
            self._loop = self._queue = None
            while queue is not None and not queue.empty():
                self._pending.append(queue.get_nowait())
