"""The sender's bulk changes: a uniform change to many tickets (`ticket_bulk` entries of one
group) goes as `update_many` requests of at most 100 ids; each answers a job, whose id is
persisted in the entries and which is followed (job_statuses/show_many, one request for
every job, with backoff) until it ends; then each ticket's entry is sent or failed by its
own result. Bulk bodies carry no text, so a bulk request whose answer was lost is simply
sent again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage_tui.sources.errors import Offline, SourceError
from triage_tui.store.outbox import ACTIVE
from triage_tui.sync.sending import Sending, SendReport
from triage_tui.targets import WriteKind

if TYPE_CHECKING:
    from triage_tui.sources.zendesk import JobStatus

BULK_IDS = 100  # update_many takes at most 100 ids
# A job is read 1 s after it was queued, then 2, 4, 8, 10, 10... s apart; all of them in
# one request, and further apart when the account's budget runs low.
JOB_POLL_FIRST, JOB_POLL_MAX = 1.0, 10.0


def bulk_group(sending: Sending, first: dict, blocked: set[str]) -> list[dict]:
    """`first` and the entries that can share its update_many request: same group, same
    body, due, not in a job yet, their tickets free; at most 100, in queue order."""
    group = [first]
    for other in sending.outbox.entries(ACTIVE):
        if len(group) >= BULK_IDS:
            break
        if (
            other["id"] != first["id"]
            and other["kind"] == WriteKind.TICKET_BULK
            and other["payload"].get("bulk") == first["payload"].get("bulk")
            and other["payload"]["ticket"] == first["payload"]["ticket"]
            and not other.get("job_id")
            and other["target"] not in blocked
            and other["seq"] > first["seq"]
            and sending.due(other)
        ):
            group.append(other)
    return group


async def submit(sending: Sending, group: list[dict], report: SendReport, blocked: set[str]) -> None:
    """One update_many for `group`; the job id persisted in every entry once known.

    Marked "sending" first: after a crash before the answer, the entries (sending, no
    job) are sent again, which is safe since a bulk body has no text."""
    outbox, zendesk = sending.outbox, sending.clients.zendesk
    for entry in group:
        entry.update(outbox.update(entry["id"], status="sending", attempts=entry["attempts"] + 1) or {})
        blocked.add(entry["target"])
    if zendesk is None:
        for entry in group:
            sending.retry_later(
                entry, Offline("zendesk", "no client for ticket_bulk: service not configured"), report, set()
            )
        return
    ids = [entry["payload"]["ticket_id"] for entry in group]
    try:
        job = await zendesk.update_many(ids, group[0]["payload"]["ticket"])
    except SourceError as exc:
        for entry in group:
            if exc.retryable:
                sending.retry_later(entry, exc, report, blocked)
            else:
                outbox.update(entry["id"], status="failed", last_error=exc.message)
                report.failed.append(entry["id"])
        return
    delay = _poll_delay(sending, 0)
    for entry in group:
        outbox.update(entry["id"], job_id=job.id, job_polls=0, last_error=None, retry_at=sending.retry_at(entry, delay))
    report.waiting += len(group)
    report.wake(delay)


def _poll_delay(sending: Sending, polls: int) -> float:
    delay = min(JOB_POLL_MAX, JOB_POLL_FIRST * 2**polls)
    zendesk = sending.clients.zendesk
    budget = zendesk.http.budget if zendesk is not None else None
    if budget is not None and budget.known and budget.share_left() < 0.2:
        delay = max(delay, JOB_POLL_MAX)  # the team needs what is left more than we do
    return delay


async def follow(sending: Sending, jobs: dict[str, list[dict]], report: SendReport) -> None:
    """Read every due job in one request; settle the entries of those that ended."""
    outbox, zendesk = sending.outbox, sending.clients.zendesk
    if zendesk is None:
        return
    try:
        statuses = {job.id: job for job in await zendesk.job_statuses(list(jobs)[:BULK_IDS])}
    except SourceError as exc:
        for entries in jobs.values():
            for entry in entries:
                sending.retry_later(entry, exc, report, set())
        return
    for job_id, entries in list(jobs.items())[:BULK_IDS]:
        job = statuses.get(job_id)
        if job is None:
            # Zendesk forgets finished jobs after a while: whether it ran is unknown, and
            # the change is safe to send again.
            for entry in entries:
                outbox.update(entry["id"], status="pending", job_id=None, retry_at=None)
            report.wake(0.0)
        elif not job.done:
            polls = int(entries[0].get("job_polls") or 0) + 1
            delay = _poll_delay(sending, polls)
            for entry in entries:
                outbox.update(entry["id"], job_polls=polls, retry_at=sending.retry_at(entry, delay))
            report.wake(delay)
        else:
            _settle(sending, job, entries, report)


def _settle(sending: Sending, job: JobStatus, entries: list[dict], report: SendReport) -> None:
    """Each ticket by its own result: applied to the cache at once, or failed and shown."""
    results = {result.id: result for result in job.results}
    failed: list[str] = []
    for entry in entries:
        ticket_id = entry["payload"]["ticket_id"]
        result = results.get(ticket_id)
        if result is not None and result.success:
            sending.mark_sent(entry, job_id=None)
            report.sent.append(entry["id"])
            _apply(sending, ticket_id, entry["payload"]["ticket"], report)
            continue
        why = (result.error if result else None) or job.message or f"bulk job {job.status}"
        sending.outbox.update(entry["id"], status="failed", job_id=None, last_error=f"bulk update: {why}")
        report.failed.append(entry["id"])
        failed.append(f"#{ticket_id}")
    done = len(entries) - len(failed)
    note = f"bulk: {done} of {len(entries)} updated"
    if failed:
        note += f", {', '.join(failed[:5])}{' ...' if len(failed) > 5 else ''} failed (C to retry)"
    report.jobs.append(note)


def _apply(sending: Sending, ticket_id: int, body: dict, report: SendReport) -> None:
    """A bulk change as the ticket now has it, in the cache before the next poll says so."""
    cached = sending.store.ticket(ticket_id)
    if cached is None:
        return
    ticket = {**cached, **{k: v for k, v in body.items() if k in ("status", "priority", "group_id", "assignee_id")}}
    tags = list(body["tags"]) if isinstance(body.get("tags"), list) else list(cached.get("tags") or [])
    tags += [tag for tag in body.get("additional_tags") or [] if tag not in tags]
    ticket["tags"] = [tag for tag in tags if tag not in (body.get("remove_tags") or [])]
    sending.store.put_tickets([ticket])
    report.changed_tickets.append(ticket_id)
