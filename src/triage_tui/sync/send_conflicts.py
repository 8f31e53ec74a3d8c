"""A ticket write's stamp, and what the sender does when the ticket moved on without us.

- When one write to a ticket succeeds, later queued writes to the same ticket that were
  based on the same view move their stamp forward: our own change is not a conflict.
- A 409 on a safe update becomes a conflict holding both versions (and who changed what
  since our view); nothing is overwritten. A 409 caused only by our own earlier writes is
  built on instead.
- A 404 for a ticket's write: the ticket was deleted; every write queued for it stops with
  its text kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from triage_tui.sources.errors import NotFound, SourceError
from triage_tui.store.outbox import ACTIVE
from triage_tui.sync.sending import Sending, SendReport, parse_stamp
from triage_tui.targets import WriteKind

if TYPE_CHECKING:
    from triage_tui.models.zendesk import Audit


def advance_stamps(sending: Sending, entry: dict, new_stamp: str | None) -> None:
    """Later writes based on the same view as `entry` now build on our own change."""
    old_stamp = entry["payload"].get("ticket", {}).get("updated_stamp")
    if not old_stamp or not new_stamp:
        return
    for later in sending.outbox.entries(("pending", "sending")):
        body = later["payload"].get("ticket")
        if (
            later["id"] != entry["id"]
            and later["target"] == entry["target"]
            and body
            and body.get("updated_stamp") == old_stamp
        ):
            payload = {**later["payload"], "ticket": {**body, "updated_stamp": new_stamp}}
            sending.outbox.update(later["id"], payload=payload)


def their_changes(audits: list[Audit], me: int | None) -> list[dict]:
    """Each colleague's audit since our view: who, when, and field -> [before, after]."""
    found = []
    for audit in audits:
        if me is not None and audit.author_id == me:
            continue
        fields = {
            str(event["field_name"]): [event.get("previous_value"), event.get("value")]
            for event in audit.events
            if event.get("type") == "Change" and event.get("field_name")
        }
        commented = any(event.get("type") == "Comment" for event in audit.events)
        stamp = audit.created_at.isoformat() if audit.created_at else None
        found.append({"author_id": audit.author_id, "created_at": stamp, "fields": fields, "commented": commented})
    return found


async def _audits_since(sending: Sending, ticket_id: int, stamp: str | None) -> list[Audit]:
    since = parse_stamp(stamp)
    if since is None or sending.clients.zendesk is None:
        return []
    return [a for a in await sending.clients.zendesk.audits(ticket_id) if a.created_at and a.created_at > since]


def _only_ours(sending: Sending, later: list[Audit]) -> bool:
    me = sending.me_id()
    return me is not None and bool(later) and all(a.author_id == me for a in later)


async def conflict(sending: Sending, entry: dict, report: SendReport) -> None:
    """A 409. If every change since the stamp is ours (an earlier write of this queue,
    sent before the view refreshed), build on it; otherwise it is a real conflict."""
    theirs = None
    changes: list[dict] = []
    zendesk = sending.clients.zendesk
    if zendesk and entry["kind"] == WriteKind.TICKET_UPDATE:
        ticket_id = entry["payload"]["ticket_id"]
        try:
            fresh = await zendesk.ticket(ticket_id)
            theirs = fresh.model_dump(mode="json")
            sending.store.put_tickets([theirs])
            report.changed_tickets.append(fresh.id)
            later = await _audits_since(sending, ticket_id, entry["payload"]["ticket"].get("updated_stamp"))
            if _only_ours(sending, later):
                body = {**entry["payload"]["ticket"], "updated_stamp": theirs["updated_at"]}
                sending.outbox.update(
                    entry["id"], status="pending", payload={**entry["payload"], "ticket": body}, last_error=None
                )
                report.waiting += 1
                return
            changes = their_changes(later, sending.me_id())
        except NotFound:
            # Changed and then deleted: there is no "theirs" to build on.
            await deleted(sending, entry, report)
            return
        except SourceError:
            theirs = None
    mine = sending.store.ticket(entry["payload"].get("ticket_id", 0)) if theirs is None else None
    # Who changed what since the view the write was based on, for the conflict screen.
    sending.outbox.update(
        entry["id"],
        status="conflict",
        theirs=theirs or mine,
        their_changes=changes,
        last_error="someone else changed this ticket first",
    )
    report.conflicts.append(entry["id"])


async def deleted(sending: Sending, entry: dict, report: SendReport) -> None:
    """The ticket was deleted meanwhile: no version to re-apply on, so this is no
    conflict and nothing is retried. Every write still queued for it stops here with
    its text kept; who deleted it comes from the deleted tickets list when the token
    may read it (an agent role without "view deleted tickets" gets 403)."""
    ticket_id = entry["payload"]["ticket_id"]
    gone: dict[str, Any] = {"ticket_id": ticket_id}
    cursor = sending.store.get("cursor:zendesk") or {}
    if cursor.get("deletions_unavailable"):
        gone["unknown"] = cursor["deletions_unavailable"]
    elif sending.clients.zendesk is not None:
        try:
            record = await sending.clients.zendesk.deleted_ticket(ticket_id)
        except SourceError as exc:
            gone["unknown"] = exc.message
        else:
            actor = (record or {}).get("actor") or {}
            gone.update(by_id=actor.get("id"), by=actor.get("name"), at=(record or {}).get("deleted_at"))
    who = f" by {gone['by']}" if gone.get("by") else ""
    message = f"ticket #{ticket_id} was deleted{who}; nothing was sent, your text is kept"
    stopped = [entry] + [
        e for e in sending.outbox.entries(ACTIVE) if e["target"] == entry["target"] and e["id"] != entry["id"]
    ]
    for each in stopped:
        sending.outbox.update(each["id"], status="failed", deleted=gone, theirs=None, last_error=message)
        report.failed.append(each["id"])
    report.changed_tickets += sending.store.put_tickets([{"id": ticket_id, "status": "deleted"}])
