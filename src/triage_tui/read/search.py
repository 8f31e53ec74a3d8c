"""The last "find in Zendesk": what was typed, whether Zendesk has answered, and the
tickets it found (solved and closed ones too), in Zendesk's order.

Shown as the queue's "search" view, so every ticket key acts on a found ticket as on any
other. No UI framework here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from triage_tui.config import SEARCH_VIEW
from triage_tui.read.entries import Entry, Row, fuzzy_match
from triage_tui.sync.search_outcome import SearchOutcome
from triage_tui.triage.ranking import RankRules, rank

__all__ = ["NOT_QUEUED_TIER", "SEARCH_VIEW", "Found", "Searches"]

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


class Searches:
    """The session's "find in Zendesk": the last search (`found`) and the entries of the
    tickets it found, whatever their status."""

    def __init__(self, entry_of: Callable[[int], Entry | None]) -> None:
        self.found: Found | None = None
        self.entries: dict[int, Entry] = {}
        self._count = 0
        self._entry_of = entry_of  # the queue's own entry where it holds the ticket, else read

    def begin(self, text: str) -> Found:
        self._count += 1
        self.found = Found(text, self._count)
        self.entries = {}
        return self.found

    def finish(self, outcome: SearchOutcome) -> bool:
        """Zendesk answered: False when it answers a search since replaced by another (the
        same words asked again count as another: the first may have failed)."""
        found = self.found
        if found is None or found.number != outcome.number or not found.searching:
            return False
        found.searching = False
        found.meaning, found.ids, found.count, found.error = outcome.meaning, outcome.ids, outcome.count, outcome.error
        self.read()
        return True

    def interrupt(self, reason: str) -> bool:
        """The sync loop restarted while a search was out: its answer will not come."""
        found = self.found
        if found is None or not found.searching:
            return False
        found.searching, found.error = False, reason
        return True

    def end(self) -> None:
        self.found = None
        self.entries = {}

    def read(self, changed: Iterable[int] | None = None) -> None:
        """Entries for the found tickets (those of `changed` only, when given)."""
        if self.found is None:
            return
        wanted = set(self.found.ids) if changed is None else set(self.found.ids) & set(changed)
        for ticket_id in wanted:
            entry = self._entry_of(ticket_id)
            if entry is None:
                self.entries.pop(ticket_id, None)  # deleted since
            else:
                self.entries[ticket_id] = entry

    def rows(self, text: str, now: dt.datetime, rules: RankRules) -> list[Row]:
        assert self.found is not None
        chosen = [self.entries[i] for i in self.found.ids if i in self.entries]
        chosen = [e for e in chosen if not text or fuzzy_match(text, e.haystack)]
        tiers = {r.facts.id: r.tier for r in rank((e.facts for e in chosen), now, rules)}
        # Zendesk's order (most recently updated first), not the handbook's: this is a
        # lookup, and solved tickets have no tier.
        return [Row(e, tiers.get(e.id, NOT_QUEUED_TIER), None, None) for e in chosen]
