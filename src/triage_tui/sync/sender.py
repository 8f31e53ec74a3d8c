"""The outbox sender: every persisted write goes out exactly once, in order per target.

- A 409 on a safe update becomes a conflict holding both versions; nothing is overwritten.
- A write that went out without an answer (timeout after sending, a crash or kill -9
  between "sending" and "sent") is checked against the service before being resent, so
  a reply is never posted twice.
- When one write to a ticket succeeds, later queued writes to the same ticket that were
  based on the same view move their stamp forward: our own change is not a conflict.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from triage_tui.sources.errors import AmbiguousWrite, Conflict, Offline, SourceError
from triage_tui.store.cache import Store
from triage_tui.store.outbox import (
    ACTIVE,
    MAX_RETRY_DELAY,
    NEEDS_USER,
    Outbox,
    SenderBusy,
    retry_due,
    retry_stamp,
)
from triage_tui.sync.clients import Clients
from triage_tui.targets import Target
from triage_tui.triage.sla import slas_after_write

if TYPE_CHECKING:
    from triage_tui.models.zendesk import Audit

# A write that the API rejected is shown to the user; one that keeps failing for network
# reasons is retried with capped backoff for as long as it takes.
MAX_BACKOFF = MAX_RETRY_DELAY.total_seconds()
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    waiting: int = 0
    busy: bool = False
    offline: set[str] = field(default_factory=set)
    changed_tickets: list[int] = field(default_factory=list)

    def line(self) -> str:
        if self.busy:
            return "outbox: another process is sending"
        return (
            f"outbox: {len(self.sent)} sent, {self.waiting} waiting, "
            f"{len(self.conflicts)} conflicts, {len(self.failed)} failed"
        )


def _their_changes(audits: list[Audit], me: int | None) -> list[dict]:
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


def _parse(stamp: str | None) -> dt.datetime | None:
    if not stamp:
        return None
    return dt.datetime.fromisoformat(stamp)


class Sender:
    def __init__(
        self,
        outbox: Outbox,
        store: Store,
        clients: Clients,
        now: Callable[[], dt.datetime],
        monotonic: Callable[[], float],
    ) -> None:
        self.outbox = outbox
        self.store = store
        self.clients = clients
        self.now = now
        self.monotonic = monotonic
        # Backoffs this process set: entry id -> (the retry_at it persisted, a monotonic
        # deadline). Monotonic time lives only here; the disk holds wall-clock time.
        self._deadlines: dict[str, tuple[str, float]] = {}

    def _backoff(self, attempts: int) -> float:
        return min(MAX_BACKOFF, 2.0 * 2 ** min(attempts, 8)) * (0.5 + random.random() / 2)

    def _retry_at(self, entry: dict) -> str:
        """Back `entry` off: the wall-clock time to persist, remembered monotonically too."""
        delay = self._backoff(entry["attempts"])
        stamp = retry_stamp(self.now() + dt.timedelta(seconds=delay))
        self._deadlines[entry["id"]] = (stamp, self.monotonic() + delay)
        return stamp

    def _due(self, entry: dict) -> bool:
        remembered = self._deadlines.get(entry["id"])
        if remembered is not None and remembered[0] == entry.get("retry_at"):
            # Our own backoff: monotonic time does not jump when someone sets the clock.
            return remembered[1] <= self.monotonic()
        # Set by an earlier process (maybe before a reboot), or changed since: wall clock.
        return retry_due(entry, self.now())

    async def send_due(self) -> SendReport:
        report = SendReport()
        try:
            with self.outbox.sender_lock():
                await self._send(report)
        except SenderBusy:
            report.busy = True
        return report

    async def _send(self, report: SendReport) -> None:
        blocked: set[str] = {e["target"] for e in self.outbox.entries(NEEDS_USER)}
        for listed in self.outbox.entries(ACTIVE):
            # Re-read: an earlier send in this round may have moved this entry's stamp on.
            entry = self.outbox.get(listed["id"]) or listed
            source = Target.parse(entry["target"]).source
            if entry["target"] in blocked or source in report.offline:
                report.waiting += 1
                continue
            if not self._due(entry):
                blocked.add(entry["target"])
                report.waiting += 1
                continue
            if entry["status"] == "sending":
                try:
                    applied, new_stamp = await self._already_applied(entry)
                except SourceError as exc:
                    self._retry_later(entry, exc, report, blocked)
                    continue
                if applied:
                    self.outbox.update(
                        entry["id"],
                        status="sent",
                        sent_at=self.now().isoformat(),
                        note="found applied after an interrupted send",
                    )
                    report.sent.append(entry["id"])
                    if new_stamp:
                        self._advance_stamps(entry, new_stamp)
                    continue
            self.outbox.update(entry["id"], status="sending", attempts=entry["attempts"] + 1)
            try:
                result = await self._dispatch(entry)
            except Conflict:
                await self._conflict(entry, report)
                blocked.add(entry["target"])
            except AmbiguousWrite as exc:
                # Leave it "sending": the next round checks the service before resending.
                self.outbox.update(entry["id"], last_error=exc.message, retry_at=self._retry_at(entry))
                blocked.add(entry["target"])
                report.waiting += 1
            except SourceError as exc:
                if exc.retryable:
                    self._retry_later(entry, exc, report, blocked)
                else:
                    self.outbox.update(entry["id"], status="failed", last_error=exc.message)
                    report.failed.append(entry["id"])
                    blocked.add(entry["target"])
            else:
                self.outbox.update(entry["id"], status="sent", sent_at=self.now().isoformat(), last_error=None)
                report.sent.append(entry["id"])
                if isinstance(result, dict) and entry["kind"] == "ticket_update":
                    self._after_ticket_update(entry, result, report)
        self.outbox.prune()

    def _retry_later(self, entry: dict, exc: SourceError, report: SendReport, blocked: set[str]) -> None:
        status = "sending" if entry["status"] == "sending" else "pending"
        self.outbox.update(entry["id"], status=status, last_error=exc.message, retry_at=self._retry_at(entry))
        blocked.add(entry["target"])
        report.waiting += 1
        if isinstance(exc, Offline):
            source = Target.parse(entry["target"]).source
            report.offline.add(source)
            self.store.mark_failed(source, self.now(), exc.message, offline=True)

    async def _dispatch(self, entry: dict) -> Any:
        kind, payload = entry["kind"], entry["payload"]
        zendesk, incidentio, github = self.clients.zendesk, self.clients.incidentio, self.clients.github
        if kind == "ticket_update" and zendesk:
            ticket = await zendesk.update_ticket(payload["ticket_id"], {"ticket": payload["ticket"]})
            return ticket.model_dump(mode="json")
        if kind == "macro_create" and zendesk:
            macro = await zendesk.create_macro({"macro": payload["macro"]})
            self._refresh_macro(macro.model_dump(mode="json"))
            return macro
        if kind == "macro_update" and zendesk:
            macro = await zendesk.update_macro(payload["macro_id"], {"macro": payload["macro"]})
            self._refresh_macro(macro.model_dump(mode="json"))
            return macro
        if kind == "macro_delete" and zendesk:
            await zendesk.delete_macro(payload["macro_id"])
            self.store.put_list("macros", [m for m in self.store.list("macros") if m["id"] != payload["macro_id"]])
            return None
        if kind == "incident_attach" and incidentio:
            return await incidentio.attach_ticket(payload["incident_id"], payload["ticket_id"])
        if kind == "incident_role" and incidentio:
            incident = await incidentio.assign_role(payload["incident_id"], payload["role_id"], payload["email"])
            dumped = incident.model_dump(mode="json")
            self.store.put_list(
                "incidents", [dumped if i["id"] == dumped["id"] else i for i in self.store.list("incidents")]
            )
            return incident
        if kind == "github_labels" and github:
            return await github.add_labels(payload["repo"], payload["number"], payload["labels"])
        if kind == "github_unlabel" and github:
            return await github.remove_label(payload["repo"], payload["number"], payload["label"])
        raise Offline(Target.parse(entry["target"]).source, f"no client for {kind}: service not configured")

    def _refresh_macro(self, macro: dict) -> None:
        macros = [m for m in self.store.list("macros") if m["id"] != macro["id"]]
        self.store.put_list("macros", macros + [macro])

    def _after_ticket_update(self, entry: dict, ticket: dict, report: SendReport) -> None:
        previous = self.store.ticket(ticket["id"]) or {}
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
        self.store.put_tickets([ticket], only_if_newer=True)
        report.changed_tickets.append(ticket["id"])
        self._advance_stamps(entry, ticket.get("updated_at"))

    def _advance_stamps(self, entry: dict, new_stamp: str | None) -> None:
        """Later writes based on the same view as `entry` now build on our own change."""
        old_stamp = entry["payload"].get("ticket", {}).get("updated_stamp")
        if not old_stamp or not new_stamp:
            return
        for later in self.outbox.entries(("pending", "sending")):
            body = later["payload"].get("ticket")
            if (
                later["id"] != entry["id"]
                and later["target"] == entry["target"]
                and body
                and body.get("updated_stamp") == old_stamp
            ):
                payload = {**later["payload"], "ticket": {**body, "updated_stamp": new_stamp}}
                self.outbox.update(later["id"], payload=payload)

    async def _conflict(self, entry: dict, report: SendReport) -> None:
        """A 409. If every change since the stamp is ours (an earlier write of this queue,
        sent before the view refreshed), build on it; otherwise it is a real conflict."""
        theirs = None
        their_changes: list[dict] = []
        if self.clients.zendesk and entry["kind"] == "ticket_update":
            ticket_id = entry["payload"]["ticket_id"]
            try:
                fresh = await self.clients.zendesk.ticket(ticket_id)
                theirs = fresh.model_dump(mode="json")
                self.store.put_tickets([theirs])
                report.changed_tickets.append(fresh.id)
                later = await self._audits_since(ticket_id, entry["payload"]["ticket"].get("updated_stamp"))
                if self._only_ours(later):
                    body = {**entry["payload"]["ticket"], "updated_stamp": theirs["updated_at"]}
                    self.outbox.update(
                        entry["id"], status="pending", payload={**entry["payload"], "ticket": body}, last_error=None
                    )
                    report.waiting += 1
                    return
                their_changes = _their_changes(later, (self.store.get("me") or {}).get("id"))
            except SourceError:
                theirs = None
        mine = self.store.ticket(entry["payload"].get("ticket_id", 0)) if theirs is None else None
        # Who changed what since the view the write was based on, for the conflict screen.
        self.outbox.update(
            entry["id"],
            status="conflict",
            theirs=theirs or mine,
            their_changes=their_changes,
            last_error="someone else changed this ticket first",
        )
        report.conflicts.append(entry["id"])

    async def _audits_since(self, ticket_id: int, stamp: str | None) -> list[Audit]:
        since = _parse(stamp)
        if since is None or self.clients.zendesk is None:
            return []
        return [a for a in await self.clients.zendesk.audits(ticket_id) if a.created_at and a.created_at > since]

    def _only_ours(self, later: list[Audit]) -> bool:
        me = (self.store.get("me") or {}).get("id")
        return me is not None and bool(later) and all(a.author_id == me for a in later)

    async def _already_applied(self, entry: dict) -> tuple[bool, str | None]:
        """After an interrupted send: did the service act on it? Only non-idempotent writes ask.

        For a ticket update, also the ticket's updated_at that our change produced (the
        audit's time), so later writes can build on it without a false conflict.
        """
        kind, payload = entry["kind"], entry["payload"]
        since = (_parse(entry["created_at"]) or self.now()) - CLOCK_SKEW
        if kind == "ticket_update" and self.clients.zendesk:
            me = (self.store.get("me") or {}).get("id")
            body = payload["ticket"]
            comment = (body.get("comment") or {}).get("body")
            for audit in await self.clients.zendesk.audits(payload["ticket_id"]):
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
        if kind == "macro_create" and self.clients.zendesk:
            macros, _ = await self.clients.zendesk.macros()
            return any(m.title == payload["macro"]["title"] for m in macros), None
        if kind == "incident_attach" and self.clients.incidentio:
            attachments, _ = await self.clients.incidentio.attachments(payload["incident_id"])
            return any(a.resource.external_id == str(payload["ticket_id"]) for a in attachments), None
        return False, None  # idempotent writes (labels, role, status-only) are simply sent again
