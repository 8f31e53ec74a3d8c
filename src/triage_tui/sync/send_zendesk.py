"""The sender's Zendesk writes, one at a time: ticket updates, tags, follow-up tickets, a
requester's organization, macros (bulk changes: sync/send_bulk.py).

- A write that went out without an answer (timeout after sending, a crash or kill -9
  between "sending" and "sent") is checked against Zendesk before being resent, so a reply
  is never posted twice: each `applied_*` says whether Zendesk has it already.
- Tags added or removed go through a ticket's tags endpoints (a single update ignores
  additional_tags/remove_tags); the answer lists the ticket's tags, so a tag that did not
  land is sent again.
- What Zendesk answers is put in the cache at once, before the next poll says so.
"""

from __future__ import annotations

from typing import Any

from triage_tui.sources.errors import BadResponse
from triage_tui.sources.zendesk import ZendeskClient
from triage_tui.sync.send_conflicts import advance_stamps
from triage_tui.sync.sending import Handler, Sending, SendReport
from triage_tui.triage.sla import slas_after_write


def _zendesk(sending: Sending) -> ZendeskClient:
    # The sender looks a handler up only when its service has a client.
    assert sending.clients.zendesk is not None
    return sending.clients.zendesk


# -- ticket updates ------------------------------------------------------------------------
async def send_update(sending: Sending, entry: dict) -> dict:
    payload = entry["payload"]
    ticket = await _zendesk(sending).update_ticket(payload["ticket_id"], {"ticket": payload["ticket"]})
    return ticket.model_dump(mode="json")


async def applied_update(sending: Sending, entry: dict) -> tuple[bool, str | None]:
    """Whether our comment (or, without one, a field we set) is in an audit of ours since
    the write was queued; and the ticket's updated_at that our change produced (the audit's
    time), so later writes can build on it without a false conflict."""
    payload = entry["payload"]
    since = sending.since(entry)
    me = sending.me_id()
    body = payload["ticket"]
    comment = (body.get("comment") or {}).get("body")
    for audit in await _zendesk(sending).audits(payload["ticket_id"]):
        if (audit.created_at and audit.created_at < since) or (me and audit.author_id != me):
            continue
        stamp = audit.created_at.strftime("%Y-%m-%dT%H:%M:%SZ") if audit.created_at else None
        for event in audit.events:
            if comment is not None and event.get("type") == "Comment" and event.get("body") == comment:
                return True, stamp
            if (
                comment is None
                and event.get("type") == "Change"
                and event.get("field_name") in body
                and event.get("value") == body[event["field_name"]]
            ):
                return True, stamp
    return False, None


def finish_update(sending: Sending, entry: dict, result: Any, report: SendReport) -> None:
    sending.mark_sent(entry, last_error=None)
    if isinstance(result, dict):
        _after_update(sending, entry, result, report)


def _after_update(sending: Sending, entry: dict, ticket: dict, report: SendReport) -> None:
    store = sending.store
    previous = store.ticket(ticket["id"]) or {}
    comment = entry["payload"]["ticket"].get("comment")
    public_reply = bool(comment and comment.get("public", True))
    if ticket.get("metric_set") is None and previous.get("metric_set"):
        metrics = dict(previous["metric_set"])
        if public_reply:
            metrics["assignee_updated_at"] = ticket.get("updated_at")
        ticket["metric_set"] = metrics
    if ticket.get("slas") is None and previous.get("slas"):
        # The answer has no `slas`: Zendesk's SLA stays the queue's, not the handbook's count.
        ticket["slas"] = slas_after_write(previous["slas"], ticket.get("status"), public_reply)
    store.put_tickets([ticket], only_if_newer=True)
    report.changed_tickets.append(ticket["id"])
    advance_stamps(sending, entry, ticket.get("updated_at"))


# -- tags ----------------------------------------------------------------------------------
async def send_tags(sending: Sending, entry: dict) -> dict:
    """Add or remove tags; the answer is the ticket's tags after, checked and cached."""
    zendesk = _zendesk(sending)
    payload = entry["payload"]
    ticket_id, wanted = payload["ticket_id"], payload["ticket"]["tags"]
    if payload["action"] == "add":
        tags = await zendesk.add_tags(ticket_id, payload["ticket"])
        landed = all(tag in tags for tag in wanted)
    else:
        tags = await zendesk.remove_tags(ticket_id, payload["ticket"])
        landed = not any(tag in tags for tag in wanted)
    if not landed:
        # Zendesk warns that a collision of updates can lose tags: send it again.
        raise BadResponse("zendesk", f"#{ticket_id}: the tags answer lacks our change ({' '.join(wanted)})")
    cached = sending.store.ticket(ticket_id)
    if cached is not None:
        sending.store.put_tickets([{**cached, "tags": tags}])
    return {"tags": tags}


async def applied_tags(sending: Sending, entry: dict) -> tuple[bool, str | None]:
    # Adding or removing a tag twice changes nothing: the ticket's tags say it all.
    payload = entry["payload"]
    tags = (await _zendesk(sending).ticket(payload["ticket_id"])).tags or []
    wanted = payload["ticket"]["tags"]
    if payload["action"] == "add":
        return all(tag in tags for tag in wanted), None
    return not any(tag in tags for tag in wanted), None


def finish_tags(sending: Sending, entry: dict, result: Any, report: SendReport) -> None:
    sending.mark_sent(entry, last_error=None)
    report.changed_tickets.append(entry["payload"]["ticket_id"])


# -- a follow-up ticket, a requester's organization ---------------------------------------
async def send_create(sending: Sending, entry: dict) -> dict:
    created = (await _zendesk(sending).create_ticket({"ticket": entry["payload"]["ticket"]})).model_dump(mode="json")
    sending.store.put_tickets([created])
    return created


async def applied_create(sending: Sending, entry: dict) -> tuple[bool, str | None]:
    # Search indexes a new ticket late; the requester's list is as it is now.
    ticket = entry["payload"]["ticket"]
    mine = await _zendesk(sending).requested_tickets(ticket["requester_id"])
    return any(t.get("external_id") == ticket["external_id"] for t in mine), None


def finish_create(sending: Sending, entry: dict, result: Any, report: SendReport) -> None:
    sending.mark_sent(entry, last_error=None)
    if isinstance(result, dict):
        report.changed_tickets.append(result["id"])  # the new follow-up shows at once


async def send_user(sending: Sending, entry: dict) -> dict:
    payload = entry["payload"]
    user = (await _zendesk(sending).update_user(payload["user_id"], {"user": payload["user"]})).model_dump(mode="json")
    sending.store.put_records("user", [user])
    return user


# -- macros --------------------------------------------------------------------------------
async def send_macro_create(sending: Sending, entry: dict) -> Any:
    macro = await _zendesk(sending).create_macro({"macro": entry["payload"]["macro"]})
    _refresh_macro(sending, macro.model_dump(mode="json"))
    return macro


async def applied_macro_create(sending: Sending, entry: dict) -> tuple[bool, str | None]:
    macros, _ = await _zendesk(sending).macros()
    return any(m.title == entry["payload"]["macro"]["title"] for m in macros), None


async def send_macro_update(sending: Sending, entry: dict) -> Any:
    payload = entry["payload"]
    macro = await _zendesk(sending).update_macro(payload["macro_id"], {"macro": payload["macro"]})
    _refresh_macro(sending, macro.model_dump(mode="json"))
    return macro


async def send_macro_delete(sending: Sending, entry: dict) -> None:
    macro_id = entry["payload"]["macro_id"]
    await _zendesk(sending).delete_macro(macro_id)
    sending.store.put_list("macros", [m for m in sending.store.list("macros") if m["id"] != macro_id])


def _refresh_macro(sending: Sending, macro: dict) -> None:
    macros = [m for m in sending.store.list("macros") if m["id"] != macro["id"]]
    sending.store.put_list("macros", macros + [macro])


# The ticket writes' handlers: checked after an interrupted send, and a 404 means the
# ticket was deleted.
TICKET_UPDATE = Handler("zendesk", send_update, applied_update, finish_update, gone_on_404=True)
TICKET_TAGS = Handler("zendesk", send_tags, applied_tags, finish_tags, gone_on_404=True)
TICKET_CREATE = Handler("zendesk", send_create, applied_create, finish_create)
