"""The three hints together, kept current ticket by ticket: suggested macros, related
tickets, possible incidents. One text index serves all three.

Pure (no IO, no clock of its own): the workspace's `suggestions` module feeds it from
the cache and asks it per cursor move; the tests and the labelled evaluation drive it
directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from triage_tui.triage.bursts import Burst, find_bursts
from triage_tui.triage.related import OrgIndex, TicketInfo, related
from triage_tui.triage.suggest import MacroSuggester, Suggestion
from triage_tui.triage.textindex import TextIndex, features, text_of

CONVERSATION_CHARS = 4000  # enough of a conversation for its errors and links


def ticket_text(subject: str | None, description: str | None, comments: Iterable[str] = ()) -> str:
    """What a ticket says, for the index: subject, first message and the start of the
    conversation (a subject counted twice made short generic subjects match: measured)."""
    body = text_of([description, *comments])[:CONVERSATION_CHARS]
    return text_of([subject, body])


class Hints:
    def __init__(self) -> None:
        self.index = TextIndex()
        self.infos: dict[int, TicketInfo] = {}
        self.orgs = OrgIndex()
        self.macros = MacroSuggester()

    def __len__(self) -> int:
        return len(self.infos)

    def put(self, info: TicketInfo, text: str) -> None:
        """Index (or re-index) one ticket."""
        self.infos[info.id] = info
        self.orgs.put(info)
        self.index.add(info.id, features(text))

    def drop(self, ticket_id: int) -> None:
        self.infos.pop(ticket_id, None)
        self.orgs.drop(ticket_id)
        self.index.remove(ticket_id)

    def set_macros(self, macros: Iterable[Mapping[str, Any]]) -> None:
        self.macros.set_macros(macros)

    def set_uses(self, ticket_id: int, macro_ids: Iterable[int]) -> None:
        self.macros.set_uses(ticket_id, macro_ids)

    def suggested_macros(self, ticket_id: int) -> list[Suggestion]:
        counts = self.index.features_of(ticket_id)
        if counts is None:
            return []
        query = self._counts(counts)
        neighbours = self.index.similar(doc_id=ticket_id, limit=12, accept=self.macros.uses.__contains__)
        return self.macros.suggest(query, neighbours, ticket_idf=self.index.idf)

    @staticmethod
    def _counts(weighted: Mapping[str, float]) -> dict[str, float]:
        # features_of gives weighted log-counts; a query wants counts: any positive value
        # keeps the feature, and the index applies the weights again.
        return {feature: 1.0 for feature in weighted}

    def related(self, ticket_id: int, now: dt.datetime) -> list[int]:
        info = self.infos.get(ticket_id)
        same_org = self.orgs.open_of(info.organization_id) if info else set()
        return related(ticket_id, self.index, self.infos, now, same_org)

    def bursts(self, now: dt.datetime, candidates: Iterable[int] | None = None) -> list[Burst]:
        chosen = self.infos if candidates is None else candidates
        return find_bursts(chosen, self.index, self.infos, now)
