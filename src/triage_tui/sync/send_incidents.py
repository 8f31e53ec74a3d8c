"""The sender's incident.io writes: a ticket attached, a role given, an incident raised.

An incident is raised with the idempotency key chosen when it was queued, so a resend
after a lost answer or a crash returns the same incident; its tickets' tag and attachment
are then queued once, by the attach path (sync/writes.py).
"""

from __future__ import annotations

from typing import Any

from triage_tui.sources.incidentio import IncidentioClient
from triage_tui.sync.sending import Sending
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.sync.writes import Writes
from triage_tui.targets import WriteKind


def _incidentio(sending: Sending) -> IncidentioClient:
    # The sender looks a handler up only when its service has a client.
    assert sending.clients.incidentio is not None
    return sending.clients.incidentio


async def send_attach(sending: Sending, entry: dict) -> Any:
    payload = entry["payload"]
    return await _incidentio(sending).attach_ticket(payload["incident_id"], payload["ticket_id"])


async def applied_attach(sending: Sending, entry: dict) -> tuple[bool, str | None]:
    payload = entry["payload"]
    attachments, _ = await _incidentio(sending).attachments(payload["incident_id"])
    return any(a.resource.external_id == str(payload["ticket_id"]) for a in attachments), None


async def send_role(sending: Sending, entry: dict) -> Any:
    payload = entry["payload"]
    incident = await _incidentio(sending).assign_role(payload["incident_id"], payload["role_id"], payload["email"])
    dumped = incident.model_dump(mode="json")
    store = sending.store
    store.put_list("incidents", [dumped if i["id"] == dumped["id"] else i for i in store.list("incidents")])
    return incident


async def send_create(sending: Sending, entry: dict) -> Any:
    """Create the incident (its idempotency key makes a resend return the same one),
    cache it, then queue its tickets' tag and attachment by the existing attach path,
    once: a resend after a crash finds them queued already."""
    incident = await _incidentio(sending).create_incident(entry["payload"]["incident"])
    dumped = incident.model_dump(mode="json")
    store, outbox = sending.store, sending.outbox
    others = [i for i in store.list("incidents") if i["id"] != dumped["id"]]
    store.put_list("incidents", [dumped, *others])
    queued = any(
        e["kind"] == WriteKind.INCIDENT_ATTACH and e["payload"].get("raised_by") == entry["id"]
        for e in outbox.entries()
    )
    tickets = [TicketRef.of(t) for t in (store.ticket(i) for i in entry["payload"]["ticket_ids"]) if t]
    if tickets and not queued:
        specs = Writes(outbox, store, sending.now).attach_specs(tickets, dumped, raised_by=entry["id"])
        outbox.add_many(specs, now=sending.now())
    return incident
