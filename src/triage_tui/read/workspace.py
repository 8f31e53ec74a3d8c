"""What the screen shows, read from the cache and ranked by the handbook.

No UI framework here: the app, the benchmarks and the tests share it. Per-ticket work
(parsing, plan, SLA clock, facts) is cached by a digest of every input it reads, so a sync that changes one
ticket costs one ticket's work plus a sort.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from triage_tui import presence
from triage_tui.config import Config
from triage_tui.gcpause import collection_paused
from triage_tui.read import catalog
from triage_tui.read.detail import Detail, TicketDetails
from triage_tui.read.entries import (
    CACHED_FIELDS,
    RANKED_FIELDS,
    VERSION_FIELDS,
    Entry,
    Names,
    QueueRow,
    QueueTicket,
    Row,
    Stored,
    fuzzy_match,
)
from triage_tui.read.local_writes import LocalWrites
from triage_tui.read.people import People
from triage_tui.read.reads import Reads
from triage_tui.read.search import SEARCH_VIEW, Found, Searches
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.store.queue_rows import queue_row
from triage_tui.suggestions import Suggestions
from triage_tui.sync.search_outcome import SearchOutcome
from triage_tui.triage.incidents import incident_tag
from triage_tui.triage.macros import placeholder_context
from triage_tui.triage.ranking import UNSOLVED, Ranked, RankRules, TicketFacts, next_ticket, rank
from triage_tui.triage.sla import BusinessCalendar, stage_for
from triage_tui.triage.tickets import PLAN_LABELS, SlaRules, answered_last, clock_for, facts_for, plan_of

if TYPE_CHECKING:
    from triage_tui.models.incidentio import Incident, IncidentUpdate
    from triage_tui.models.zendesk import Macro, Organization, User


def _zendesk():
    # The pydantic models are imported on first use: the first paint needs none of them.
    from triage_tui.models import zendesk

    return zendesk


_FROM_ISO = dt.datetime.fromisoformat  # what `triage.sla.parse_time` does, without the call

# Above this many changed tickets a full reload is cheaper than reading each one's record.
INCREMENTAL_LIMIT = 200

VIEWS = {
    "all": "All unsolved",
    "mine": "My groups",
    "sme": "SME groups",
    "escalated": "Escalated",
    "newest": "Newest first",
}


__all__ = ["Detail", "Entry", "QueueTicket", "Row", "Workspace", "fuzzy_match"]


class Workspace:
    def __init__(self, store: Store, outbox: Outbox, config: Config, now: Callable[[], dt.datetime]) -> None:
        self.store = store
        self.outbox = outbox
        self.reads = Reads(store, outbox)
        self.local = LocalWrites(store)
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
        self.people = People(store)
        self.rules = RankRules(config.zendesk.escalation_tag, config.zendesk.cs_tag)
        sla = config.sla
        # Everything the derived facts depend on besides the ticket and its org; a short
        # checksum of it, since it is repeated in every ticket's cached record.
        rules = "|".join(
            str(part)
            for part in (
                sorted(sla.targets.items()),
                sla.timezone,
                sla.workdays,
                sla.day_start,
                sla.day_end_hour,
                sla.holidays,
                sla.default_plan,
                self.sla.plan_field,
                self.sla.plan_tag_prefix,
                self.sla.warn_hours,
            )
        )
        self._fingerprint = f"{zlib.crc32(rules.encode()):08x}"
        self._names_for = self.names_for  # one bound method shared by every entry
        self.searches = Searches(lambda ticket_id: self.entries.get(ticket_id) or self._read_entry(ticket_id))
        self.suggestions = Suggestions(store, now)  # its thread starts after the first paint
        self.details = TicketDetails(self.reads, self.people, self.suggestions, config, self.calendar, now)

    # -- loading ------------------------------------------------------------------------
    def load(self) -> None:
        """Read the unsolved tickets (one read), people (two), derived facts (one).

        Plan, SLA clock and ranking facts depend on the ticket's fields and SLA data, the
        org's plan and the SLA rules only, never on "now": they are computed once per set of
        inputs and kept in the cache, so start-up with thousands of tickets costs a decode,
        not a recompute.
        """
        with collection_paused():
            self._load()
        self.searches.read()

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
            # Solved, closed or deleted: it leaves the queue.
            if (changed := self._read_entry(ticket_id, unsolved_only=True)) is not None:
                self.entries[ticket_id] = changed
        # The derived cache is left as it is: the next full load recomputes these few.
        self.searches.read(ids)

    def _read_people_and_groups(self, orgs: dict[str, dict] | None = None) -> None:
        self.forget_people()  # the detail's users and orgs may have been renamed too
        self.groups = self.reads.groups()
        by_name = {name.lower(): gid for gid, name in self.groups.items()}
        mine = frozenset(by_name[n.lower()] for n in self.config.zendesk.my_groups if n.lower() in by_name)
        self.rules = RankRules(self.config.zendesk.escalation_tag, self.config.zendesk.cs_tag, mine)
        self._user_names = self.store.names("user")
        self._org_records = self.store.all_records("org") if orgs is None else orgs
        self.people.org_records = self._org_records

    def _version(self, data: Stored) -> str:
        """Every input of a ticket's derived facts: the digest of the ticket's own (queue
        fields, SLA policy metrics, metric set), its org's plan, the rules. Not `updated_at`
        alone: Zendesk sends SLA data later, and changes it, with `updated_at` unchanged."""
        inputs, org_id = VERSION_FIELDS(data)
        org = self._org_records.get(str(org_id)) or {}
        plan_input = (org.get("organization_fields") or {}).get(self.sla.plan_field)
        return f"{inputs}|{plan_input}|{self._fingerprint}"

    def _load(self) -> None:
        self._read_people_and_groups()
        raw = self.store.unsolved_rows()
        derived = self.reads.derived_records()
        fresh: dict[int, Entry] = {}
        kept: dict[str, list] = {}
        self.skipped = []
        old_entries, version_of = self.entries, self._version
        for key, data in raw.items():
            try:
                version = version_of(data)
                old = old_entries.get(int(key))
                cached = derived.get(key)
                if old is not None and old.version == version:
                    old.forget_names()
                    fresh[old.id] = old
                    # An entry an update built is newer than a record kept for other inputs.
                    kept[key] = cached if cached and cached[0] == version else list(old.derived_record())
                    continue
                if cached and cached[0] == version:
                    entry = self._entry_from_cache(data, cached)
                    kept[key] = cached
                else:
                    full = self.store.ticket(int(key))  # the SLA metrics live in the whole record
                    if full is None:
                        raise ValueError("in the queue but not in the cache")
                    entry = self._computed(full, version, data)
                    kept[key] = list(entry.derived_record())
            except (ValueError, TypeError, IndexError) as exc:  # pydantic's ValidationError is a ValueError
                self.skipped.append(f"ticket {key}: {exc}")
                continue
            fresh[entry.id] = entry
        self.entries = fresh
        if kept != derived:
            self.local.save_derived_records(kept)

    def names_for(self, row: QueueRow) -> Names:
        """Requester, organization and group names of a queue row, as the cache knows them."""
        org = self._org_records.get(str(row.organization_id)) or {}
        requester = self._user_names.get(str(row.requester_id)) or f"user {row.requester_id}"
        return Names(requester, org.get("name") or "", self.groups.get(row.group_id or -1, ""))

    def _entry_from_cache(self, data: Stored, cached: Stored) -> Entry:
        # Once per unsolved ticket at start-up: fields read by name in one call each, the
        # ISO parser inlined (a helper's call per field costs a millisecond on 5,000).
        ticket_id, status, priority, group_id, assignee_id, tags, created, updated = RANKED_FIELDS(data)
        version, plan, state, breach, warn, remaining = CACHED_FIELDS(cached)
        iso = _FROM_ISO
        facts = TicketFacts(
            int(ticket_id),
            status or "new",
            priority,
            group_id,
            assignee_id,
            frozenset(tags or ()),
            iso(breach) if breach and state == "running" else None,
            iso(warn) if warn else None,
            remaining,
            iso(created) if created else None,
            iso(updated) if updated else None,
        )
        return Entry(facts, plan, version, data, self._names_for, derived=cached)

    def _org(self, org_id: int | None) -> Organization | None:
        return self.people.org(org_id)

    def user(self, user_id: int | None) -> User | None:
        return self.people.user(user_id)

    def forget_people(self) -> None:
        """Users or orgs changed: names and plans must be read again."""
        self.people.forget()

    def _read_entry(self, ticket_id: int, *, unsolved_only: bool = False) -> Entry | None:
        """One ticket's entry from its stored record: None when it is not cached (deleted),
        solved while only the queue's are wanted, or malformed (said in `skipped`)."""
        record = self.store.ticket(ticket_id)
        if record is None or (unsolved_only and record.get("status") not in UNSOLVED):
            return None
        row = queue_row(record)
        try:
            return self._computed(record, self._version(row), row)
        except (ValueError, TypeError, IndexError) as exc:  # pydantic's ValidationError is a ValueError
            self.skipped.append(f"ticket {ticket_id}: {exc}")
            return None

    def _computed(self, record: dict, version: str, row: Stored) -> Entry:
        """An entry with its plan, SLA clock and ranking facts computed from the stored record
        (the one place the queue reads a record as a `Ticket` again: the handbook's rules
        read its SLA data and custom fields, which the queue row leaves out)."""
        ticket = _zendesk().Ticket.model_validate(record)
        plan = plan_of(ticket, self._org(ticket.organization_id), self.sla)
        clock = clock_for(ticket, plan, self.sla)
        facts = facts_for(ticket, clock, self.sla)
        return Entry(facts, plan, version, row, self._names_for, clock=clock)

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
        if self.found is not None:
            names[SEARCH_VIEW] = self.found.view_label
        return names

    # -- find in Zendesk ----------------------------------------------------------------
    @property
    def found(self) -> Found | None:
        """The last "find in Zendesk", shown as the search view."""
        return self.searches.found

    def begin_search(self, text: str) -> Found:
        return self.searches.begin(text)

    def finish_search(self, outcome: SearchOutcome) -> bool:
        return self.searches.finish(outcome)

    def interrupt_search(self, reason: str) -> bool:
        return self.searches.interrupt(reason)

    def end_search(self) -> None:
        self.searches.end()

    def markable_ids(self) -> set[int]:
        """Tickets a mark may stay on: the queue's, and what the last search found."""
        return set(self.entries) | set(self.searches.entries)

    def rows(self, view: str = "all", text: str = "") -> list[Row]:
        with collection_paused():
            return self._rows(view, text)

    def _rows(self, view: str, text: str) -> list[Row]:
        if view == SEARCH_VIEW and self.found is not None:
            return self.searches.rows(text, self.now(), self.rules)
        now = self.now()
        chosen = [
            e for e in self.entries.values() if self._in_view(e, view) and (not text or fuzzy_match(text, e.haystack))
        ]
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
        me = self.reads.me().id
        replying = self.reads.replies_under_way()

        def answered(ticket_id: int) -> bool:
            # Read now, for the few tickets `n` looks at: the outbox, the cached ticket and
            # its conversation, so a reply counts the moment it is queued.
            if ticket_id in replying:
                return True
            raw = self.store.ticket(ticket_id)
            return raw is not None and answered_last(raw, self.store.comments(ticket_id))

        busy = presence.written_on(self.store)  # a colleague is answering these
        rows = [r for r in rows if r.entry.id not in busy] if busy else rows
        chosen = next_ticket([Ranked(r.entry.facts, r.tier) for r in rows], me, answered)
        if chosen is None:
            return None
        return next(r for r in rows if r.entry.id == chosen.facts.id)

    # -- detail -------------------------------------------------------------------------
    def detail(self, ticket_id: int) -> Detail | None:
        entry = self.entries.get(ticket_id) or self.searches.entries.get(ticket_id)
        return self.details.read(ticket_id, entry)

    def plan_label(self, plan: str) -> str:
        return PLAN_LABELS.get(plan, plan)

    def placeholders(self, ticket: dict) -> dict[str, str]:
        """The macro placeholders of one cached ticket (requester, org, me)."""
        requester = self.user(ticket.get("requester_id"))
        return placeholder_context(
            ticket_id=ticket["id"],
            title=ticket.get("subject") or "",
            status=ticket.get("status") or "",
            requester_name=(requester.name or "") if requester else "",
            organization_name=self.reads.org_name(ticket.get("organization_id")),
            agent_name=self.reads.me().name,
        )

    # -- macros, incidents, issues ------------------------------------------------------
    def macros(self) -> list[Macro]:
        return catalog.macros(self.reads)

    def incidents(self) -> list[Incident]:
        """Live incidents, newest first, then recently resolved ones (to follow up)."""
        return catalog.incidents(self.reads, self.now())

    def incident_updates(self, incident_id: str) -> list[IncidentUpdate]:
        return catalog.incident_updates(self.reads, incident_id)

    def tagged_tickets(self, incident: Incident) -> list[dict]:
        return self.store.tickets_tagged(incident_tag(incident.reference))

    def issues(self) -> list[dict]:
        return catalog.issues(self.reads, self.config.github.repos)
