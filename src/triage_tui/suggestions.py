"""The hints beside a ticket (suggested macros, related tickets) and possible incidents,
kept current from the cache on a thread of their own.

Everything is computed on the `hints` thread: building the index (every unsolved ticket's
text, the macros, the macros engineers applied as their audits say), re-indexing the
tickets a sync changed (`submit`), and a ticket's hints when the detail asks (`shown`
answers at once from what was computed, and asks the thread for what was not).
`on_change` is called from that thread when something new can be shown. `for_ticket`
computes on the caller's thread, for a key the user pressed (`x`, `m`).

What it reads, all from the cache: the unsolved tickets (subject, first message and the
cached conversation), any ticket a sync or a search brought in, the tickets whose audits
were read (`index:macro_uses`, written by the poller when a conversation is fetched).
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from triage_tui.store.cache import Store
from triage_tui.triage.bursts import Burst
from triage_tui.triage.hints import Hints, ticket_text
from triage_tui.triage.incidents import INCIDENT_TAG_PREFIX
from triage_tui.triage.related import TicketInfo
from triage_tui.triage.suggest import MACRO_USES_KEY

CONVERSATION_COMMENTS = 6
REBUILD_ABOVE = 200  # changed tickets: more than this, and a fresh build is quicker
RESULTS_KEPT = 2000  # tickets' hints kept (a cursor going back and forth asks again)


@dataclass(frozen=True)
class TicketHints:
    macros: list[tuple[int, str]]  # (macro id, title), best first
    related: list[int]  # most related first


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def info_of(ticket: dict) -> TicketInfo:
    return TicketInfo(
        int(ticket["id"]),
        ticket.get("organization_id"),
        str(ticket.get("status") or "new"),
        _time(ticket.get("created_at")),
        _time(ticket.get("updated_at")),
        any(str(tag).startswith(INCIDENT_TAG_PREFIX) for tag in ticket.get("tags") or ()),
    )


class Suggestions:
    def __init__(self, store: Store, now: Callable[[], dt.datetime]) -> None:
        self.store = store
        self.now = now
        self._hints = Hints()
        self._lock = threading.Lock()  # the hints thread writes, the UI thread reads
        self._ready = threading.Event()
        self._queue: queue.Queue[tuple[str, list[int]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._on_change: Callable[[], None] = lambda: None
        self._macros_seen: object = None
        self.build_seconds: float | None = None
        self.indexed = 0
        self._bursts: list[Burst] = []
        self.error: str | None = None  # the last failure of the hints thread, if any
        self._generation = 0  # the index's version: a hint computed before is stale
        self._results: dict[int, tuple[int, TicketHints]] = {}

    # -- the hints thread -------------------------------------------------------------
    def start(self, on_change: Callable[[], None] = lambda: None) -> None:
        """Build the index on the hints thread, then follow `submit`."""
        if self._thread is not None:
            return
        self._on_change = on_change
        self._thread = threading.Thread(target=self._run, name="hints", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(("stop", []))

    def submit(self, ticket_ids: Iterable[int] = (), *, rebuild: bool = False) -> None:
        """These tickets changed (or everything did: a reference refresh): re-read them on
        the hints thread (the macros are read again each time too)."""
        ids = list(ticket_ids)
        if rebuild:
            self._queue.put(("build", []))
        if ids:
            self._queue.put(("tickets", ids))

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def _run(self) -> None:
        try:
            self.build()
            self._find_bursts()
        except Exception as exc:  # noqa: BLE001 - a bad record must not end the hints for the session
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._ready.set()
        self._on_change()
        while True:
            batch: set[int] = set()
            kinds: set[str] = set()
            asked: int | None = None
            kind, value = self._queue.get()
            while True:  # what piled up meanwhile, in one go
                if kind == "stop":
                    return
                if kind == "query":
                    asked = value[0]  # only the latest: the cursor has moved on from the rest
                else:
                    kinds.add(kind)
                    batch.update(value)
                if self._queue.empty():
                    break
                kind, value = self._queue.get()
            try:
                self._work(asked, kinds, batch)
            except Exception as exc:  # noqa: BLE001 - as above: the next change is tried again
                self.error = f"{type(exc).__name__}: {exc}"

    def _work(self, asked: int | None, kinds: set[str], batch: set[int]) -> None:
        if asked is not None:  # the user is waiting for this one: first
            self.for_ticket(asked)
            self._on_change()
        if not kinds:
            return
        if "build" in kinds or len(batch) > REBUILD_ABOVE:
            self.build()
        else:
            # Every time, not only when told: the first sync stores the macros without a
            # "reference changed" of its own, and the read is one small list.
            self._read_macros()
            self.update(batch)
        self._find_bursts()
        self._on_change()

    def build(self) -> None:
        """Everything from the cache, into a new index swapped in at the end."""
        started = time.perf_counter()
        hints = Hints()
        uses = self._uses()
        wanted = [int(key) for key in self.store.unsolved_rows()] + [int(key) for key in uses]
        for ticket_id in dict.fromkeys(wanted):
            self._put(hints, ticket_id)
        for key, macro_ids in uses.items():
            hints.set_uses(int(key), macro_ids)
        macros = self.store.list("macros")
        hints.set_macros(macros)
        with self._lock:
            self._hints = hints
            self._macros_seen = macros
            self.indexed = len(hints)
            self._generation += 1
        self.build_seconds = time.perf_counter() - started

    def update(self, ticket_ids: Iterable[int]) -> None:
        """Re-read these tickets (their text, status, applied macros) into the index."""
        uses = self._uses()
        for ticket_id in ticket_ids:
            with self._lock:
                self._put(self._hints, ticket_id)
                self._hints.set_uses(ticket_id, uses.get(str(ticket_id), ()))
        with self._lock:
            self.indexed = len(self._hints)
            self._generation += 1

    def _read_macros(self) -> None:
        macros = self.store.list("macros")
        if macros != self._macros_seen:
            with self._lock:
                self._hints.set_macros(macros)
                self._macros_seen = macros
                self._generation += 1

    def _uses(self) -> dict[str, list[int]]:
        value = self.store.get(MACRO_USES_KEY)
        return value if isinstance(value, dict) else {}

    def _put(self, hints: Hints, ticket_id: int) -> None:
        ticket = self.store.ticket(ticket_id)
        if ticket is None or ticket.get("status") == "deleted":
            hints.drop(ticket_id)
            return
        cached = self.store.comments(ticket_id) or {}
        comments = [
            str(c.get("plain_body") or c.get("body") or "") for c in (cached.get("items") or [])[:CONVERSATION_COMMENTS]
        ]
        # The first comment repeats the description: the conversation's rest is what is new.
        text = ticket_text(ticket.get("subject") or ticket.get("raw_subject"), ticket.get("description"), comments[1:])
        hints.put(info_of(ticket), text)

    # -- asking -------------------------------------------------------------------------
    def shown(self, ticket_id: int) -> TicketHints | None:
        """What the detail shows, at once: the hints computed for this ticket (the last
        ones while newer are computed), or None while none are (the thread is asked)."""
        if not self._ready.is_set():
            return None
        held = self._results.get(ticket_id)
        if held is None or held[0] != self._generation:
            self._queue.put(("query", [ticket_id]))
        return held[1] if held is not None else None

    def for_ticket(self, ticket_id: int) -> TicketHints | None:
        """A ticket's hints, computed now if they are not current (None until the index is
        built)."""
        if not self._ready.is_set():
            return None
        with self._lock:
            held = self._results.get(ticket_id)
            if held is not None and held[0] == self._generation:
                return held[1]
            hints = self._hints
            if ticket_id not in hints.index:
                found = TicketHints([], [])
            else:
                macros = [(s.macro_id, s.title) for s in hints.suggested_macros(ticket_id)]
                found = TicketHints(macros, hints.related(ticket_id, self.now()))
            if len(self._results) > RESULTS_KEPT:
                self._results.clear()
            self._results[ticket_id] = (self._generation, found)
        return found

    def bursts(self) -> list[Burst]:
        """Possible incidents as of the last change (found on the hints thread: a scan of
        every indexed ticket is too slow for the UI's thread at 100k)."""
        return list(self._bursts)

    def _find_bursts(self) -> None:
        with self._lock:
            found = self._hints.bursts(self.now())
        self._bursts = found
