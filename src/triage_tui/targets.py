"""What an outbox write acts on, as one typed value: built and parsed here only.

An outbox entry's `target` orders the writes (one target's writes go out in order) and
names the service they go to. On disk it stays the string it always was
(`zendesk:ticket:123`, `incidentio:incident:01ABC`, `zendesk:macros`,
`github:issue:owner/repo#12`); `str(target)` writes it and `Target.parse` reads it back.

No imports from the package: the store, sync, the workspace and the UI all use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Target(NamedTuple):
    source: str  # the service: zendesk, incidentio, github
    kind: str  # ticket, incident, macros, issue
    key: str = ""  # the id within the kind; empty for a collection (the macros)

    def __str__(self) -> str:
        return f"{self.source}:{self.kind}:{self.key}" if self.key else f"{self.source}:{self.kind}"

    @classmethod
    def parse(cls, text: str) -> Target:
        source, _, rest = text.partition(":")
        kind, _, key = rest.partition(":")
        if not source or not kind:
            raise ValueError(f"not an outbox target: {text!r}")
        return cls(source, kind, key)

    @classmethod
    def ticket(cls, ticket_id: int) -> Target:
        return cls("zendesk", "ticket", str(ticket_id))

    @classmethod
    def incident(cls, incident_id: str) -> Target:
        return cls("incidentio", "incident", incident_id)

    @classmethod
    def macros(cls) -> Target:
        return cls("zendesk", "macros")

    @classmethod
    def issue(cls, repo: str, number: int) -> Target:
        return cls("github", "issue", f"{repo}#{number}")

    @property
    def ticket_id(self) -> int | None:
        """The Zendesk ticket id of a ticket target; None for any other target."""
        if self.source == "zendesk" and self.kind == "ticket" and self.key.isdigit():
            return int(self.key)
        return None


def ticket_ids(targets: Iterable[str]) -> set[int]:
    """The ticket ids among outbox target strings (the queue's ↑ marks)."""
    found: set[int] = set()
    for text in targets:
        ticket_id = Target.parse(text).ticket_id
        if ticket_id is not None:
            found.add(ticket_id)
    return found
