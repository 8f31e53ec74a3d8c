"""What to ask Zendesk for what a support engineer typed in "find": a ticket id, an email,
an organization's name, Zendesk's own search syntax, or plain words.

Pure: the sync loop runs the plan; this only decides it. A ticket id is fetched directly
rather than searched, because search indexes minutes late and the id is exact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_TICKET_ID = re.compile(r"^#?(\d{1,12})$")
_EMAIL = re.compile(r"^[^\s@:\"]+@[^\s@:\"]+\.[^\s@:\"]+$")
_QUOTED = re.compile(r'"[^"]*"')
# A term of Zendesk's syntax (`status:solved`, `created>2026-11-01`, `-tags:vip`): typed by
# someone who knows it, so the query goes as written.
_PROPERTY = re.compile(r"(?:^|\s)-?[a-z_]+(?::|<|>)\S")
RESULT_LIMIT = 100  # search answers at most 100 a page; one page is what a person reads


@dataclass(frozen=True)
class SearchPlan:
    """Either one ticket by id, or a search query (without `type:ticket`, which the client
    adds), with the words a person reads for what was asked."""

    text: str
    ticket_id: int | None = None
    query: str | None = None

    @property
    def meaning(self) -> str:
        if self.ticket_id is not None:
            return f"ticket #{self.ticket_id}"
        return self.query or ""


def plan_search(text: str, org_names: Iterable[str] = ()) -> SearchPlan | None:
    """None when there is nothing to search for."""
    typed = " ".join(text.split())
    if not typed:
        return None
    found = _TICKET_ID.match(typed)
    if found:
        return SearchPlan(typed, ticket_id=int(found.group(1)))
    if _EMAIL.match(typed):
        return SearchPlan(typed, query=f"requester:{typed}")
    bare = _QUOTED.sub("", typed)
    if _PROPERTY.search(bare):
        return SearchPlan(typed, query=typed)
    wanted = typed.strip('"').casefold()
    for name in org_names:
        if name and name.casefold() == wanted:
            # Its tickets, not every ticket that happens to mention it.
            return SearchPlan(typed, query=f'organization:"{name}"')
    return SearchPlan(typed, query=typed)
