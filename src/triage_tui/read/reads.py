"""The UI's one way to read the cache and the outbox: typed records, no raw keys.

The store keeps JSON under keys such as `me`, `list:macros`, `impact:<incident>`; the
screens ask here instead (`me()`, `incident_macro()`, `impact()`), so a layout change of
the cache is a change to this file and the store, never to a screen. Writes still go
through the outbox (`sync.writes.Writes`), and the few values this copy keeps for itself
(drafts, impact facts, fired SLA alerts) through `local_writes.LocalWrites`: reading here
never writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from triage_tui.store.cache import Store
from triage_tui.store.outbox import ACTIVE, NEEDS_USER, Outbox
from triage_tui.targets import Target, ticket_ids
from triage_tui.triage.incidents import TEMPLATE_TITLE, Impact, is_incident_macro

SOURCES = ("zendesk", "incidentio", "github")
UNSENT = ACTIVE + NEEDS_USER  # shown as ↑ in the queue and in the ticket's detail
# The values this copy keeps for itself, read here and written by `LocalWrites`.
DERIVED_KEY = "derived:queue"
ALERTS_KEY = "alerts"


def impact_key(incident_id: str) -> str:
    return f"impact:{incident_id}"


@dataclass(frozen=True)
class Me:
    """The agent the tokens belong to, as Zendesk last told us."""

    id: int | None = None
    name: str = ""
    email: str | None = None

    @property
    def display(self) -> str:
        return self.name or "me"


@dataclass(frozen=True)
class Role:
    """An incident.io incident role (e.g. Support Watcher)."""

    id: str
    name: str


class Reads:
    """Typed reads of the cache and the outbox; nothing here writes."""

    def __init__(self, store: Store, outbox: Outbox) -> None:
        self.store = store
        self.outbox = outbox

    # -- who I am, tickets, people ----------------------------------------------------
    def me(self) -> Me:
        raw = self.store.get("me") or {}
        return Me(raw.get("id"), raw.get("name") or "", raw.get("email"))

    def ticket(self, ticket_id: int) -> dict | None:
        return self.store.ticket(ticket_id)

    def tickets(self, ids: Iterable[int]) -> list[dict]:
        """The cached tickets of these ids, in order; ones no longer cached are left out."""
        found = [self.store.ticket(i) for i in ids]
        return [t for t in found if t]

    def org_name(self, org_id: int | None) -> str:
        return (self.store.record("org", org_id) or {}).get("name") or ""

    def groups(self) -> dict[int, str]:
        """Zendesk group names by id."""
        return {g["id"]: g["name"] for g in self.store.list("groups")}

    def derived_records(self) -> dict[str, list[Any]]:
        """The workspace's per-ticket derived records (`entries.DerivedRecord`), by ticket id."""
        value = self.store.get(DERIVED_KEY)
        return value if isinstance(value, dict) else {}

    # -- macros, incidents, issues: the cached API JSON, which the workspace models ------
    def raw_macros(self) -> list[dict]:
        return self.store.list("macros")

    def raw_incidents(self) -> list[dict]:
        """Recently resolved incidents (still to follow up), then the live ones."""
        return self.store.list("incidents_resolved") + self.store.list("incidents")

    def raw_incident_updates(self, incident_id: str) -> list[dict]:
        return self.store.get(f"incident_updates:{incident_id}", []) or []

    def raw_issues(self, repo: str) -> list[dict]:
        return (self.store.get(f"issues:{repo}") or {}).get("items", [])

    def sdk_views(self) -> list[dict]:
        """The SDK rotation's Zendesk filters as last polled: title, mobile, tickets, error."""
        found = self.store.get("sdk_views")
        return found if isinstance(found, list) else []

    def incident_template(self) -> dict | None:
        """The "Incident information" macro every incident macro is cloned from."""
        return next((m for m in self.raw_macros() if m["title"] == TEMPLATE_TITLE), None)

    def incident_macro(self, reference: str) -> dict | None:
        return next((m for m in self.raw_macros() if is_incident_macro(m["title"], reference)), None)

    def role_named(self, name: str) -> Role | None:
        for raw in self.store.list("incident_roles"):
            if str(raw.get("name", "")).lower() == name.lower():
                return Role(raw["id"], raw["name"])
        return None

    def impact(self, incident_id: str) -> Impact:
        """What is broken, works and is degraded, as last written for this incident."""
        saved = self.store.get(impact_key(incident_id)) or []
        return Impact(*[str(value) for value in saved[:3]])

    # -- drafts and alerts ----------------------------------------------------------------
    def draft(self, ticket_id: int, kind: str) -> str:
        return self.store.draft(ticket_id, kind)

    def fired_alerts(self) -> dict[str, list[str]]:
        """The SLA alert stages already announced, per clock (remembered across restarts)."""
        value = self.store.get(ALERTS_KEY, {})
        return value if isinstance(value, dict) else {}

    # -- sync and outbox state ---------------------------------------------------------
    def notice(self) -> str | None:
        """Why the cache was rebuilt or moved aside at start-up, if it was."""
        return self.store.notice

    def sync_states(self) -> dict[str, dict[str, Any]]:
        return {name: self.store.sync_state(name) for name in SOURCES}

    def has_synced(self, source: str) -> bool:
        return bool(self.store.sync_state(source).get("last_success"))

    def unsent(self) -> list[dict]:
        return self.outbox.entries(UNSENT)

    def queued_ticket_ids(self) -> set[int]:
        """Tickets with writes not yet through: pending, sending, in conflict or failed
        (a bug report's GitHub write too: the ticket's reply follows it)."""
        unsent = self.unsent()
        return ticket_ids(entry["target"] for entry in unsent) | {
            ticket for entry in unsent if (ticket := _leads_to_ticket(entry)) is not None
        }

    def replies_under_way(self) -> set[int]:
        """Tickets with a public reply of ours queued or being sent: answered, as far as
        whose turn it is goes, before Zendesk has it."""
        found: set[int] = set()
        for entry in self.outbox.entries(ACTIVE):
            comment = (entry.get("payload") or {}).get("ticket", {}).get("comment")
            if entry.get("kind") == "ticket_update" and comment and comment.get("public", True) is not False:
                found |= ticket_ids([entry["target"]])
        return found

    def unsent_for(self, target: Target) -> list[dict]:
        text = str(target)
        ticket = target.ticket_id
        return [
            entry
            for entry in self.unsent()
            if entry["target"] == text or (ticket is not None and _leads_to_ticket(entry) == ticket)
        ]

    def problems(self) -> list[dict]:
        """Writes that need the user: conflicts and failures, oldest first."""
        return self.outbox.entries(NEEDS_USER)

    def queued_per_source(self) -> dict[str, int]:
        return {name: self.outbox.queued_for(name) for name in SOURCES}

    def outbox_counts(self) -> dict[str, int]:
        return self.outbox.counts()


def _leads_to_ticket(entry: dict) -> int | None:
    """The ticket a write to elsewhere is for (a bug report's issue, then its reply), if any."""
    then = (entry.get("payload") or {}).get("then")
    ticket = then.get("ticket_id") if isinstance(then, dict) else None
    return ticket if isinstance(ticket, int) else None
