"""Bulk updates and their background jobs (../shared/api/README.md "Bulk"; the spec's
/api/v2/tickets/update_many and /api/v2/job_statuses*)."""

from __future__ import annotations

import datetime as dt

from triage_sandbox.http import Request, Response
from triage_sandbox.zendesk import tag_rules, ticket_changes
from triage_sandbox.zendesk.context import API, Zendesk
from triage_sandbox.zendesk.pagination import listing_page
from triage_sandbox.zendesk.replies import NOT_FOUND, invalid


def register(z: Zendesk) -> None:
    """update_many and the job statuses; the router runs the due jobs before each request."""
    state, router, api, base_url, now, settings = z.state, z.router, API, z.base_url, z.now, z.settings

    @router.route("PUT", f"{api}/tickets/update_many")
    def update_many(request: Request) -> Response:
        body = request.body if isinstance(request.body, dict) else {}
        changes = body.get("ticket")
        ids = [int(part) for part in request.query.get("ids", "").split(",") if part.strip().isdigit()]
        if not ids or not isinstance(changes, dict):
            # The batch form (`tickets: [...]` without ids) is Zendesk's too; the sandbox
            # serves only the bulk form triage-tui sends, and says so.
            return invalid("ids and a ticket object are required (the sandbox serves the bulk form only)")
        if len(ids) > tag_rules.BULK_MAX_IDS:
            # The spec (TicketsUpdateMany): "a comma-separated list of up to 100 ticket ids".
            return invalid(f"too many ids: at most {tag_rules.BULK_MAX_IDS} a request")
        with state.lock:
            moment = now()
            active = [job for job in state.jobs.values() if job["shown"]["status"] in ("queued", "working")]
            if len(active) >= settings.jobs_per_account:
                # README "Bulk": "at most 30 queued or running jobs per account"; the 31st is refused.
                wait = max(1, int(settings.job_stage_seconds * 2 + 0.999))
                return Response(429, tag_rules.TOO_MANY_JOBS, {"Retry-After": str(wait)})
            state.job_sequence += 1
            job_id = f"V3-{state.job_sequence:032x}"
            shown = {
                "id": job_id,
                "url": f"{base_url()}{api}/job_statuses/{job_id}.json",
                "total": len(ids),
                "progress": None,
                "status": "queued",
                "message": None,
                "results": None,
            }
            state.jobs[job_id] = {
                "shown": shown,
                "ids": ids,
                "changes": dict(changes),
                "user": request.user,
                "stage_at": moment,
            }
            state.writes.append({"api": "zendesk", "method": "PUT", "path": request.path, "ids": ids, "body": changes})
            # Recorded (TestTicketsPagination: create_many): 200 and the queued job_status,
            # progress and results null; the spec's TicketsUpdateMany answers 200 too.
            return Response(200, {"job_status": dict(shown)})

    def advance(job: dict, moment: dt.datetime, read: bool) -> None:
        """One stage on (queued -> working -> completed) when read, or when a stage's time
        has passed: deterministic under a test's clock, and a job nobody reads still ends."""
        shown = job["shown"]
        while shown["status"] in ("queued", "working"):
            due = (moment - job["stage_at"]).total_seconds() >= settings.job_stage_seconds
            if not (read or due):
                return
            read = False
            job["stage_at"] = moment if not due else job["stage_at"] + dt.timedelta(seconds=settings.job_stage_seconds)
            if shown["status"] == "queued":
                shown.update(status="working", progress=0)
            else:
                run_job(job, moment)

    def run_job(job: dict, moment: dt.datetime) -> None:
        results = []
        for ticket_id in job["ids"]:
            ticket = state.tickets.get(ticket_id)
            injected = state.job_failures.pop(ticket_id, None)
            problem = tag_rules.bulk_refusal(ticket, injected)
            if problem is not None:
                results.append({"id": ticket_id, "action": "update", "success": False, **problem})
                continue
            assert ticket is not None
            events = ticket_changes.apply_update(state, ticket, job["changes"], job["user"] or {}, moment)
            ticket_changes.record_audit(state, ticket, events, job["user"])
            results.append({"id": ticket_id, "action": "update", "status": "Updated", "success": True})
        job["shown"].update(
            status="completed",
            progress=len(job["ids"]),
            results=results,
            message=f"Completed at {moment.strftime('%Y-%m-%d %H:%M:%S +0000')}",
        )

    def run_due_jobs() -> None:
        with state.lock:
            moment = now()
            for job in state.jobs.values():
                advance(job, moment, read=False)

    @router.route("GET", f"{api}/job_statuses/show_many")
    def job_statuses_many(request: Request) -> Response:
        wanted = [part.strip() for part in request.query.get("ids", "").split(",") if part.strip()]
        with state.lock:
            found = []
            for job_id in wanted:
                if job_id in state.jobs:
                    advance(state.jobs[job_id], now(), read=True)
                    found.append(dict(state.jobs[job_id]["shown"]))
            return Response(200, {"job_statuses": found})

    @router.route("GET", rf"{api}/job_statuses/(?P<job>[\w-]+)")
    def job_status(request: Request) -> Response:
        with state.lock:
            job = state.jobs.get(request.params["job"])
            if job is None:
                return Response(404, NOT_FOUND)
            advance(job, now(), read=True)
            return Response(200, {"job_status": dict(job["shown"])})

    @router.route("GET", f"{api}/job_statuses")
    def job_statuses(request: Request) -> Response:
        # The spec (ListJobStatuses): "sorted first by completion date and then by creation
        # date in descending order"; the sandbox's ids grow with creation.
        with state.lock:
            shown = [dict(job["shown"]) for job in state.jobs.values()]
        shown.sort(key=lambda job: job["id"], reverse=True)
        return Response(
            200,
            listing_page(request, base_url(), "job_statuses", shown, sort_key=lambda j: (j["id"],), descending=True),
        )

    router.before = run_due_jobs
