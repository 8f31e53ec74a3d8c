"""Which macros fit a ticket, learned from the account itself.

Two kinds of evidence, added up per macro:
- its words: the ticket's features against the macro's title and reply text;
- what engineers did before: the macros applied to the tickets most like this one (read
  from their audits), each vote weighed by how alike the tickets are.

An account holds hundreds of macros, many near-copies ("Copy of …", a team's own
variant): macros whose texts are nearly the same are one family, and a family shows
once, under its most used member, so copies never crowd the three places.

Pure: the workspace feeds it macros, audits and the similar tickets; no IO here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from triage_tui.triage.textindex import Features, TextIndex, features

SHOWN = 3
# Where the cache keeps what the audits said: {ticket id: [macro ids applied]}. The poller
# writes it when it reads a ticket's audits; the hints read it.
MACRO_USES_KEY = "index:macro_uses"
NEAR_COPY = 0.8  # macros this alike (cosine of their features) are one family
HISTORY_WEIGHT = 1.5  # a full vote of similar tickets against a perfect text match
NEIGHBOURS = 12
NEIGHBOUR_MINIMUM = 0.12
MINIMUM = 0.1  # below this nothing "fits": `Suggested macros: none`

_PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}|<[A-Z ]+>")
_COPY_MARKS = re.compile(
    r"^(copy of|old|v\d+|draft)\s*[:\-]?\s*|\s*[\(\[]?(copy|old|v\d+|draft)[\)\]]?$", re.IGNORECASE
)


@dataclass(frozen=True)
class Suggestion:
    macro_id: int
    title: str
    score: float


def macro_text(macro: Mapping[str, Any]) -> str:
    """What a macro says: its title (twice: titles are short and chosen with care) and its
    comment, without placeholders."""
    title = str(macro.get("title") or "")
    comment = " ".join(
        str(action.get("value") or "")
        for action in macro.get("actions") or []
        if action.get("field") in ("comment_value", "comment_value_html")
    )
    description = str(macro.get("description") or "")
    return "\n".join([title, title, description, _PLACEHOLDER.sub(" ", comment)])


def applied_macros(audits: Iterable[Mapping[str, Any]]) -> list[int]:
    """The macros applied to a ticket, oldest first, from its audits.

    Zendesk records an applied macro in the audit as an event naming it
    (`{"type": "AgentMacroReference", "macro_id": ...}`) and on the changes it made, whose
    `via` is `{"channel": "rule", "source": {"from": {"id": <macro id>, "title": ...},
    "rel": "macro"}}`; a trigger's changes have `"rel": "trigger"` and are not macros.
    """
    found: list[int] = []

    def note(value: Any) -> None:
        try:
            macro_id = int(value)
        except (TypeError, ValueError):
            return
        if macro_id not in found:
            found.append(macro_id)

    for audit in audits:
        for via in [audit.get("via")] + [event.get("via") for event in audit.get("events") or []]:
            if isinstance(via, Mapping) and via.get("channel") == "rule":
                source = via.get("source") or {}
                if isinstance(source, Mapping) and source.get("rel") == "macro":
                    note((source.get("from") or {}).get("id"))
        for event in audit.get("events") or []:
            if event.get("type") == "AgentMacroReference":
                note(event.get("macro_id"))
    return found


class MacroSuggester:
    def __init__(self) -> None:
        self.index = TextIndex()
        self.titles: dict[int, str] = {}
        self.family: dict[int, int] = {}  # macro -> its family's first member
        self.uses: dict[int, tuple[int, ...]] = {}  # ticket -> macros applied to it
        self.use_counts: Counter[int] = Counter()

    # -- what it learns from -------------------------------------------------------------
    def set_macros(self, macros: Iterable[Mapping[str, Any]]) -> None:
        """The account's macros (the API's objects); inactive ones are never suggested."""
        self.index = TextIndex()
        self.titles = {}
        order: list[int] = []
        for macro in macros:
            if macro.get("active") is False or macro.get("id") is None:
                continue
            macro_id = int(macro["id"])
            self.titles[macro_id] = str(macro.get("title") or f"macro {macro_id}")
            self.index.add(macro_id, features(macro_text(macro)))
            order.append(macro_id)
        self._group(order)

    def _group(self, order: Sequence[int]) -> None:
        parent = {m: m for m in order}

        def root(m: int) -> int:
            while parent[m] != m:
                parent[m] = parent[parent[m]]
                m = parent[m]
            return m

        by_title: dict[str, int] = {}
        for macro_id in order:
            key = _COPY_MARKS.sub("", self.titles[macro_id].strip().lower()).strip()
            if key in by_title:
                parent[root(macro_id)] = root(by_title[key])
            else:
                by_title[key] = macro_id
            for other, _ in self.index.similar(doc_id=macro_id, limit=20, minimum=NEAR_COPY):
                a, b = root(macro_id), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        self.family = {m: root(m) for m in order}

    def set_uses(self, ticket_id: int, macro_ids: Iterable[int]) -> None:
        """The macros engineers applied to a ticket (from its audits)."""
        for old in self.uses.pop(ticket_id, ()):
            self.use_counts[old] -= 1
        chosen = tuple(dict.fromkeys(macro_ids))
        if chosen:
            self.uses[ticket_id] = chosen
            self.use_counts.update(chosen)

    # -- what it says --------------------------------------------------------------------
    def suggest(
        self,
        ticket: Features,
        neighbours: Sequence[tuple[int, float]] = (),
        limit: int = SHOWN,
        ticket_idf: Callable[[str], float] | None = None,
    ) -> list[Suggestion]:
        """The macros that fit a ticket's features, best first, one per family.

        `neighbours`: the tickets most like this one, with their similarity (the caller's
        ticket index answers that); those with known macros vote. `ticket_idf`: how rare a
        feature is among tickets (the ticket index's), to weigh the ticket's words."""
        scores: dict[int, float] = {}
        # Two features in common at least ("set" alone is not a topic), unless the ticket
        # says only one thing ("refund please").
        shared = min(2, len(ticket))
        for macro_id, similarity in self.index.similar(
            ticket, limit=50, known_only=True, query_idf=ticket_idf, shared=shared
        ):
            scores[macro_id] = similarity
        votes: dict[int, float] = {}
        weight = 0.0
        for ticket_id, similarity in neighbours[:NEIGHBOURS]:
            applied = self.uses.get(ticket_id)
            if not applied or similarity < NEIGHBOUR_MINIMUM:
                continue
            weight += similarity
            for macro_id in applied:
                if macro_id in self.titles:
                    votes[macro_id] = votes.get(macro_id, 0.0) + similarity
        if weight:
            for macro_id, vote in votes.items():
                scores[macro_id] = scores.get(macro_id, 0.0) + HISTORY_WEIGHT * vote / max(weight, 1.0)
        best: dict[int, tuple[float, int]] = {}
        for macro_id, score in scores.items():
            family = self.family.get(macro_id, macro_id)
            held = best.get(family)
            if held is None or score > held[0]:
                best[family] = (score, macro_id)
        chosen = sorted(
            ((score, family) for family, (score, _) in best.items() if score >= MINIMUM),
            key=lambda pair: (-pair[0], pair[1]),
        )[:limit]
        return [Suggestion(self._face(family), self.titles[self._face(family)], score) for score, family in chosen]

    def _face(self, family: int) -> int:
        """The member a family shows as: the most applied, else the first."""
        members = [m for m, f in self.family.items() if f == family] or [family]
        return max(members, key=lambda m: (self.use_counts.get(m, 0), -m))

    def order(self, macro_ids: Sequence[int], suggested: Sequence[Suggestion]) -> list[int]:
        """The macro picker's order: the suggested first (best first), then the rest as given."""
        first = [s.macro_id for s in suggested if s.macro_id in macro_ids]
        return first + [m for m in macro_ids if m not in first]
