"""The outbox sender: every persisted write goes out exactly once, in order per target.

Here: the round over the outbox and what happens when a send fails; each kind of write is
sent by its handler, found in `HANDLERS` (the dispatch table), one module per family:
sync/send_zendesk.py, send_bulk.py (update_many jobs), send_incidents.py, send_github.py;
a 409 or a deleted ticket: sync/send_conflicts.py.

- A write that went out without an answer (timeout after sending, a crash or kill -9
  between "sending" and "sent") is checked against the service (its handler's `applied`)
  before being resent, so a reply is never posted twice.
- A 409 on a safe update becomes a conflict holding both versions; nothing is overwritten.
- A 429 puts every write of that service off until its Retry-After, never earlier; other
  failures a service may recover from are retried with capped backoff; a request the API
  rejects outright is failed and shown.
- A write whose service has no client (not configured) waits, as for a service offline.
"""

from __future__ import annotations

from triage_tui.sources.errors import AmbiguousWrite, Conflict, NotFound, Offline, SourceError
from triage_tui.store.outbox import ACTIVE, NEEDS_USER, SenderBusy
from triage_tui.sync import send_bulk, send_github, send_incidents, send_zendesk
from triage_tui.sync.send_conflicts import advance_stamps, conflict, deleted
from triage_tui.sync.sending import Handler, Sending, SendReport
from triage_tui.targets import Target, WriteKind

__all__ = ["HANDLERS", "SendReport", "Sender"]

# Every kind of write but `ticket_bulk`, which goes in groups (sync/send_bulk.py).
HANDLERS: dict[WriteKind, Handler] = {
    WriteKind.TICKET_UPDATE: send_zendesk.TICKET_UPDATE,
    WriteKind.TICKET_TAGS: send_zendesk.TICKET_TAGS,
    WriteKind.TICKET_CREATE: send_zendesk.TICKET_CREATE,
    WriteKind.USER_UPDATE: Handler("zendesk", send_zendesk.send_user),
    WriteKind.MACRO_CREATE: Handler("zendesk", send_zendesk.send_macro_create, send_zendesk.applied_macro_create),
    WriteKind.MACRO_UPDATE: Handler("zendesk", send_zendesk.send_macro_update),
    WriteKind.MACRO_DELETE: Handler("zendesk", send_zendesk.send_macro_delete),
    WriteKind.INCIDENT_CREATE: Handler("incidentio", send_incidents.send_create),
    WriteKind.INCIDENT_ATTACH: Handler("incidentio", send_incidents.send_attach, send_incidents.applied_attach),
    WriteKind.INCIDENT_ROLE: Handler("incidentio", send_incidents.send_role),
    WriteKind.GITHUB_LABELS: Handler("github", send_github.send_labels),
    WriteKind.GITHUB_ISSUE_CREATE: Handler("github", send_github.send_issue, finish=send_github.finish_bug_report),
    WriteKind.GITHUB_COMMENT: Handler("github", send_github.send_comment, finish=send_github.finish_bug_report),
    WriteKind.GITHUB_ASSIGN: Handler("github", send_github.send_assign),
}


class Sender(Sending):
    def handler(self, entry: dict) -> Handler | None:
        """`entry`'s handler, when its service has a client; None when it has not, or the
        kind is unknown here (written by a later version): then the write waits."""
        try:
            kind = WriteKind(entry["kind"])
        except ValueError:
            return None
        handler = HANDLERS.get(kind)
        if handler is None or getattr(self.clients, handler.service) is None:
            return None
        return handler

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
        jobs: dict[str, list[dict]] = {}  # running jobs due to be read: job id -> its entries
        handled: set[str] = set()  # entries a bulk request of this round already carried
        for listed in self.outbox.entries(ACTIVE):
            if listed["id"] in handled:
                continue
            # Re-read: an earlier send in this round may have moved this entry's stamp on.
            entry = self.outbox.get(listed["id"]) or listed
            source = Target.parse(entry["target"]).source
            if entry.get("job_id"):
                # In a running job: the ticket's later writes wait for its outcome.
                blocked.add(entry["target"])
                report.waiting += 1
                wait = self.job_wait(entry)
                if wait <= 0:
                    jobs.setdefault(entry["job_id"], []).append(entry)
                else:
                    report.wake(wait)
                continue
            if entry["target"] in blocked or source in report.offline or source in report.limited:
                report.waiting += 1
                continue
            if not self.due(entry):
                blocked.add(entry["target"])
                report.waiting += 1
                continue
            if entry["kind"] == WriteKind.TICKET_BULK:
                group = send_bulk.bulk_group(self, entry, blocked)
                handled.update(e["id"] for e in group)
                await send_bulk.submit(self, group, report, blocked)
                continue
            await self._send_one(entry, self.handler(entry), report, blocked)
        if jobs:
            await send_bulk.follow(self, jobs, report)
        self.outbox.prune()

    async def _send_one(self, entry: dict, handler: Handler | None, report: SendReport, blocked: set[str]) -> None:
        if entry["status"] == "sending" and handler is not None:
            try:
                applied, new_stamp = await handler.applied(self, entry)
            except SourceError as exc:
                if self._gone(handler, exc):
                    await deleted(self, entry, report)
                    blocked.add(entry["target"])
                else:
                    self.retry_later(entry, exc, report, blocked)
                return
            if applied:
                self.mark_sent(entry, note="found applied after an interrupted send")
                report.sent.append(entry["id"])
                if new_stamp:
                    advance_stamps(self, entry, new_stamp)
                return
        self.outbox.update(entry["id"], status="sending", attempts=entry["attempts"] + 1)
        try:
            if handler is None:
                source = Target.parse(entry["target"]).source
                raise Offline(source, f"no client for {entry['kind']}: service not configured")
            result = await handler.send(self, entry)
        except Conflict:
            await conflict(self, entry, report)
            blocked.add(entry["target"])
        except AmbiguousWrite as exc:
            # Leave it "sending": the next round checks the service before resending.
            self.outbox.update(entry["id"], last_error=exc.message, retry_at=self.retry_at(entry))
            blocked.add(entry["target"])
            report.waiting += 1
        except SourceError as exc:
            if self._gone(handler, exc):
                await deleted(self, entry, report)
                blocked.add(entry["target"])
            elif exc.retryable:
                self.retry_later(entry, exc, report, blocked)
            else:
                self.outbox.update(entry["id"], status="failed", last_error=exc.message)
                report.failed.append(entry["id"])
                blocked.add(entry["target"])
        else:
            handler.finish(self, entry, result, report)
            report.sent.append(entry["id"])

    @staticmethod
    def _gone(handler: Handler | None, exc: SourceError) -> bool:
        """A 404 for a ticket's write: the ticket was deleted (Zendesk answers 404 for it)."""
        return isinstance(exc, NotFound) and handler is not None and handler.gone_on_404
