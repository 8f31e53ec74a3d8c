"""The outbox sender: every persisted write goes out exactly once, in order per target.

- A 409 on a safe update becomes a conflict holding both versions; nothing is overwritten.
- A write that went out without an answer (timeout after sending, a crash or kill -9
  between "sending" and "sent") is checked against the service before being resent, so
  a reply is never posted twice.
- When one write to a ticket succeeds, later queued writes to the same ticket that were
  based on the same view move their stamp forward: our own change is not a conflict.
- Tags added or removed go through a ticket's tags endpoints (a single update ignores
  additional_tags/remove_tags); the answer lists the ticket's tags, so a tag that did not
  land is sent again.
- A uniform change to many tickets (`ticket_bulk` entries of one group) goes as
  `update_many` requests of at most 100 ids; each answers a job, whose id is persisted in
  the entries and which is followed (job_statuses/show_many, one request for every job,
  with backoff) until it ends; then each ticket's entry is sent or failed by its own result.
  Bulk bodies carry no text, so a bulk request whose answer was lost is simply sent again.
- A 429 puts every write of that service off until its Retry-After, never earlier.
- A bug report's GitHub write (a new issue, or a +1 comment) carries a hidden marker; tried
  again after an interrupted send, the issue or comment is looked for by it first. Once
  GitHub has it, the reply with its link is queued in the same outbox transaction that
  records it sent: exactly one issue, one reply, whatever dies in between.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from triage_tui.sources.errors import (
    AmbiguousWrite,
    BadResponse,
    Conflict,
    NotFound,
    Offline,
    RateLimited,
    Rejected,
    SourceError,
)
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
from triage_tui.sync.writes import Writes
from triage_tui.targets import Target
from triage_tui.triage import bug_reports
from triage_tui.triage.sla import slas_after_write

if TYPE_CHECKING:
    from triage_tui.models.incidentio import Incident
    from triage_tui.models.zendesk import Audit
    from triage_tui.sources.zendesk import JobStatus

# A write that the API rejected is shown to the user; one that keeps failing for network
# reasons is retried with capped backoff for as long as it takes.
MAX_BACKOFF = MAX_RETRY_DELAY.total_seconds()
CLOCK_SKEW = dt.timedelta(minutes=5)
BULK_IDS = 100  # update_many takes at most 100 ids
# A job is read 1 s after it was queued, then 2, 4, 8, 10, 10... s apart; all of them in
# one request, and further apart when the account's budget runs low.
JOB_POLL_FIRST, JOB_POLL_MAX = 1.0, 10.0


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    waiting: int = 0
    busy: bool = False
    offline: set[str] = field(default_factory=set)
    changed_tickets: list[int] = field(default_factory=list)
    # Texts for the user's clipboard (a bug report's team-channel alert, for Slack).
    copies: list[str] = field(default_factory=list)
    # Services a 429 told to wait this round, and what each finished bulk job did.
    limited: set[str] = field(default_factory=set)
    jobs: list[str] = field(default_factory=list)
    # Seconds until a running job should be read again (None: nothing to follow).
    wake_in: float | None = None

    def line(self) -> str:
        if self.busy:
            return "outbox: another process is sending"
        line = (
            f"outbox: {len(self.sent)} sent, {self.waiting} waiting, "
            f"{len(self.conflicts)} conflicts, {len(self.failed)} failed"
        )
        return "; ".join([line, *self.jobs])

    def wake(self, seconds: float) -> None:
        self.wake_in = seconds if self.wake_in is None else min(self.wake_in, seconds)


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

    def _retry_at(self, entry: dict, delay: float | None = None) -> str:
        """Back `entry` off (by `delay` seconds, or the backoff of its attempts): the
        wall-clock time to persist, remembered monotonically too."""
        delay = self._backoff(entry["attempts"]) if delay is None else delay
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

    def _job_wait(self, entry: dict) -> float:
        """Seconds until `entry`'s job is read again: by the poll time this process set, or
        none when an earlier process set it (after a restart, the job is read first thing)."""
        remembered = self._deadlines.get(entry["id"])
        if remembered is None or remembered[0] != entry.get("retry_at"):
            return 0.0
        return max(0.0, remembered[1] - self.monotonic())

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
                wait = self._job_wait(entry)
                if wait <= 0:
                    jobs.setdefault(entry["job_id"], []).append(entry)
                else:
                    report.wake(wait)
                continue
            if entry["target"] in blocked or source in report.offline or source in report.limited:
                report.waiting += 1
                continue
            if not self._due(entry):
                blocked.add(entry["target"])
                report.waiting += 1
                continue
            if entry["kind"] == "ticket_bulk":
                group = self._bulk_group(entry, blocked)
                handled.update(e["id"] for e in group)
                await self._submit(group, report, blocked)
                continue
            if entry["status"] == "sending":
                try:
                    applied, new_stamp = await self._already_applied(entry)
                except SourceError as exc:
                    if self._gone(entry, exc):
                        await self._deleted(entry, report)
                        blocked.add(entry["target"])
                    else:
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
                if self._gone(entry, exc):
                    await self._deleted(entry, report)
                    blocked.add(entry["target"])
                elif exc.retryable:
                    self._retry_later(entry, exc, report, blocked)
                else:
                    self.outbox.update(entry["id"], status="failed", last_error=exc.message)
                    report.failed.append(entry["id"])
                    blocked.add(entry["target"])
            else:
                if entry["payload"].get("then") and isinstance(result, dict) and result.get("html_url"):
                    self._settle_bug_report(entry, result, report)
                else:
                    self.outbox.update(entry["id"], status="sent", sent_at=self.now().isoformat(), last_error=None)
                report.sent.append(entry["id"])
                if isinstance(result, dict) and entry["kind"] == "ticket_update":
                    self._after_ticket_update(entry, result, report)
                elif entry["kind"] == "ticket_tags":
                    report.changed_tickets.append(entry["payload"]["ticket_id"])
                elif entry["kind"] == "ticket_create" and isinstance(result, dict):
                    report.changed_tickets.append(result["id"])  # the new follow-up shows at once
        if jobs:
            await self._follow(jobs, report)
        self.outbox.prune()

    def _retry_later(self, entry: dict, exc: SourceError, report: SendReport, blocked: set[str]) -> None:
        status = "sending" if entry["status"] == "sending" else "pending"
        delay = None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            # The service said when: not a moment sooner (our own backoff could be shorter),
            # and every other write to it waits this round too.
            delay = exc.retry_after + random.uniform(0.0, min(5.0, 0.1 * exc.retry_after + 0.5))
            report.limited.add(Target.parse(entry["target"]).source)
        self.outbox.update(entry["id"], status=status, last_error=exc.message, retry_at=self._retry_at(entry, delay))
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
        if kind == "ticket_tags" and zendesk:
            return await self._send_tags(entry)
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
        if kind == "ticket_create" and zendesk:
            created = (await zendesk.create_ticket({"ticket": payload["ticket"]})).model_dump(mode="json")
            self.store.put_tickets([created])
            return created
        if kind == "user_update" and zendesk:
            user = (await zendesk.update_user(payload["user_id"], {"user": payload["user"]})).model_dump(mode="json")
            self.store.put_records("user", [user])
            return user
        if kind == "incident_create" and incidentio:
            return await self._raise_incident(entry)
        if kind == "github_labels" and github:
            return await github.add_labels(payload["repo"], payload["number"], payload["labels"])
        if kind == "github_unlabel" and github:
            return await github.remove_label(payload["repo"], payload["number"], payload["label"])
        if kind == "github_issue_create" and github:
            return await self._create_issue(entry)
        if kind == "github_comment" and github:
            return await self._comment_issue(entry)
        if kind == "github_assign" and github:
            login = (await github.me()).login
            issue = await github.add_assignees(payload["repo"], payload["number"], [login])
            assignees = [{"login": a.login} for a in issue.assignees]
            self._cache_issue(payload["repo"], payload["number"], assignees=assignees)
            if login not in [a.login for a in issue.assignees]:
                # GitHub leaves out, silently, anyone who may not be assigned (no push access).
                raise Rejected("github", f"{payload['repo']}#{payload['number']}: GitHub did not assign {login}")
            return {"html_url": issue.html_url, "assignees": [a.login for a in issue.assignees]}
        raise Offline(Target.parse(entry["target"]).source, f"no client for {kind}: service not configured")

    # -- issue 26, part B -------------------------------------------------------------------
    async def _raise_incident(self, entry: dict) -> Incident:
        """Create the incident (its idempotency key makes a resend return the same one),
        cache it, then queue its tickets' tag and attachment by the existing attach path,
        once: a resend after a crash finds them queued already."""
        incidentio = self.clients.incidentio
        assert incidentio is not None
        incident = await incidentio.create_incident(entry["payload"]["incident"])
        dumped = incident.model_dump(mode="json")
        others = [i for i in self.store.list("incidents") if i["id"] != dumped["id"]]
        self.store.put_list("incidents", [dumped, *others])
        queued = any(
            e["kind"] == "incident_attach" and e["payload"].get("raised_by") == entry["id"]
            for e in self.outbox.entries()
        )
        tickets = [t for t in (self.store.ticket(i) for i in entry["payload"]["ticket_ids"]) if t]
        if tickets and not queued:
            specs = Writes(self.outbox, self.store, self.now).attach_specs(tickets, dumped)
            for spec in specs:
                if spec["kind"] == "incident_attach":
                    spec["payload"]["raised_by"] = entry["id"]
            self.outbox.add_many(specs, now=self.now())
        return incident

    # -- bug reports and GitHub issue work (issue 26) -----------------------------------------
    async def _create_issue(self, entry: dict) -> dict:
        """Open the issue, unless an earlier try already did: any try before this one may
        have reached GitHub (a lost answer, a kill -9), so its marker is looked for first."""
        github = self.clients.github
        assert github is not None
        payload = entry["payload"]
        if entry["attempts"] > 0:
            since = (_parse(entry["created_at"]) or self.now()) - CLOCK_SKEW
            marker = bug_reports.marker_line(payload["marker"])
            for issue in await github.issues_since(payload["repo"], since.strftime("%Y-%m-%dT%H:%M:%SZ")):
                if marker in (issue.body or ""):
                    return {"html_url": issue.html_url, "number": issue.number, "found": True}
        issue = await github.create_issue(payload["repo"], payload["title"], payload["body"], payload["labels"])
        return {"html_url": issue.html_url, "number": issue.number}

    async def _comment_issue(self, entry: dict) -> dict:
        github = self.clients.github
        assert github is not None
        payload = entry["payload"]
        repo, number = payload["repo"], payload["number"]
        url = f"https://github.com/{repo}/issues/{number}"
        marker = payload.get("marker")
        if entry["attempts"] > 0 and marker:
            line = bug_reports.marker_line(marker)
            if any(line in (comment.body or "") for comment in await github.comments(repo, number)):
                return {"html_url": url, "number": number, "found": True}
        await github.add_comment(repo, number, payload["body"])
        cached = next((i for i in self.store.get(f"issues:{repo}", {}).get("items", []) if i["number"] == number), None)
        if cached is not None:
            self._cache_issue(repo, number, comments=int(cached.get("comments") or 0) + 1)
        return {"html_url": url, "number": number}

    def _cache_issue(self, repo: str, number: int, **changes: Any) -> None:
        """Our change to an issue, in the cache before the next GitHub poll says so."""
        cached = self.store.get(f"issues:{repo}")
        if not isinstance(cached, dict):
            return
        items = [{**item, **changes} if item.get("number") == number else item for item in cached.get("items", [])]
        self.store.set(f"issues:{repo}", {**cached, "items": items})

    def _settle_bug_report(self, entry: dict, result: dict, report: SendReport) -> None:
        """Sent, with the issue recorded and the reply queued, all at once (Outbox.settle)."""
        then = entry["payload"]["then"]
        url = str(result["html_url"])
        writes = Writes(self.outbox, self.store, self.now)
        self.outbox.settle(
            entry["id"],
            {"status": "sent", "sent_at": self.now().isoformat(), "last_error": None, "issue": result},
            writes.reply_after_issue(entry, url),
            now=self.now(),
        )
        report_ = bug_reports.BugReport(**then["report"])
        if then.get("existing"):
            report.jobs.append(f"#{then['ticket_id']}: +1 on {url}; the reply goes next")
            return
        alert = bug_reports.team_alert(report_, url)
        report.copies.append(alert)
        where = f" for {then['channel']}" if then.get("channel") else ""
        report.jobs.append(f"#{then['ticket_id']}: {report_.what} opened: {url}\nCopied{where} (OSC 52): {alert}")

    # -- tags and bulk jobs --------------------------------------------------------------
    async def _send_tags(self, entry: dict) -> dict:
        """Add or remove tags; the answer is the ticket's tags after, checked and cached."""
        zendesk = self.clients.zendesk
        assert zendesk is not None
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
        cached = self.store.ticket(ticket_id)
        if cached is not None:
            self.store.put_tickets([{**cached, "tags": tags}])
        return {"tags": tags}

    def _bulk_group(self, first: dict, blocked: set[str]) -> list[dict]:
        """`first` and the entries that can share its update_many request: same group, same
        body, due, not in a job yet, their tickets free; at most 100, in queue order."""
        group = [first]
        for other in self.outbox.entries(ACTIVE):
            if len(group) >= BULK_IDS:
                break
            if (
                other["id"] != first["id"]
                and other["kind"] == "ticket_bulk"
                and other["payload"].get("bulk") == first["payload"].get("bulk")
                and other["payload"]["ticket"] == first["payload"]["ticket"]
                and not other.get("job_id")
                and other["target"] not in blocked
                and other["seq"] > first["seq"]
                and self._due(other)
            ):
                group.append(other)
        return group

    async def _submit(self, group: list[dict], report: SendReport, blocked: set[str]) -> None:
        """One update_many for `group`; the job id persisted in every entry once known.

        Marked "sending" first: after a crash before the answer, the entries (sending, no
        job) are sent again, which is safe since a bulk body has no text."""
        zendesk = self.clients.zendesk
        for entry in group:
            entry.update(self.outbox.update(entry["id"], status="sending", attempts=entry["attempts"] + 1) or {})
            blocked.add(entry["target"])
        if zendesk is None:
            for entry in group:
                self._retry_later(
                    entry, Offline("zendesk", "no client for ticket_bulk: service not configured"), report, set()
                )
            return
        ids = [entry["payload"]["ticket_id"] for entry in group]
        try:
            job = await zendesk.update_many(ids, group[0]["payload"]["ticket"])
        except SourceError as exc:
            for entry in group:
                if exc.retryable:
                    self._retry_later(entry, exc, report, blocked)
                else:
                    self.outbox.update(entry["id"], status="failed", last_error=exc.message)
                    report.failed.append(entry["id"])
            return
        delay = self._poll_delay(0)
        for entry in group:
            self.outbox.update(
                entry["id"], job_id=job.id, job_polls=0, last_error=None, retry_at=self._retry_at(entry, delay)
            )
        report.waiting += len(group)
        report.wake(delay)

    def _poll_delay(self, polls: int) -> float:
        delay = min(JOB_POLL_MAX, JOB_POLL_FIRST * 2**polls)
        zendesk = self.clients.zendesk
        budget = zendesk.http.budget if zendesk is not None else None
        if budget is not None and budget.known and budget.share_left() < 0.2:
            delay = max(delay, JOB_POLL_MAX)  # the team needs what is left more than we do
        return delay

    async def _follow(self, jobs: dict[str, list[dict]], report: SendReport) -> None:
        """Read every due job in one request; settle the entries of those that ended."""
        zendesk = self.clients.zendesk
        if zendesk is None:
            return
        try:
            statuses = {job.id: job for job in await zendesk.job_statuses(list(jobs)[:BULK_IDS])}
        except SourceError as exc:
            for entries in jobs.values():
                for entry in entries:
                    self._retry_later(entry, exc, report, set())
            return
        for job_id, entries in list(jobs.items())[:BULK_IDS]:
            job = statuses.get(job_id)
            if job is None:
                # Zendesk forgets finished jobs after a while: whether it ran is unknown, and
                # the change is safe to send again.
                for entry in entries:
                    self.outbox.update(entry["id"], status="pending", job_id=None, retry_at=None)
                report.wake(0.0)
            elif not job.done:
                polls = int(entries[0].get("job_polls") or 0) + 1
                delay = self._poll_delay(polls)
                for entry in entries:
                    self.outbox.update(entry["id"], job_polls=polls, retry_at=self._retry_at(entry, delay))
                report.wake(delay)
            else:
                self._settle(job, entries, report)

    def _settle(self, job: JobStatus, entries: list[dict], report: SendReport) -> None:
        """Each ticket by its own result: applied to the cache at once, or failed and shown."""
        results = {result.id: result for result in job.results}
        failed: list[str] = []
        for entry in entries:
            ticket_id = entry["payload"]["ticket_id"]
            result = results.get(ticket_id)
            if result is not None and result.success:
                self.outbox.update(entry["id"], status="sent", sent_at=self.now().isoformat(), job_id=None)
                report.sent.append(entry["id"])
                self._apply_bulk(ticket_id, entry["payload"]["ticket"], report)
                continue
            why = (result.error if result else None) or job.message or f"bulk job {job.status}"
            self.outbox.update(entry["id"], status="failed", job_id=None, last_error=f"bulk update: {why}")
            report.failed.append(entry["id"])
            failed.append(f"#{ticket_id}")
        done = len(entries) - len(failed)
        note = f"bulk: {done} of {len(entries)} updated"
        if failed:
            note += f", {', '.join(failed[:5])}{' ...' if len(failed) > 5 else ''} failed (C to retry)"
        report.jobs.append(note)

    def _apply_bulk(self, ticket_id: int, body: dict, report: SendReport) -> None:
        """A bulk change as the ticket now has it, in the cache before the next poll says so."""
        cached = self.store.ticket(ticket_id)
        if cached is None:
            return
        ticket = {**cached, **{k: v for k, v in body.items() if k in ("status", "priority", "group_id", "assignee_id")}}
        tags = list(body["tags"]) if isinstance(body.get("tags"), list) else list(cached.get("tags") or [])
        tags += [tag for tag in body.get("additional_tags") or [] if tag not in tags]
        ticket["tags"] = [tag for tag in tags if tag not in (body.get("remove_tags") or [])]
        self.store.put_tickets([ticket])
        report.changed_tickets.append(ticket_id)

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
            except NotFound:
                # Changed and then deleted: there is no "theirs" to build on.
                await self._deleted(entry, report)
                return
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

    @staticmethod
    def _gone(entry: dict, exc: SourceError) -> bool:
        """A 404 for a ticket's write: the ticket was deleted (Zendesk answers 404 for it)."""
        return isinstance(exc, NotFound) and entry["kind"] in ("ticket_update", "ticket_tags")

    async def _deleted(self, entry: dict, report: SendReport) -> None:
        """The ticket was deleted meanwhile: no version to re-apply on, so this is no
        conflict and nothing is retried. Every write still queued for it stops here with
        its text kept; who deleted it comes from the deleted tickets list when the token
        may read it (an agent role without "view deleted tickets" gets 403)."""
        ticket_id = entry["payload"]["ticket_id"]
        deleted: dict[str, Any] = {"ticket_id": ticket_id}
        cursor = self.store.get("cursor:zendesk") or {}
        if cursor.get("deletions_unavailable"):
            deleted["unknown"] = cursor["deletions_unavailable"]
        elif self.clients.zendesk is not None:
            try:
                record = await self.clients.zendesk.deleted_ticket(ticket_id)
            except SourceError as exc:
                deleted["unknown"] = exc.message
            else:
                actor = (record or {}).get("actor") or {}
                deleted.update(by_id=actor.get("id"), by=actor.get("name"), at=(record or {}).get("deleted_at"))
        who = f" by {deleted['by']}" if deleted.get("by") else ""
        message = f"ticket #{ticket_id} was deleted{who}; nothing was sent, your text is kept"
        stopped = [entry] + [
            e for e in self.outbox.entries(ACTIVE) if e["target"] == entry["target"] and e["id"] != entry["id"]
        ]
        for each in stopped:
            self.outbox.update(each["id"], status="failed", deleted=deleted, theirs=None, last_error=message)
            report.failed.append(each["id"])
        report.changed_tickets += self.store.put_tickets([{"id": ticket_id, "status": "deleted"}])

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
        if kind == "ticket_tags" and self.clients.zendesk:
            # Adding or removing a tag twice changes nothing: the ticket's tags say it all.
            tags = (await self.clients.zendesk.ticket(payload["ticket_id"])).tags or []
            wanted = payload["ticket"]["tags"]
            if payload["action"] == "add":
                return all(tag in tags for tag in wanted), None
            return not any(tag in tags for tag in wanted), None
        if kind == "macro_create" and self.clients.zendesk:
            macros, _ = await self.clients.zendesk.macros()
            return any(m.title == payload["macro"]["title"] for m in macros), None
        if kind == "ticket_create" and self.clients.zendesk:
            # Search indexes a new ticket late; the requester's list is as it is now.
            mark = payload["ticket"]["external_id"]
            mine = await self.clients.zendesk.requested_tickets(payload["ticket"]["requester_id"])
            return any(t.get("external_id") == mark for t in mine), None
        if kind == "incident_attach" and self.clients.incidentio:
            attachments, _ = await self.clients.incidentio.attachments(payload["incident_id"])
            return any(a.resource.external_id == str(payload["ticket_id"]) for a in attachments), None
        # Idempotent writes (labels, role, status-only, a user's org, an incident create by its
        # idempotency key) are simply sent again.
        return False, None
