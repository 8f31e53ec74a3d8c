"""incident.io into the cache: roles and severities once, live incidents and their
updates, and recently resolved ones kept for the follow-up."""

from __future__ import annotations

from triage_tui.sources.errors import SourceError
from triage_tui.sync.poll_base import PollerBase, SyncReport, dump


class IncidentPolls(PollerBase):
    async def incidents(self) -> SyncReport:
        return await self._guard("incidentio", self._incidents)

    async def _incidents(self, report: SyncReport) -> None:
        client = self.clients.incidentio
        assert client is not None
        if not self.store.list("incident_roles"):
            roles, skipped = await client.roles()
            self.store.put_list("incident_roles", [dump(r) for r in roles])
            self._skipped(report, skipped)
        if not self.store.list("incident_severities"):  # to raise an incident with (issue 26)
            severities, skipped = await client.severities()
            self.store.put_list("incident_severities", [dump(s) for s in severities])
            self._skipped(report, skipped)
        incidents, skipped = await client.live_incidents()
        self._skipped(report, skipped)
        previous = {i["id"]: i for i in self.store.list("incidents")}
        current = [dump(i) for i in incidents]
        self.store.put_list("incidents", current)
        for incident in current:
            old = previous.get(incident["id"])
            if old != incident:
                report.changed.append(incident["id"])
            if (
                old is None
                or old.get("updated_at") != incident.get("updated_at")
                or not self.store.get(f"incident_updates:{incident['id']}")
            ):
                updates, bad = await client.updates(incident["id"])
                self.store.set(f"incident_updates:{incident['id']}", [dump(u) for u in updates])
                self._skipped(report, bad)
        gone = set(previous) - {i["id"] for i in current}
        if gone:
            # Resolved: keep it at hand, the Support Watcher still follows up its tickets.
            resolved = {i["id"]: i for i in self.store.list("incidents_resolved")}
            for incident_id in sorted(gone):
                try:
                    resolved[incident_id] = dump(await client.incident(incident_id))
                except SourceError:
                    resolved[incident_id] = previous[incident_id]
                report.changed.append(incident_id)
            self.store.put_list("incidents_resolved", list(resolved.values())[-10:])
