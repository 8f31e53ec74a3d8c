"""The sandbox's in-memory world: every object the three APIs serve, and how writes change it."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import random
import threading
from collections import Counter
from typing import Any

from triage_sandbox.data import iso


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def decode_cursor(text: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(text.encode()))
    except (ValueError, json.JSONDecodeError):
        return None


class SandboxState:
    """All data behind one lock; handlers read and write through these methods."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.lock = threading.RLock()
        self.rng = random.Random(data.get("seed", 0))
        self.tickets: dict[int, dict] = {}
        self.metric_sets: dict[int, dict] = {}
        for raw in sorted(data.get("tickets", []), key=lambda t: (t.get("updated_at") or "", t["id"])):
            ticket = dict(raw)
            metric = ticket.pop("metric_set", None)
            self.tickets[ticket["id"]] = ticket
            if metric:
                self.metric_sets[ticket["id"]] = metric
        self.users = {u["id"]: u for u in data.get("users", [])}
        self.organizations = {o["id"]: o for o in data.get("organizations", [])}
        self.groups = {g["id"]: g for g in data.get("groups", [])}
        self.macros = {m["id"]: m for m in data.get("macros", [])}
        self.views = {v["id"]: v for v in data.get("views", [])}
        self.sla_policies = list(data.get("sla_policies", []))
        # Soft-deleted tickets as `deleted_tickets` lists them; the ticket itself stays in
        # `tickets` with status "deleted", which is how the incremental export reports it.
        self.deleted_tickets: dict[int, dict] = {d["id"]: d for d in data.get("deleted_tickets", [])}
        # What search has indexed: each ticket's versions as (wall-clock epoch, copy or None
        # once deleted). Seeded tickets were indexed long ago (epoch 0).
        self.versions: dict[int, list[tuple[float, dict | None]]] = {}
        self.ticket_fields = list(data.get("ticket_fields", []))
        self.comments: dict[int, list[dict]] = {int(k): list(v) for k, v in data.get("comments", {}).items()}
        self.audits: dict[int, list[dict]] = {}
        self.incidents = {i["id"]: i for i in data.get("incidents", [])}
        self.incident_updates = list(data.get("incident_updates", []))
        self.incident_roles = list(data.get("incident_roles", []))
        self.severities = list(data.get("severities", []))
        self.incident_statuses = list(data.get("incident_statuses", []))
        self.incident_attachments = list(data.get("incident_attachments", []))
        self.issues: dict[str, list[dict]] = {repo: list(items) for repo, items in data.get("issues", {}).items()}
        self.labels: dict[str, list[dict]] = {repo: list(items) for repo, items in data.get("labels", {}).items()}
        # GitHub issue comments by "owner/repo#number", made from the seeded counts when read.
        self.issue_comments: dict[str, list[dict]] = {k: list(v) for k, v in data.get("issue_comments", {}).items()}
        self.seed = data.get("seed", 0)
        # The incremental export's change log: (sequence, updated_at epoch, ticket id).
        self.sequence = 0
        self.change_log: list[tuple[int, float, int]] = []
        self.latest_seq: dict[int, int] = {}
        for ticket in self.tickets.values():
            self._log_change(ticket)
            self.versions[ticket["id"]] = [(0.0, None if ticket.get("status") == "deleted" else copy.deepcopy(ticket))]
        self.next_id = max([*self.tickets, *self.users, *self.macros, 1]) + 1
        # Ticket numbers are the account's own sequence in Zendesk (#41090 follows #41089),
        # not the ids users, comments and macros draw from.
        self.next_ticket_id = max([*self.tickets, *self.deleted_tickets, 0])
        # Merges' job statuses (issue 23): completed at once; the bulk-update jobs keep their own.
        self.merge_jobs: dict[str, dict] = {}
        self.requests: Counter[str] = Counter()
        self.writes: list[dict[str, Any]] = []
        # Background jobs (`update_many`), by job id, in the order they were queued: each
        # {"shown": the job_status as served, "ids", "changes", "user", "stage", "stage_at"}.
        self.jobs: dict[str, dict[str, Any]] = {}
        self.job_sequence = 0
        # Fault injection for tests: ticket id -> the error its next bulk update fails with
        # (once), as a job result reports a ticket it could not update.
        self.job_failures: dict[int, str] = {}

    # -- ids and the change log -------------------------------------------------------
    def new_id(self) -> int:
        with self.lock:
            self.next_id += 1
            return self.next_id

    def new_ticket_id(self) -> int:
        with self.lock:
            self.next_ticket_id += 1
            return self.next_ticket_id

    def _log_change(self, ticket: dict) -> None:
        self.sequence += 1
        stamp = parse_time(ticket["updated_at"]).timestamp() if ticket.get("updated_at") else 0.0
        self.change_log.append((self.sequence, stamp, ticket["id"]))
        self.latest_seq[ticket["id"]] = self.sequence

    def touch(self, ticket: dict, now: dt.datetime) -> None:
        """A new updated_at strictly later than the last: a safe_update stamp must change."""
        previous = parse_time(ticket["updated_at"]) if ticket.get("updated_at") else now
        ticket["updated_at"] = iso(max(now, previous + dt.timedelta(seconds=1)))
        self._log_change(ticket)
        self._index(ticket, now)

    def _index(self, ticket: dict, now: dt.datetime) -> None:
        """Record the version search will see once its indexing lag has passed."""
        history = self.versions.setdefault(ticket["id"], [])
        history.append((now.timestamp(), None if ticket.get("status") == "deleted" else copy.deepcopy(ticket)))
        # Keep one version older than an hour (what a lagging search can still need) and all newer.
        horizon = now.timestamp() - 3600
        while len(history) > 1 and history[1][0] <= horizon:
            history.pop(0)

    def indexed(self, as_of: float) -> list[dict]:
        """Tickets as search saw them at epoch `as_of`: late changes and new tickets not yet."""
        found: list[dict] = []
        for history in self.versions.values():
            seen = None
            for stamp, version in history:
                if stamp > as_of:
                    break
                seen = version
            if seen is not None:
                found.append(seen)
        return found

    def delete_ticket(self, ticket_id: int, actor: dict, now: dt.datetime) -> dict | None:
        """Soft-delete, as an agent's delete does: listed in deleted_tickets, gone from views."""
        ticket = self.tickets.get(ticket_id)
        if ticket is None or ticket.get("status") == "deleted":
            return None
        previous = ticket["status"]
        ticket["status"] = "deleted"
        self.touch(ticket, now)
        record = {
            "id": ticket_id,
            "subject": ticket.get("subject") or "",
            "description": ticket.get("description") or "",
            "actor": {"id": actor.get("id"), "name": actor.get("name")},
            "deleted_at": iso(now),
            "previous_state": previous,
        }
        self.deleted_tickets[ticket_id] = record
        return record

    def changes_after(self, sequence: int, limit: int, before: float = float("inf")) -> tuple[list[int], int, bool]:
        """Ticket ids changed after `sequence` (each once, at its latest change), stopping
        at the first change stamped at or after `before` (left for the next request)."""
        import bisect

        start = bisect.bisect_right(self.change_log, (sequence, float("inf"), 0))
        ids: list[int] = []
        last = sequence
        index = start
        while index < len(self.change_log) and len(ids) < limit:
            seq, stamp, ticket_id = self.change_log[index]
            if stamp >= before:
                return ids, last, True  # caught up as far as the export will go for now
            if self.latest_seq.get(ticket_id) == seq:
                ids.append(ticket_id)
            last = seq
            index += 1
        return ids, last, index >= len(self.change_log)

    def sequence_at(self, start_time: float) -> int:
        """The last change before `start_time`: where an export from that time begins."""
        last = 0
        for seq, stamp, _ in self.change_log:
            if stamp >= start_time:
                break
            last = seq
        return last

    # -- creating, merging and moving tickets (issue 23) ---------------------------------
    def end_user(self, name: str, email: str) -> dict:
        """The end user with this email, created on first sight (Zendesk's
        `requester: {name, email}` on ticket creation)."""
        wanted = email.strip().lower()
        for user in self.users.values():
            if str(user.get("email") or "").lower() == wanted:
                return user
        user = {
            "id": self.new_id(),
            "name": name or wanted.split("@")[0],
            "email": wanted,
            "role": "end-user",
            "organization_id": None,
            "default_group_id": None,
            "time_zone": "UTC",
            "tags": [],
            "user_fields": {},
        }
        self.users[user["id"]] = user
        return user

    def create_ticket(
        self,
        fields: dict,
        requester: dict,
        submitter: dict,
        body: str,
        now: dt.datetime,
        *,
        public: bool = True,
        follow_up_of: dict | None = None,
    ) -> dict:
        """A new ticket as `POST /api/v2/tickets` makes it: status new, the first comment
        its description, by the submitter (the spec's submitter_id: "The submitter always
        becomes the author of the first comment on the ticket"); a follow-up of a closed
        ticket says so in its `via`."""
        ticket_id = self.new_ticket_id()
        subject = str(fields.get("subject") or body.split("\n", 1)[0][:80])
        ticket: dict[str, Any] = {
            "url": f"https://example.zendesk.com/api/v2/tickets/{ticket_id}.json",
            "id": ticket_id,
            "subject": subject,
            "raw_subject": subject,
            "description": body,
            "status": fields.get("status") or "new",
            "priority": fields.get("priority"),
            "type": fields.get("type"),
            "requester_id": requester["id"],
            "submitter_id": submitter["id"],
            "assignee_id": fields.get("assignee_id"),
            "organization_id": fields.get("organization_id") or requester.get("organization_id"),
            "group_id": fields.get("group_id"),
            "external_id": fields.get("external_id"),
            "collaborator_ids": [],
            "follower_ids": [],
            "tags": [str(t) for t in fields.get("tags") or []],
            "custom_fields": [],
            "created_at": iso(now),
            "updated_at": iso(now),
            "via": {
                "channel": "api",
                "source": {"from": {"ticket_id": follow_up_of["id"]}, "to": {}, "rel": "follow_up"}
                if follow_up_of is not None
                else {"from": {}, "to": {}, "rel": None},
            },
        }
        self.tickets[ticket_id] = ticket
        self.metric_sets[ticket_id] = {
            "ticket_id": ticket_id,
            "requester_updated_at": iso(now),
            "status_updated_at": iso(now),
        }
        self.add_comment(ticket_id, submitter["id"], body, public, now)
        self.touch(ticket, now)
        return ticket

    def merge_tickets(self, target_id: int, source_ids: list[int], actor: dict, now: dt.datetime) -> dict:
        """Merge sources into the target, as `POST tickets/{id}/merge` does: each source gets
        a note and is closed; the target gets a note. Returns the finished job status."""
        target = self.tickets[target_id]
        for source_id in source_ids:
            source = self.tickets[source_id]
            self.add_comment(
                source_id,
                actor.get("id"),
                f"Request #{source_id} was closed and merged into request #{target_id}.",
                False,
                now,
            )
            source["status"] = "closed"
            self.metric_sets.setdefault(source_id, {"ticket_id": source_id})["status_updated_at"] = iso(now)
            self.touch(source, now)
        merged = ", ".join(f"#{i}" for i in source_ids)
        self.add_comment(
            target_id, actor.get("id"), f"Requests {merged} were closed and merged into this request.", False, now
        )
        self.touch(target, now)
        job_id = f"merge{self.new_id()}"
        job = {
            "id": job_id,
            "url": f"https://example.zendesk.com/api/v2/job_statuses/{job_id}.json",
            "job_type": "MergeTickets",
            "status": "completed",
            "total": len(source_ids),
            "progress": len(source_ids),
            "message": "Completed",
            "results": [{"id": i, "status": "Merged", "success": True} for i in source_ids],
        }
        self.merge_jobs[job_id] = job
        return job

    # -- tickets ----------------------------------------------------------------------
    def ticket_with_metrics(self, ticket_id: int) -> dict:
        ticket = dict(self.tickets[ticket_id])
        if ticket_id in self.metric_sets:
            ticket["metric_set"] = self.metric_sets[ticket_id]
        return ticket

    def add_comment(self, ticket_id: int, author_id: int | None, body: str, public: bool, now: dt.datetime) -> dict:
        comment = {
            "id": self.new_id(),
            "type": "Comment",
            "author_id": author_id,
            "body": body,
            "plain_body": body,
            "html_body": "<p>" + body.replace("&", "&amp;").replace("<", "&lt;") + "</p>",
            "public": public,
            "attachments": [],
            "created_at": iso(now),
        }
        self.comments.setdefault(ticket_id, []).append(comment)
        return comment

    def dump(self) -> dict[str, Any]:
        with self.lock:
            return {
                "seed": self.seed,
                "tickets": [self.ticket_with_metrics(tid) for tid in self.tickets],
                "users": list(self.users.values()),
                "organizations": list(self.organizations.values()),
                "groups": list(self.groups.values()),
                "macros": list(self.macros.values()),
                "views": list(self.views.values()),
                "sla_policies": self.sla_policies,
                "deleted_tickets": list(self.deleted_tickets.values()),
                "ticket_fields": self.ticket_fields,
                "comments": {str(k): v for k, v in self.comments.items()},
                "incidents": list(self.incidents.values()),
                "incident_updates": self.incident_updates,
                "incident_roles": self.incident_roles,
                "severities": self.severities,
                "incident_statuses": self.incident_statuses,
                "incident_attachments": self.incident_attachments,
                "issues": self.issues,
                "labels": self.labels,
                "issue_comments": self.issue_comments,
            }
