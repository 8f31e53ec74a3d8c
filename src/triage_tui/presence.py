"""Colleagues on a ticket ("Alex is replying"), as a copy fed by a relay last heard them.

The relay feed writes what colleagues' copies announce into the cache; this reads it for
the queue row, the detail, `n` and the composer. An entry older than its age is ignored
even before the feed sweeps it away: a colleague's copy that died says nothing more.
Names come from other copies: untrusted text, shown plain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from triage_tui.relay.names import PRESENCE_SECONDS, PRESENCE_STORE_KEY

WORDS = {"viewing": "viewing", "replying": "replying", "noting": "writing a note"}
WRITING = frozenset({"replying", "noting"})


@dataclass(frozen=True)
class Colleague:
    name: str
    doing: str

    @property
    def writing(self) -> bool:
        return self.doing in WRITING

    def __str__(self) -> str:
        return f"{self.name} is {WORDS.get(self.doing, self.doing)}"


def colleagues(store: Any, ticket_id: int, now: dt.datetime | None = None) -> list[Colleague]:
    """Who else is on the ticket now, writers first."""
    board = store.get(PRESENCE_STORE_KEY)
    if not board:
        return []
    entries = board.get(str(ticket_id)) or {}
    moment = now or dt.datetime.now(dt.UTC)
    oldest = (moment - dt.timedelta(seconds=PRESENCE_SECONDS)).isoformat(timespec="seconds")
    found = {
        # Only the activities this version knows: what another copy writes is shown, never
        # free text in a sentence of ours (a name is cut to 40 and shown plain by the UI).
        Colleague(str(entry.get("name") or "A colleague")[:40], _known(entry.get("doing")))
        for entry in entries.values()
        if str(entry.get("at", "")) >= oldest
    }
    return sorted(found, key=lambda c: (not c.writing, c.name))


def _known(doing: object) -> str:
    return doing if isinstance(doing, str) and doing in WORDS else "viewing"


def writer(store: Any, ticket_id: int) -> Colleague | None:
    """The colleague writing a reply or a note on the ticket, if any."""
    return next((c for c in colleagues(store, ticket_id) if c.writing), None)


def written_on(store: Any) -> set[int]:
    """Every ticket a colleague is writing on now (one read, for `n` over the whole queue)."""
    board = store.get(PRESENCE_STORE_KEY)
    return {int(key) for key in board or {} if writer(store, int(key)) is not None}


def line(found: list[Colleague]) -> str:
    return ", ".join(str(c) for c in found)
