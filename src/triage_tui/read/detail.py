"""One ticket as the detail pane shows it: the whole cached record, its people and
conversation, the handbook's flags, its SLA countdown, what is still to be sent, the hints,
and who else is on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from triage_tui import presence
from triage_tui.config import Config
from triage_tui.presence import Colleague
from triage_tui.read.entries import Entry
from triage_tui.read.people import People
from triage_tui.read.reads import Reads
from triage_tui.suggestions import Suggestions, TicketHints
from triage_tui.targets import Target
from triage_tui.triage.flags import Flag, ticket_flags
from triage_tui.triage.sla import BusinessCalendar, stage_for

if TYPE_CHECKING:
    from triage_tui.models.zendesk import Comment, Organization, Ticket, User


@dataclass
class Detail:
    ticket: Ticket
    entry: Entry | None
    requester: User | None
    organization: Organization | None
    comments: list[Comment] | None
    authors: dict[int, str]
    flags: list[Flag]
    seconds_to_breach: float | None
    stage: str | None
    pending_writes: list[dict] = field(default_factory=list)
    hints: TicketHints | None = None  # suggested macros, related tickets (None: being computed)
    colleagues: list[Colleague] = field(default_factory=list)  # on it now, through a team's relay


class TicketDetails:
    def __init__(
        self,
        reads: Reads,
        people: People,
        suggestions: Suggestions,
        config: Config,
        calendar: BusinessCalendar,
        now: Callable[[], dt.datetime],
    ) -> None:
        self.reads = reads
        self.store = reads.store
        self.people = people
        self.suggestions = suggestions
        self.config = config
        self.calendar = calendar
        self.now = now

    def read(self, ticket_id: int, entry: Entry | None) -> Detail | None:
        """The ticket's detail, or None when it is not cached (deleted since)."""
        raw = self.store.ticket(ticket_id)
        if raw is None:
            return None
        from triage_tui.models import zendesk  # on first use: the first paint needs no model

        ticket = zendesk.Ticket.model_validate(raw)
        requester = self.people.user(ticket.requester_id)
        org = self.people.org(ticket.organization_id)
        cached = self.store.comments(ticket_id)
        comments = [zendesk.Comment.model_validate(c) for c in cached["items"]] if cached else None
        authors: dict[int, str] = {}
        for comment in comments or []:
            if comment.author_id is not None and comment.author_id not in authors:
                user = self.people.user(comment.author_id)
                authors[comment.author_id] = user.display_name if user else f"user {comment.author_id}"
        seconds = entry.clock.seconds_to_breach(self.now(), self.calendar) if entry else None
        stage = stage_for(seconds, self.config.sla.alert_hours)
        text = " ".join([ticket.title, ticket.description or ""] + [c.text for c in comments or []][:3])
        flags = ticket_flags(
            tags=ticket.tags,
            text=text,
            org_name=org.name if org else None,
            org_tags=org.tags if org else (),
            requester_email=requester.email if requester else None,
            cs_tag=self.config.zendesk.cs_tag,
            sla_stage=stage,
        )
        pending = self.reads.unsent_for(Target.ticket(ticket_id))
        hints = self.suggestions.shown(ticket_id)
        on_it = presence.colleagues(self.store, ticket_id)
        return Detail(ticket, entry, requester, org, comments, authors, flags, seconds, stage, pending, hints, on_it)
