"""What the screen shows, read from the cache and ranked by the handbook.

No UI framework here: the app, the benchmarks and the tests share it. Per-ticket work
(parsing, plan, SLA clock, facts) is cached by ticket version, so a sync that changes one
ticket costs one ticket's work plus a sort.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ValidationError

from triage_tui.config import Config
from triage_tui.models.incidentio import Incident, IncidentUpdate
from triage_tui.models.zendesk import Comment, Macro, Organization, Ticket, User
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.triage.flags import Flag, ticket_flags
from triage_tui.triage.incidents import incident_tag
from triage_tui.triage.ranking import TIER_LABELS, RankRules, Ranked, TicketFacts, next_ticket, rank
from triage_tui.triage.sla import BusinessCalendar, SlaClock, stage_for
from triage_tui.triage.tickets import PLAN_LABELS, SlaRules, clock_for, facts_for, plan_of

VIEWS = {
    "all": "All unsolved",
    "mine": "My groups",
    "sme": "SME groups",
    "escalated": "Escalated",
    "newest": "Newest first",
}


@dataclass(frozen=True, slots=True)
class QueueTicket:
    """The fields of a ticket a queue row shows: built straight from the cache's JSON,
    which was validated on its way in (pydantic per row would dominate start-up)."""

    id: int
    subject: str | None
    raw_subject: str | None
    status: str
    priority: str | None
    group_id: int | None
    assignee_id: int | None
    requester_id: int | None
    organization_id: int | None
    tags: tuple[str, ...]
    created_at: dt.datetime | None
    updated_at: dt.datetime | None

    @property
    def title(self) -> str:
        return self.subject or self.raw_subject or "(no subject)"

    @classmethod
    def from_ticket(cls, ticket: Ticket) -> QueueTicket:
        return cls(
            ticket.id, ticket.subject, ticket.raw_subject, ticket.status, ticket.priority, ticket.group_id, ticket.assignee_id,
            ticket.requester_id, ticket.organization_id, tuple(ticket.tags), ticket.created_at, ticket.updated_at,
        )


def _parse_time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


@dataclass
class Entry:
    """One unsolved ticket with everything its queue row needs."""

    ticket: QueueTicket
    plan: str
    clock: SlaClock
    facts: TicketFacts
    requester: str
    org: str
    group: str
    haystack: str  # lower-case text the filter searches
    version: str | None = None  # ticket version, org plan and SLA rules: unchanged means reuse
    excerpt: str = ""  # the start of the first message, for the "raise an incident" hint

    @property
    def id(self) -> int:
        return self.ticket.id


@dataclass
class Row:
    entry: Entry
    tier: int
    seconds_to_breach: float | None
    stage: str | None

    @property
    def tier_label(self) -> str:
        return TIER_LABELS.get(self.tier, "")


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


def fuzzy_match(needle: str, haystack: str) -> bool:
    """Every term matches: as a substring, or as the letters of one word in order
    ("rply" finds "replay"), so typos and abbreviations still land."""
    words = haystack.split()
    for term in needle.lower().split():
        if term in haystack:
            continue
        if not any(word[0] == term[0] and _subsequence(term, word) for word in words):
            return False
    return True


def _subsequence(term: str, word: str) -> bool:
    position = 0
    for char in term:
        position = word.find(char, position) + 1
        if position == 0:
            return False
    return True


class Workspace:
    def __init__(self, store: Store, outbox: Outbox, config: Config, now: Callable[[], dt.datetime]) -> None:
        self.store = store
        self.outbox = outbox
        self.config = config
        self.now = now
        self.calendar = BusinessCalendar.from_settings(config.sla)
        self.sla = SlaRules(
            targets=config.sla.targets,
            calendar=self.calendar,
            default_plan=config.sla.default_plan,
            plan_field=config.zendesk.plan_field,
            plan_tag_prefix=config.zendesk.plan_tag_prefix,
            warn_hours=max(config.sla.alert_hours or [3.0]),
        )
        self.entries: dict[int, Entry] = {}
        self.skipped: list[str] = []
        self._user_records: dict[str, dict] = {}
        self._org_records: dict[str, dict] = {}
        self.groups: dict[int, str] = {}
        self._orgs: dict[int, Organization | None] = {}
        self._users: dict[int, User | None] = {}
        self.rules = RankRules(config.zendesk.escalation_tag, config.zendesk.cs_tag)
        sla = config.sla
        # Everything the derived facts depend on besides the ticket and its org.
        self._fingerprint = "|".join(
            str(part) for part in (sorted(sla.targets.items()), sla.timezone, sla.workdays, sla.day_start, sla.day_end_hour,
                                   sla.holidays, sla.default_plan, self.sla.plan_field, self.sla.plan_tag_prefix, self.sla.warn_hours)
        )

    # -- loading ------------------------------------------------------------------------
    def load(self) -> None:
        """Read the unsolved tickets (one read), people (two), derived facts (one).

        Plan, SLA clock and ranking facts depend on the ticket version, the org's plan and
        the SLA rules only, never on "now": they are computed once per version and kept in
        the cache, so start-up with thousands of tickets costs a decode, not a recompute.
        """
        self.groups = {g["id"]: g["name"] for g in self.store.list("groups")}
        by_name = {name.lower(): gid for gid, name in self.groups.items()}
        mine = frozenset(by_name[n.lower()] for n in self.config.zendesk.my_groups if n.lower() in by_name)
        self.rules = RankRules(self.config.zendesk.escalation_tag, self.config.zendesk.cs_tag, mine)
        raw = self.store.unsolved()
        self._user_records = self.store.all_records("user")
        self._org_records = self.store.all_records("org")
        derived: dict[str, list] = self.store.get("derived:queue") or {}
        fresh: dict[int, Entry] = {}
        kept: dict[str, list] = {}
        self.skipped = []
        for key, data in raw.items():
            org = self._org_records.get(str(data.get("organization_id")))
            user = self._user_records.get(str(data.get("requester_id")))
            org_name = (org or {}).get("name") or ""
            requester = (user or {}).get("name") or (user or {}).get("email") or f"user {data.get('requester_id')}"
            plan_input = ((org or {}).get("organization_fields") or {}).get(self.sla.plan_field)
            version = f"{data.get('updated_at')}|{plan_input}|{self._fingerprint}"
            old = self.entries.get(int(key))
            if old is not None and old.version == version and old.requester == requester and old.org == org_name:
                fresh[old.id] = old
                kept[key] = derived.get(key) or self._derived_record(version, old)
                continue
            try:
                cached = derived.get(key)
                if cached and cached[0] == version:
                    entry = self._entry_from_cache(data, cached, requester, org_name)
                    kept[key] = cached
                else:
                    entry = self._entry(Ticket.model_validate(data), version, requester, org_name)
                    kept[key] = self._derived_record(version, entry)
            except (ValidationError, ValueError, TypeError, IndexError) as exc:
                self.skipped.append(f"ticket {key}: {exc}")
                continue
            entry.excerpt = data.get("excerpt") or ""
            fresh[entry.id] = entry
        self.entries = fresh
        if kept != derived:
            self.store.set("derived:queue", kept)


    @staticmethod
    def _derived_record(version: str, entry: Entry) -> list:
        clock = entry.clock
        stamp = (lambda moment: moment.isoformat() if moment else None)
        return [version, entry.plan, clock.state, stamp(clock.breach_at), stamp(entry.facts.warn_at), clock.remaining_when_paused, stamp(clock.started_at), clock.from_zendesk]

    def _entry_from_cache(self, data: dict, cached: list, requester: str, org_name: str) -> Entry:
        _, plan, state, breach, warn, remaining, started, from_zendesk = cached
        parse = _parse_time
        ticket = QueueTicket(
            int(data["id"]), data.get("subject"), data.get("raw_subject"), data.get("status") or "new", data.get("priority"),
            data.get("group_id"), data.get("assignee_id"), data.get("requester_id"), data.get("organization_id"),
            tuple(data.get("tags") or ()), parse(data.get("created_at")), parse(data.get("updated_at")),
        )
        clock = SlaClock(state, breach_at=parse(breach), remaining_when_paused=remaining, started_at=parse(started), from_zendesk=from_zendesk)
        facts = TicketFacts(
            id=ticket.id, status=ticket.status, priority=ticket.priority, group_id=ticket.group_id,
            assignee_id=ticket.assignee_id, tags=frozenset(ticket.tags), breach_at=clock.breach_at if state == "running" else None,
            warn_at=parse(warn), paused_remaining=remaining, created_at=ticket.created_at, updated_at=ticket.updated_at,
        )
        return self._make_entry(ticket, plan, clock, facts, requester, org_name, cached[0])

    def _org(self, org_id: int | None) -> Organization | None:
        if org_id is None:
            return None
        if org_id not in self._orgs:
            raw = self._org_records.get(str(org_id)) or self.store.record("org", org_id)
            self._orgs[org_id] = Organization.model_validate(raw) if raw else None
        return self._orgs[org_id]

    def user(self, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        if user_id not in self._users:
            raw = self._user_records.get(str(user_id)) or self.store.record("user", user_id)
            self._users[user_id] = User.model_validate(raw) if raw else None
        return self._users[user_id]

    def forget_people(self) -> None:
        """Users or orgs changed: names and plans must be read again."""
        self._orgs.clear()
        self._users.clear()

    def _entry(self, ticket: Ticket, version: str, requester: str, org_name: str) -> Entry:
        plan = plan_of(ticket, self._org(ticket.organization_id), self.sla)
        clock = clock_for(ticket, plan, self.sla)
        facts = facts_for(ticket, clock, self.sla)
        return self._make_entry(QueueTicket.from_ticket(ticket), plan, clock, facts, requester, org_name, version)

    def _make_entry(self, ticket: QueueTicket, plan: str, clock: SlaClock, facts: TicketFacts, requester: str, org_name: str, version: str) -> Entry:
        group = self.groups.get(ticket.group_id or -1, "")
        haystack = " ".join([str(ticket.id), ticket.title, requester, org_name, group, " ".join(ticket.tags)]).lower()
        return Entry(ticket, plan, clock, facts, requester, org_name, group, haystack, version)

    # -- queue --------------------------------------------------------------------------
    def _in_view(self, entry: Entry, view: str) -> bool:
        if view == "mine":
            return not self.rules.my_group_ids or entry.ticket.group_id in self.rules.my_group_ids
        if view == "sme":
            names = {n.lower() for n in self.config.zendesk.sme_groups}
            return not names or entry.group.lower() in names
        if view == "escalated":
            return self.rules.escalation_tag in entry.ticket.tags
        for custom in self.config.ui.views:
            if custom.get("name") == view:
                return fuzzy_match(custom.get("filter", ""), entry.haystack)
        return True

    def view_names(self) -> dict[str, str]:
        names = dict(VIEWS)
        for custom in self.config.ui.views:
            if custom.get("name"):
                names[custom["name"]] = custom["name"]
        return names

    def rows(self, view: str = "all", text: str = "") -> list[Row]:
        now = self.now()
        chosen = [e for e in self.entries.values() if self._in_view(e, view) and (not text or fuzzy_match(text, e.haystack))]
        if view == "newest":
            ranked = rank((e.facts for e in chosen), now, self.rules)
            tiers = {r.facts.id: r.tier for r in ranked}
            chosen.sort(key=lambda e: (e.ticket.created_at or now, e.id), reverse=True)
            return [Row(e, tiers[e.id], None, None) for e in chosen if e.id in tiers]
        by_id = {e.id: e for e in chosen}
        return [Row(by_id[r.facts.id], r.tier, None, None) for r in rank((e.facts for e in chosen), now, self.rules)]

    def countdown(self, row: Row) -> Row:
        """Business time to breach, computed only for rows that are drawn."""
        if row.seconds_to_breach is None and row.entry.clock.state != "idle":
            seconds = row.entry.clock.seconds_to_breach(self.now(), self.calendar)
            row.seconds_to_breach = seconds
            row.stage = stage_for(seconds, self.config.sla.alert_hours)
        return row

    def next_row(self, rows: list[Row]) -> Row | None:
        me = (self.store.get("me") or {}).get("id")
        chosen = next_ticket([Ranked(r.entry.facts, r.tier) for r in rows], me)
        if chosen is None:
            return None
        return next(r for r in rows if r.entry.id == chosen.facts.id)

    # -- detail -------------------------------------------------------------------------
    def detail(self, ticket_id: int) -> Detail | None:
        entry = self.entries.get(ticket_id)
        raw = self.store.ticket(ticket_id)
        if raw is None:
            return None
        ticket = Ticket.model_validate(raw)
        requester = self.user(ticket.requester_id)
        org = self._org(ticket.organization_id)
        cached = self.store.comments(ticket_id)
        comments = [Comment.model_validate(c) for c in cached["items"]] if cached else None
        authors: dict[int, str] = {}
        for comment in comments or []:
            if comment.author_id is not None and comment.author_id not in authors:
                user = self.user(comment.author_id)
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
        target = f"zendesk:ticket:{ticket_id}"
        pending = [e for e in self.outbox.entries(("pending", "sending", "conflict", "failed")) if e["target"] == target]
        return Detail(ticket, entry, requester, org, comments, authors, flags, seconds, stage, pending)

    def plan_label(self, plan: str) -> str:
        return PLAN_LABELS.get(plan, plan)

    # -- macros, incidents, issues ------------------------------------------------------
    def macros(self) -> list[Macro]:
        return [Macro.model_validate(m) for m in self.store.list("macros")]

    def incidents(self) -> list[Incident]:
        """Live incidents, newest first, then recently resolved ones (to follow up)."""
        found: dict[str, Incident] = {}
        for raw in self.store.list("incidents_resolved") + self.store.list("incidents"):
            try:
                incident = Incident.model_validate(raw)
            except ValidationError:
                continue
            found[incident.id] = incident
        return sorted(found.values(), key=lambda i: (not i.is_live, -(i.created_at or self.now()).timestamp()))

    def incident_updates(self, incident_id: str) -> list[IncidentUpdate]:
        return [IncidentUpdate.model_validate(u) for u in self.store.get(f"incident_updates:{incident_id}", []) or []]

    def tagged_tickets(self, incident: Incident) -> list[dict]:
        tag = incident_tag(incident.reference)
        return self.store.tickets_tagged(tag)

    def issues(self) -> list[dict]:
        found: list[dict] = []
        for repo in self.config.github.repos:
            found += (self.store.get(f"issues:{repo}") or {}).get("items", [])
        return found
