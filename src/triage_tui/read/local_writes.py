"""The few values this copy writes to its own cache, never to a service: drafts, an
incident's impact facts, the SLA alerts already announced, and the workspace's derived
records. `Reads` returns them; writes to the services go through the outbox
(`sync.writes.Writes`)."""

from __future__ import annotations

from typing import Any

from triage_tui.read.reads import ALERTS_KEY, DERIVED_KEY, impact_key
from triage_tui.store.cache import Store
from triage_tui.triage.incidents import Impact


class LocalWrites:
    def __init__(self, store: Store) -> None:
        self.store = store

    def save_draft(self, ticket_id: int, kind: str, text: str) -> bool:
        """False when the cache could not keep it (disk full, read-only)."""
        return self.store.save_draft(ticket_id, kind, text)

    def save_impact(self, incident_id: str, impact: Impact) -> None:
        self.store.set(impact_key(incident_id), [impact.broken, impact.works, impact.degraded])

    def save_fired_alerts(self, fired: dict[str, list[str]]) -> None:
        self.store.set(ALERTS_KEY, fired)

    def save_derived_records(self, records: dict[str, list[Any]]) -> None:
        self.store.set(DERIVED_KEY, records)
