"""What the screens and panes work with: the read path, the write path, the clock and the
sync bridge's requests. The App builds one and hands it down; nothing reaches for
`self.app.<attribute>` to find these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from triage_tui.config import Config
from triage_tui.read.local_writes import LocalWrites
from triage_tui.read.reads import Reads
from triage_tui.read.workspace import Workspace
from triage_tui.store.outbox import Outbox
from triage_tui.sync.requests import GithubRead
from triage_tui.sync.writes import Writes


@dataclass
class Context:
    config: Config
    workspace: Workspace  # the queue, the detail, incidents and issues, read from the cache
    writes: Writes  # every write: an outbox entry first
    outbox: Outbox  # conflicts and failures are resolved on it
    now: Callable[[], dt.datetime]
    kick: Callable[[], None]  # a write is waiting: wake the sync worker now
    fetch_comments: Callable[[int], None]  # ask the sync worker for a ticket's conversation
    search: Callable[[int, str], None]  # ask the sync worker to find tickets in Zendesk (search number, words)
    offline: bool
    # Why sync is not running, when it is not (crashed and restarting, or never started).
    sync_problem: Callable[[], str | None] = lambda: None
    # Ask the sync worker for a GitHub read (a duplicate search, an issue's comments).
    read_github: Callable[[GithubRead], None] = lambda read: None
    # What this engineer is doing on a ticket ("viewing", "replying", "noting"), for
    # colleagues' screens through a team's relay; nothing happens without one.
    presence: Callable[[int | None, str], None] = lambda ticket_id, doing: None

    @property
    def reads(self) -> Reads:
        return self.workspace.reads

    @property
    def local(self) -> LocalWrites:
        """Drafts, impact facts and fired alerts: what this copy keeps for itself."""
        return self.workspace.local
