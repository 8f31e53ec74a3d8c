"""What an outbox write does and acts on, as typed values: built and parsed here only.

An outbox entry's `kind` says what the write does (`WriteKind`); on disk it is the enum's
string value, as it always was, so an entry queued by an earlier version still reads.

An outbox entry's `target` orders the writes (one target's writes go out in order) and
names the service they go to. On disk it stays the string it always was
(`zendesk:ticket:123`, `incidentio:incident:01ABC`, `zendesk:macros`,
`github:issue:owner/repo#12`, and for what does not exist yet
`zendesk:ticket:new-<mark>`, `incidentio:incident:new-<key>`, `github:issues:owner/repo`);
`str(target)` writes it and `Target.parse` reads it back.

No imports from the package: the store, sync, the workspace and the UI all use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple


class WriteKind(StrEnum):
    """Every kind of write the outbox holds; the value is what the entry stores on disk."""

    TICKET_UPDATE = "ticket_update"  # comment and fields, under safe_update
    TICKET_TAGS = "ticket_tags"  # add or remove tags through the ticket's tags endpoints
    TICKET_BULK = "ticket_bulk"  # one ticket's share of an update_many job
    TICKET_CREATE = "ticket_create"  # a follow-up of a closed ticket
    USER_UPDATE = "user_update"  # a requester moved to their real organization
    MACRO_CREATE = "macro_create"
    MACRO_UPDATE = "macro_update"
    MACRO_DELETE = "macro_delete"
    INCIDENT_CREATE = "incident_create"
    INCIDENT_ATTACH = "incident_attach"  # a ticket attached to an incident in incident.io
    INCIDENT_ROLE = "incident_role"  # someone given an incident role (the Support Watcher)
    GITHUB_LABELS = "github_labels"
    GITHUB_ISSUE_CREATE = "github_issue_create"  # a bug report's new issue
    GITHUB_COMMENT = "github_comment"  # a comment, or a bug report's +1
    GITHUB_ASSIGN = "github_assign"  # the token's own user assigned to an issue


class Target(NamedTuple):
    source: str  # the service: zendesk, incidentio, github
    kind: str  # ticket, incident, macros, issue, issues (a repository's), user
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
    def new_ticket(cls, mark: str) -> Target:
        """A ticket this write creates: its own mark, since no id exists before it is sent."""
        return cls("zendesk", "ticket", f"new-{mark}")

    @classmethod
    def user(cls, user_id: int) -> Target:
        return cls("zendesk", "user", str(user_id))

    @classmethod
    def incident(cls, incident_id: str) -> Target:
        return cls("incidentio", "incident", incident_id)

    @classmethod
    def new_incident(cls, key: str) -> Target:
        """An incident this write raises, named by its idempotency key."""
        return cls("incidentio", "incident", f"new-{key}")

    @classmethod
    def macros(cls) -> Target:
        return cls("zendesk", "macros")

    @classmethod
    def issue(cls, repo: str, number: int) -> Target:
        return cls("github", "issue", f"{repo}#{number}")

    @classmethod
    def issues(cls, repo: str) -> Target:
        """A repository's issues: where a new issue is opened."""
        return cls("github", "issues", repo)

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
