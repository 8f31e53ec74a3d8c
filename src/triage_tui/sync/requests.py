"""How another thread (the UI) asks the sync loop for something: fetch a ticket's
comments, search Zendesk, refresh now, send now.

Kept apart from the engine, with no HTTP imports, so the app can make one before its
first paint and hand it to the engine when the sync thread starts.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any


class Requests:
    """What another thread (the UI) asks of the loop: fetch comments, search, refresh, send now.

    Thread-safe; asks made before the loop runs are kept and handled when it starts.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[tuple[str, Any]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[tuple[str, Any]] | None = None

    def ask(self, kind: str, value: Any = None) -> None:
        with self._lock:
            if self._loop is None or self._queue is None:
                self._pending.append((kind, value))
                return
            loop, queue = self._loop, self._queue
        try:
            loop.call_soon_threadsafe(self._deliver, queue, (kind, value))
        except RuntimeError:  # the loop closed in between: the next one picks it up
            with self._lock:
                self._pending.append((kind, value))

    def _deliver(self, queue: asyncio.Queue[tuple[str, Any]], item: tuple[str, Any]) -> None:
        """On the loop's thread: into the queue if it is still the live one, else kept."""
        with self._lock:
            if queue is self._queue:
                queue.put_nowait(item)
            else:
                self._pending.append(item)

    def attach(self) -> asyncio.Queue[tuple[str, Any]]:
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
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
