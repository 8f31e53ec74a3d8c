"""A "find in Zendesk" answered, as the sync loop hands it to the screen. A module of its
own, with no imports: the screen's first paint imports it, and none of the HTTP clients."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SearchOutcome:
    """What a "find in Zendesk" found: ticket ids in Zendesk's order (most recently updated
    first), how many matched in all, and what the query meant."""

    text: str
    number: int = 0  # the `Found.number` it answers
    meaning: str = ""
    ids: list[int] = field(default_factory=list)
    count: int = 0
    error: str | None = None
    changed: list[int] = field(default_factory=list)  # stored anew: the queue repaints these
