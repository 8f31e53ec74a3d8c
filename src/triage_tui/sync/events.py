"""What the sync loop tells whoever runs it: one `SyncEvent` per step that changed something.

Apart from the engine, with no HTTP imports: the app carries these events to its panes
(`ui/sync_bridge.py`) and builds them before the sync thread has imported anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from triage_tui.sync.search_outcome import SearchOutcome

if TYPE_CHECKING:  # the GitHub reads pull in the clients, which the UI's start-up does without
    from triage_tui.sync.github_reads import GithubAnswer


@dataclass
class SyncEvent:
    """What one step of the loop changed (past tense: it already happened)."""

    lines: list[str] = field(default_factory=list)
    changed_tickets: list[int] = field(default_factory=list)
    incidents_changed: bool = False
    reference_changed: bool = False  # groups, macros, who I am
    outbox_changed: bool = False  # writes sent, in conflict or failed
    comments_for: int | None = None
    crashed: str | None = None  # the loop died with this error and restarts shortly
    searched: SearchOutcome | None = None  # a "find in Zendesk" the UI asked for
    toasts: list[str] = field(default_factory=list)  # for the user now: what a bulk job did
    copies: list[str] = field(default_factory=list)  # for the user's clipboard: a bug report's Slack alert
    github: GithubAnswer | None = None  # a GitHub read the UI asked for (duplicate search, comments)

    def __bool__(self) -> bool:
        return bool(
            self.lines
            or self.changed_tickets
            or self.incidents_changed
            or self.reference_changed
            or self.outbox_changed
            or self.comments_for is not None
            or self.crashed
            or self.searched is not None
            or self.github is not None
        )
