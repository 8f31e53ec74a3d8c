"""The last "find in Zendesk": what was typed, whether Zendesk has answered, and the
tickets it found (solved and closed ones too), in Zendesk's order.

Shown as the queue's "search" view, so every ticket key acts on a found ticket as on any
other. No UI framework here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triage_tui.config import SEARCH_VIEW

__all__ = ["NOT_QUEUED_TIER", "SEARCH_VIEW", "Found"]

NOT_QUEUED_TIER = 8  # solved or closed: below every tier of the handbook, never "next"


@dataclass
class Found:
    text: str
    number: int = 0  # which search of this session: an answer to an older one is not this one's
    searching: bool = True
    meaning: str = ""  # what was asked: "ticket #123", `requester:jane@acme.com`
    ids: list[int] = field(default_factory=list)
    count: int = 0  # everything the query matched; `ids` is the first page of it
    error: str | None = None
    label: str | None = None  # the view's name when the tickets were not asked of Zendesk

    @property
    def view_label(self) -> str:
        if self.label is not None:
            return self.label
        typed = " ".join(self.text.split())
        # The status line is 80 columns with the sources' states after it.
        return f"Zendesk: {typed if len(typed) <= 28 else typed[:27] + '…'}"

    def summary(self) -> str:
        """For the status line, after the count of rows: where the search is, or what is
        missing from what it shows ("" when it shows everything it found)."""
        if self.searching:
            return "searching Zendesk…"
        if self.error:
            return f"search failed: {self.error}"
        if not self.ids:
            return f"nothing found for {self.meaning}" if self.meaning else "nothing found"
        if self.count > len(self.ids):
            return f"newest of {self.count:,}: narrow the search"
        return ""
