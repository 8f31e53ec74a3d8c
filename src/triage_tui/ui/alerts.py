"""What deserves a toast and the bell: a new tier 1/2 ticket, a new live incident, an SLA
stage (3h, 2h, 1h before a breach), a resolved incident whose macro remains. (A wave of
similar tickets that may be an incident is the hints' "Possible incident", announced by
the App once per cluster: see `suggestions.py`.) No widgets here: the App shows them."""

from __future__ import annotations

from collections.abc import Callable

from triage_tui.read.entries import Row
from triage_tui.read.workspace import Workspace
from triage_tui.triage.sla import alert_due
from triage_tui.ui.safe import clean

SLA_TOASTS = 2  # more stages crossed at once than this are one toast


class Alerts:
    """What is already there when a source first fills the cache is the starting point,
    not news: alerts begin once each source has synced successfully before."""

    def __init__(self, workspace: Workspace, follow_up_key: Callable[[], str]) -> None:
        self.workspace = workspace
        self.follow_up_key = follow_up_key  # the incident pane's follow-up key, remaps included
        self._seen_urgent: set[int] | None = None
        self._seen_incidents: set[str] | None = None
        self._primed = False
        self._reminded: set[str] = set()

    def due(self) -> list[str]:
        workspace, reads = self.workspace, self.workspace.reads
        rows = workspace.rows("mine")
        alerts: list[str] = []
        zendesk_primed = reads.has_synced("zendesk")
        if zendesk_primed:
            urgent = {r.entry.id for r in rows if r.tier in (1, 2)}
            if self._seen_urgent is not None:
                alerts += [f"New urgent ticket #{ticket_id}" for ticket_id in sorted(urgent - self._seen_urgent)]
            self._seen_urgent = urgent
        incidents = {i.id: i for i in workspace.incidents()}
        if reads.has_synced("incidentio"):
            if self._seen_incidents is not None:
                for incident_id in sorted(set(incidents) - self._seen_incidents):
                    incident = incidents[incident_id]
                    alerts.append(f"New live incident {incident.reference}: {clean(incident.name, limit=80)}")
            self._seen_incidents = set(incidents)
        alerts += self._sla_alerts(rows, announce=self._seen_urgent is not None and self._primed)
        self._primed = zendesk_primed
        for incident in incidents.values():
            if not incident.is_live and incident.id not in self._reminded and reads.incident_macro(incident.reference):
                self._reminded.add(incident.id)
                key = self.follow_up_key()
                alerts.append(
                    f"{incident.reference} is resolved but its macro still exists: {key} in the incident pane"
                    " follows up the tagged tickets and deletes it"
                )
        return alerts

    def _sla_alerts(self, rows: list[Row], *, announce: bool) -> list[str]:
        """One alert per stage (3h, 2h, 1h) per SLA clock, remembered across restarts."""
        reads = self.workspace.reads
        fired = reads.fired_alerts()
        crossed: list[tuple[int, str]] = []
        changed = False
        now_ts = self.workspace.now().timestamp()
        for row in rows:
            if row.entry.facts.warn_ts > now_ts:
                continue  # more than 3h from breach: no stage yet, no countdown needed
            self.workspace.countdown(row)
            started = row.entry.clock.started_at.isoformat() if row.entry.clock.started_at else "?"
            key = f"{row.entry.id}@{started}"
            stage = alert_due(row.stage, frozenset(fired.get(key, [])))
            if stage:
                fired.setdefault(key, []).append(stage)
                changed = True
                if announce:
                    crossed.append((row.entry.id, stage))
        if changed:
            self.workspace.local.save_fired_alerts(fired)
        if len(crossed) <= SLA_TOASTS:
            return [f"#{ticket_id} breaches its SLA in under {stage}" for ticket_id, stage in crossed]
        # A busy queue crosses several stages a minute: one toast, not a stack over the detail.
        named = ", ".join(f"#{ticket_id} (<{stage})" for ticket_id, stage in crossed[:4])
        more = f" and {len(crossed) - 4} more" if len(crossed) > 4 else ""
        return [f"{len(crossed)} tickets near their SLA breach: {named}{more}"]
