"""What the screen shows, read from the cache and ranked by the handbook.

No UI framework here: the app, the benchmarks and the tests share it. Per-ticket work
(parsing, plan, SLA clock, facts) is cached by ticket version, so a sync that changes one
ticket costs one ticket's work plus a sort.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from triage_tui.config import Config
from triage_tui.gcpause import collection_paused
from triage_tui.store.cache import UNSOLVED, Q, Store, queue_projection
from triage_tui.store.outbox import Outbox
from triage_tui.triage.flags import Flag, ticket_flags
from triage_tui.triage.incidents import incident_tag
from triage_tui.triage.ranking import TIER_LABELS, RankRules, Ranked, TicketFacts, next_ticket, rank
from triage_tui.triage.sla import BusinessCalendar, SlaClock, stage_for
from triage_tui.triage.tickets import PLAN_LABELS, SlaRules, clock_for, facts_for, plan_of

if TYPE_CHECKING:
    from triage_tui.models.incidentio import Incident, IncidentUpdate
    from triage_tui.models.zendesk import Comment, Macro, Organization, Ticket, User


# The pydantic models are imported on first use: the first paint needs none of them.
def _zendesk():
    from triage_tui.models import zendesk

    return zendesk


def _incidentio():
    from triage_tui.models import incidentio

    return incidentio


# Above this many changed tickets a full reload is cheaper than reading each one's record.
INCREMENTAL_LIMIT = 200

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


_parse_time = dt.datetime.fromisoformat  # reads Zendesk's "Z" suffix since Python 3.11


def _maybe_time(text: str | None) -> dt.datetime | None:
    return _parse_time(text) if text else None


class Entry:
    """One unsolved ticket with everything its queue row needs.

    Ranking needs `facts` of every ticket, so they are built at load; the rest (the row's
    ticket fields, clock, names, filter text) is built on first use, since most of a queue
    of thousands is never drawn.
    """

    __slots__ = ("facts", "plan", "version", "_data", "_workspace", "_derived", "_ticket", "_clock", "_names", "_haystack")

    def __init__(
        self, facts: TicketFacts, plan: str, version: str, data: list, workspace: Workspace,
        derived: list | None = None, ticket: QueueTicket | None = None, clock: SlaClock | None = None,
    ) -> None:
        self.facts = facts
        self.plan = plan
        self.version = version  # ticket version, org plan and SLA rules: unchanged means reuse
        self._data = data
        self._workspace = workspace
        self._derived = derived
        self._ticket = ticket
        self._clock = clock
        self._names: tuple[str, str, str] | None = None
        self._haystack: str | None = None

    @property
    def id(self) -> int:
        return self.facts.id

    @property
    def ticket(self) -> QueueTicket:
        if self._ticket is None:
            data, facts = self._data, self.facts
            self._ticket = QueueTicket(
                facts.id, data[Q.SUBJECT], None, facts.status, facts.priority, facts.group_id,
                facts.assignee_id, data[Q.REQUESTER], data[Q.ORG], tuple(data[Q.TAGS] or ()),
                facts.created_at, facts.updated_at,
            )
        return self._ticket

    @property
    def clock(self) -> SlaClock:
        if self._clock is None:
            _, _, state, breach, _, remaining, started, from_zendesk = self._derived or [None, None, "idle", None, None, None, None, False]
            self._clock = SlaClock(state, breach_at=_maybe_time(breach), remaining_when_paused=remaining, started_at=_maybe_time(started), from_zendesk=from_zendesk)
        return self._clock

    def _people(self) -> tuple[str, str, str]:
        if self._names is None:
            self._names = self._workspace.names_for(self._data)
        return self._names

    @property
    def requester(self) -> str:
        return self._people()[0]

    @property
    def org(self) -> str:
        return self._people()[1]

    @property
    def group(self) -> str:
        return self._people()[2]

    @property
    def haystack(self) -> str:
        """Lower-case text the filter searches."""
        if self._haystack is None:
            ticket = self.ticket
            self._haystack = " ".join([str(ticket.id), ticket.title, *self._people(), " ".join(ticket.tags)]).lower()
        return self._haystack

    @property
    def excerpt(self) -> str:
        """The start of the first message, for the "raise an incident" hint."""
        return self._data[Q.EXCERPT] or ""

    def forget_names(self) -> None:
        """People or groups may have been renamed since: read them again when next needed."""
        self._names = None
        self._haystack = None


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
        self._user_names: dict[str, str] = {}
        self._org_records: dict[str, dict] = {}
        self.groups: dict[int, str] = {}
        self._orgs: dict[int, Organization | None] = {}
        self._users: dict[int, User | None] = {}
        self.rules = RankRules(config.zendesk.escalation_tag, config.zendesk.cs_tag)
        sla = config.sla
        # Everything the derived facts depend on besides the ticket and its org; a short
        # checksum of it, since it is repeated in every ticket's cached record.
        rules = "|".join(
            str(part) for part in (sorted(sla.targets.items()), sla.timezone, sla.workdays, sla.day_start, sla.day_end_hour,
                                   sla.holidays, sla.default_plan, self.sla.plan_field, self.sla.plan_tag_prefix, self.sla.warn_hours)
        )
        self._fingerprint = f"{zlib.crc32(rules.encode()):08x}"

    # -- loading ------------------------------------------------------------------------
    def load(self) -> None:
        """Read the unsolved tickets (one read), people (two), derived facts (one).

        Plan, SLA clock and ranking facts depend on the ticket version, the org's plan and
        the SLA rules only, never on "now": they are computed once per version and kept in
        the cache, so start-up with thousands of tickets costs a decode, not a recompute.
        """
        with collection_paused():
            self._load()

    def update(self, ticket_ids: Iterable[int]) -> None:
        """A sync changed these tickets: read just their records, not the whole queue (a
        poll changes a few; the whole queue costs ~100 ms of UI). A first sync's many
        changes, or an organization's change (plans), read everything again instead."""
        ids = set(ticket_ids)
        orgs = self.store.all_records("org")
        if not self.entries or len(ids) > INCREMENTAL_LIMIT or orgs != self._org_records:
            self.load()
            return
        self._read_people_and_groups(orgs)
        for entry in self.entries.values():
            entry.forget_names()
        for ticket_id in ids:
            self.entries.pop(ticket_id, None)
            full = self.store.ticket(ticket_id)
            if full is None or full.get("status") not in UNSOLVED:
                continue  # solved, closed or deleted: it leaves the queue
            row = queue_projection(full)
            try:
                entry = self._entry(_zendesk().Ticket.model_validate(full), self._version(row), row)
            except (ValueError, TypeError, IndexError) as exc:
                self.skipped.append(f"ticket {ticket_id}: {exc}")
                continue
            self.entries[ticket_id] = entry
        # The derived cache is left as it is: the next full load recomputes these few.

    def _read_people_and_groups(self, orgs: dict[str, dict] | None = None) -> None:
        self.forget_people()  # the detail's users and orgs may have been renamed too
        self.groups = {g["id"]: g["name"] for g in self.store.list("groups")}
        by_name = {name.lower(): gid for gid, name in self.groups.items()}
        mine = frozenset(by_name[n.lower()] for n in self.config.zendesk.my_groups if n.lower() in by_name)
        self.rules = RankRules(self.config.zendesk.escalation_tag, self.config.zendesk.cs_tag, mine)
        self._user_names = self.store.names("user")
        self._org_records = self.store.all_records("org") if orgs is None else orgs

    def _version(self, row: list) -> str:
        """What a ticket's derived facts depend on: its version, its org's plan, the rules."""
        org = self._org_records.get(str(row[Q.ORG])) or {}
        plan_input = (org.get("organization_fields") or {}).get(self.sla.plan_field)
        return f"{row[Q.UPDATED]}|{plan_input}|{self._fingerprint}"

    def _load(self) -> None:
        self._read_people_and_groups()
        raw = self.store.unsolved_rows()
        derived: dict[str, list] = self.store.get("derived:queue") or {}
        fresh: dict[int, Entry] = {}
        kept: dict[str, list] = {}
        self.skipped = []
        old_entries, version_of = self.entries, self._version
        for key, data in raw.items():
            try:
                version = version_of(data)
                old = old_entries.get(int(key))
                if old is not None and old.version == version:
                    old.forget_names()
                    fresh[old.id] = old
                    kept[key] = derived.get(key) or self._derived_record(version, old)
                    continue
                cached = derived.get(key)
                if cached and cached[0] == version:
                    entry = self._entry_from_cache(data, cached)
                    kept[key] = cached
                else:
                    full = self.store.ticket(int(key))  # the SLA metrics live in the whole record
                    if full is None:
                        raise ValueError("in the queue but not in the cache")
                    entry = self._entry(_zendesk().Ticket.model_validate(full), version, data)
                    kept[key] = self._derived_record(version, entry)
            except (ValueError, TypeError, IndexError) as exc:  # pydantic's ValidationError is a ValueError
                self.skipped.append(f"ticket {key}: {exc}")
                continue
            fresh[entry.id] = entry
        self.entries = fresh
        if kept != derived:
            self.store.set("derived:queue", kept)

    def names_for(self, data: list) -> tuple[str, str, str]:
        """Requester, organization and group names of a queue row, as the cache knows them."""
        org = self._org_records.get(str(data[Q.ORG])) or {}
        requester = self._user_names.get(str(data[Q.REQUESTER])) or f"user {data[Q.REQUESTER]}"
        return requester, org.get("name") or "", self.groups.get(data[Q.GROUP] or -1, "")

    @staticmethod
    def _derived_record(version: str, entry: Entry) -> list:
        clock = entry.clock
        stamp = (lambda moment: moment.isoformat() if moment else None)
        return [version, entry.plan, clock.state, stamp(clock.breach_at), stamp(entry.facts.warn_at), clock.remaining_when_paused, stamp(clock.started_at), clock.from_zendesk]

    def _entry_from_cache(self, data: list, cached: list) -> Entry:
        version, plan, state, breach, warn, remaining, _, _ = cached
        facts = TicketFacts(  # positional: this runs once per unsolved ticket at start-up
            int(data[Q.ID]), data[Q.STATUS] or "new", data[Q.PRIORITY], data[Q.GROUP], data[Q.ASSIGNEE],
            frozenset(data[Q.TAGS] or ()), _parse_time(breach) if breach and state == "running" else None,
            _maybe_time(warn), remaining, _maybe_time(data[Q.CREATED]), _maybe_time(data[Q.UPDATED]),
        )
        return Entry(facts, plan, version, data, self, derived=cached)

    def _org(self, org_id: int | None) -> Organization | None:
        if org_id is None:
            return None
        if org_id not in self._orgs:
            raw = self._org_records.get(str(org_id)) or self.store.record("org", org_id)
            self._orgs[org_id] = _zendesk().Organization.model_validate(raw) if raw else None
        return self._orgs[org_id]

    def user(self, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        if user_id not in self._users:
            raw = self.store.record("user", user_id)
            self._users[user_id] = _zendesk().User.model_validate(raw) if raw else None
        return self._users[user_id]

    def forget_people(self) -> None:
        """Users or orgs changed: names and plans must be read again."""
        self._orgs.clear()
        self._users.clear()

    def _entry(self, ticket: Ticket, version: str, data: list) -> Entry:
        plan = plan_of(ticket, self._org(ticket.organization_id), self.sla)
        clock = clock_for(ticket, plan, self.sla)
        facts = facts_for(ticket, clock, self.sla)
        return Entry(facts, plan, version, data, self, ticket=QueueTicket.from_ticket(ticket), clock=clock)

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
        with collection_paused():
            return self._rows(view, text)

    def _rows(self, view: str, text: str) -> list[Row]:
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
        zendesk = _zendesk()
        ticket = zendesk.Ticket.model_validate(raw)
        requester = self.user(ticket.requester_id)
        org = self._org(ticket.organization_id)
        cached = self.store.comments(ticket_id)
        comments = [zendesk.Comment.model_validate(c) for c in cached["items"]] if cached else None
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
        return [_zendesk().Macro.model_validate(m) for m in self.store.list("macros")]

    def incidents(self) -> list[Incident]:
        """Live incidents, newest first, then recently resolved ones (to follow up)."""
        model = _incidentio().Incident
        found: dict[str, Incident] = {}
        for raw in self.store.list("incidents_resolved") + self.store.list("incidents"):
            try:
                incident = model.model_validate(raw)
            except ValueError:
                continue
            found[incident.id] = incident
        return sorted(found.values(), key=lambda i: (not i.is_live, -(i.created_at or self.now()).timestamp()))

    def incident_updates(self, incident_id: str) -> list[IncidentUpdate]:
        return [_incidentio().IncidentUpdate.model_validate(u) for u in self.store.get(f"incident_updates:{incident_id}", []) or []]

    def tagged_tickets(self, incident: Incident) -> list[dict]:
        tag = incident_tag(incident.reference)
        return self.store.tickets_tagged(tag)

    def issues(self) -> list[dict]:
        found: list[dict] = []
        for repo in self.config.github.repos:
            found += (self.store.get(f"issues:{repo}") or {}).get("items", [])
        return found
