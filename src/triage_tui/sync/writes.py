"""What the user does, as outbox entries: persisted now, sent by the sender later.

The UI calls these; nothing here talks HTTP.

Every method either persists all the entries of one user action or none of them, and
raises OutboxUnavailable (disk full, cache dir read-only...) when it cannot: the caller
still holds what the user typed and must keep it (composer open, draft in memory).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from triage_tui.store.cache import Store
from triage_tui.store.errors import OutboxUnavailable
from triage_tui.store.outbox import NewWrite, Outbox, queued_message
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.targets import Target, WriteKind
from triage_tui.triage import bug_reports
from triage_tui.triage.bug_reports import BugReport
from triage_tui.triage.incidents import incident_tag
from triage_tui.triage.macros import ChangeSet

__all__ = ["OutboxUnavailable", "TicketRef", "Writes", "queued_message"]


class Writes:
    def __init__(self, outbox: Outbox, store: Store, now: Callable[[], dt.datetime]) -> None:
        self.outbox = outbox
        self.store = store
        self.now = now

    def me_id(self) -> int | None:
        return (self.store.get("me") or {}).get("id")

    def _add(self, kind: WriteKind, target: Target, payload: dict[str, Any], summary: str) -> dict[str, Any]:
        """One write on its own, persisted now."""
        return self.outbox.add(NewWrite(kind, target, payload, summary), now=self.now())

    def _ticket_update(
        self, ticket: TicketRef, change: ChangeSet, summary: str, *, safe: bool = True
    ) -> list[NewWrite]:
        """One ticket's change as outbox entries, sent in this order: the update (comment,
        fields, a macro's whole tag list) under safe_update, then each tag request.

        Zendesk ignores additional_tags/remove_tags on a single update (../shared/api/
        README.md, "Tags"), so tags added or removed go through the ticket's tags endpoints.
        Those are additive: they merge with the ticket's tags as they are at that moment, so
        a colleague's tag is never lost and no stale view matters; they go without
        safe_update (a conflict over a tag nobody else touched would only be noise) and
        their answer, the ticket's tags after, says whether ours landed."""
        stamp = ticket.updated_at if safe else None
        payload = change.to_payload(updated_stamp=stamp, me=self.me_id(), current_tags=ticket.tags)
        target = Target.ticket(ticket.id)
        specs: list[NewWrite] = []
        if payload["ticket"] or not change.tag_requests():
            specs.append(
                NewWrite(
                    WriteKind.TICKET_UPDATE,
                    target,
                    {"ticket_id": ticket.id, "ticket": payload["ticket"]},
                    summary,
                    seen_updated_at=stamp,
                )
            )
        for action, tags in change.tag_requests():
            specs.append(
                NewWrite(
                    WriteKind.TICKET_TAGS,
                    target,
                    # "ticket" holds the tags endpoint's body, as "ticket" of an update holds its.
                    {"ticket_id": ticket.id, "action": action, "ticket": {"tags": list(tags)}},
                    f"{summary} ({'+' if action == 'add' else '-'}{' '.join(tags)})" if payload["ticket"] else summary,
                )
            )
        return specs

    def _bulk(self, tickets: list[TicketRef], change: ChangeSet, summary: str) -> list[NewWrite]:
        """One uniform change to many tickets, to go as `update_many` requests (100 ids
        each, one job each): an entry per ticket, so each ticket's outcome is its own
        (sent, or failed and retryable), all of one `bulk` group with the same body."""
        body = change.to_bulk_payload(me=self.me_id())["ticket"]
        group = uuid.uuid4().hex
        return [
            NewWrite(
                WriteKind.TICKET_BULK,
                Target.ticket(ticket.id),
                {"ticket_id": ticket.id, "bulk": group, "ticket": body},
                f"#{ticket.id}: {summary}",
                seen_updated_at=ticket.updated_at,
            )
            for ticket in tickets
        ]

    def update_ticket(self, ticket: TicketRef, change: ChangeSet, summary: str, *, safe: bool = True) -> dict:
        """Queue a ticket update carrying the stamp of the version the user saw (and its tag
        requests, all or none). Returns the first entry."""
        return self.outbox.add_many(self._ticket_update(ticket, change, summary, safe=safe), now=self.now())[0]

    def update_tickets(self, tickets: list[TicketRef], change: ChangeSet, summary: str) -> list[dict]:
        """One change to several tickets (a bulk action): all queued, or none. A change
        without text goes as bulk requests; with text, one update per ticket."""
        if len(tickets) > 1 and change.bulkable:
            return self.outbox.add_many(self._bulk(tickets, change, summary), now=self.now())
        specs = [s for t in tickets for s in self._ticket_update(t, change, f"#{t.id}: {summary}")]
        return self.outbox.add_many(specs, now=self.now())

    def update_each(self, changes: list[tuple[TicketRef, ChangeSet]], summary: str) -> list[dict]:
        """Each ticket its own change (a bulk reply, its placeholders rendered per ticket):
        all queued, or none. A tag change the same for every ticket (a macro's tags) goes
        as bulk requests after the replies, not as a tag request per ticket."""
        tags = {(change.add_tags, change.remove_tags) for _, change in changes if change.set_tags is None}
        shared = next(iter(tags)) if len(changes) > 1 and len(tags) == 1 else None
        if shared is None or not any(shared) or any(change.set_tags is not None for _, change in changes):
            specs = [s for t, change in changes for s in self._ticket_update(t, change, f"#{t.id}: {summary}")]
            return self.outbox.add_many(specs, now=self.now())
        specs = []
        for ticket, change in changes:
            text_only = replace(change, add_tags=(), remove_tags=())
            specs += self._ticket_update(ticket, text_only, f"#{ticket.id}: {summary}")
        tickets = [ticket for ticket, _ in changes]
        specs += self._bulk(tickets, ChangeSet(add_tags=shared[0], remove_tags=shared[1]), f"{summary} (tags)")
        return self.outbox.add_many(specs, now=self.now())

    def attach_many(self, tickets: list[TicketRef], incident: dict[str, Any]) -> list[dict]:
        """Several tickets tagged and attached to one incident: all queued, or none. The tag
        goes to all of them as bulk requests."""
        return self.outbox.add_many(self.attach_specs(tickets, incident), now=self.now())

    def attach_specs(
        self, tickets: list[TicketRef], incident: dict[str, Any], *, raised_by: str | None = None
    ) -> list[NewWrite]:
        """attach_many's entries, not yet queued (the sender queues them for an incident it
        has just raised, `raised_by` its entry: a resend finds them queued already)."""
        if len(tickets) < 2:
            return [s for t in tickets for s in self._attach_specs(t, incident, raised_by)]
        tag = incident_tag(incident["reference"])
        specs = self._bulk(tickets, ChangeSet(add_tags=(tag,)), f"tag {tag}")
        specs += [self._attach_spec(ticket, incident, raised_by) for ticket in tickets]
        return specs

    def _attach_specs(
        self, ticket: TicketRef, incident: dict[str, Any], raised_by: str | None = None
    ) -> list[NewWrite]:
        tag = incident_tag(incident["reference"])
        change = ChangeSet(add_tags=(tag,))
        return [*self._ticket_update(ticket, change, f"#{ticket.id}: tag {tag}", safe=False)] + [
            self._attach_spec(ticket, incident, raised_by)
        ]

    @staticmethod
    def _attach_spec(ticket: TicketRef, incident: dict[str, Any], raised_by: str | None) -> NewWrite:
        payload: dict[str, Any] = {"incident_id": incident["id"], "ticket_id": ticket.id}
        if raised_by is not None:
            payload["raised_by"] = raised_by
        return NewWrite(
            WriteKind.INCIDENT_ATTACH,
            Target.incident(incident["id"]),
            payload,
            f"Attach #{ticket.id} to {incident['reference']}",
        )

    def attach_to_incident(self, ticket: TicketRef, incident: dict[str, Any]) -> list[dict]:
        """Tag `incident/<n>` (additive, so no stale-view risk) and attach in incident.io:
        both queued, or neither."""
        return self.outbox.add_many(self._attach_specs(ticket, incident), now=self.now())

    def assign_role(self, incident: dict[str, Any], role: dict[str, Any], email: str) -> dict:
        return self._add(
            WriteKind.INCIDENT_ROLE,
            Target.incident(incident["id"]),
            {"incident_id": incident["id"], "role_id": role["id"], "email": email},
            f"{role['name']} on {incident['reference']}: {email}",
        )

    def incident_follow_up(
        self, changes: list[tuple[TicketRef, ChangeSet]], summary: str, macro: dict[str, Any] | None
    ) -> list[dict]:
        """One reply per ticket tagged with an incident, and (once it is resolved) its macro
        deleted: all queued, or none."""
        specs = [s for t, change in changes for s in self._ticket_update(t, change, f"#{t.id}: {summary}")]
        if macro is not None:
            specs.append(self._macro_delete_spec(macro["id"], macro["title"]))
        return self.outbox.add_many(specs, now=self.now())

    @staticmethod
    def _macro_delete_spec(macro_id: int, title: str) -> NewWrite:
        return NewWrite(WriteKind.MACRO_DELETE, Target.macros(), {"macro_id": macro_id}, f"Delete macro {title!r}")

    def create_macro(self, macro: dict[str, Any]) -> dict:
        return self._add(WriteKind.MACRO_CREATE, Target.macros(), {"macro": macro}, f"Create macro {macro['title']!r}")

    def update_macro(self, macro_id: int, macro: dict[str, Any]) -> dict:
        return self._add(
            WriteKind.MACRO_UPDATE,
            Target.macros(),
            {"macro_id": macro_id, "macro": macro},
            f"Update macro {macro.get('title', macro_id)!r}",
        )

    def delete_macro(self, macro_id: int, title: str) -> dict:
        return self.outbox.add(self._macro_delete_spec(macro_id, title), now=self.now())

    def label_issue(self, repo: str, number: int, labels: list[str]) -> dict:
        return self._add(
            WriteKind.GITHUB_LABELS,
            Target.issue(repo, number),
            {"repo": repo, "number": number, "labels": labels},
            f"{repo}#{number}: label {', '.join(labels)}",
        )

    # -- issue 26, part B: raise an incident, follow-ups, corrections ----------------------
    def raise_incident(
        self,
        tickets: list[TicketRef],
        *,
        name: str,
        summary: str,
        severity_id: str | None,
        watcher: tuple[str, str] | None,
    ) -> dict:
        """An incident to create in incident.io, its tickets attached once it exists (the
        sender queues the attach path's writes with its answer). `watcher`: (role id, email)
        when the engineer raises their hand at once. The idempotency key is chosen now and
        persisted: every resend, after a lost answer or a crash, names the same incident."""
        key = f"triage-tui-{uuid.uuid4().hex}"
        incident: dict[str, Any] = {
            "idempotency_key": key,
            "name": name,
            "summary": summary,
            "visibility": "public",
            "mode": "standard",
        }
        if severity_id:
            incident["severity_id"] = severity_id
        if watcher is not None:
            incident["incident_role_assignments"] = [
                {"incident_role_id": watcher[0], "assignee": {"email": watcher[1]}}
            ]
        return self._add(
            WriteKind.INCIDENT_CREATE,
            Target.new_incident(key),
            {"incident": incident, "ticket_ids": [t.id for t in tickets]},
            f"Raise incident {name!r} ({len(tickets)} ticket(s))",
        )

    def follow_up(self, closed: TicketRef, *, subject: str, text: str, public: bool) -> dict:
        """A follow-up ticket of a closed one (`via_followup_source_id`), for its requester.
        Its external_id is this write's own mark, chosen now and persisted: after a crash
        mid-send, the requester's tickets say whether it was made, so it is made once."""
        mark = f"triage-tui-followup-{uuid.uuid4().hex}"
        ticket: dict[str, Any] = {
            "via_followup_source_id": closed.id,
            "requester_id": closed.requester_id,
            "subject": subject,
            "comment": {"body": text, "public": public},
            "external_id": mark,
        }
        for field in ("group_id", "organization_id", "priority"):
            if (value := getattr(closed, field)) is not None:
                ticket[field] = value
        return self._add(
            WriteKind.TICKET_CREATE,
            Target.new_ticket(mark),
            {"ticket": ticket},
            f"Follow-up of #{closed.id}: {subject}",
        )

    def move_requester(self, user: dict[str, Any], organization: dict[str, Any]) -> dict:
        """The requester out of a temporary (free-email) organization into their real one."""
        return self._add(
            WriteKind.USER_UPDATE,
            Target.user(user["id"]),
            {"user_id": user["id"], "user": {"organization_id": organization["id"]}},
            f"Move {user.get('name') or user['id']} to {organization.get('name') or organization['id']}",
        )

    # -- bug reports and GitHub issue work (issue 26) -----------------------------------------
    def bug_report(
        self, ticket: TicketRef, report: BugReport, repo: str, existing: int | None, channel: str | None = None
    ) -> dict:
        """A bug report or feature request from `ticket`: one GitHub write (a new issue, or a
        +1 on the open one `existing`), which, once GitHub has it, queues the reply with its
        link and status (sync/send_github.py). One entry: nothing reaches Zendesk before the issue
        exists. The marker in what GitHub receives finds it after a crash, never twice."""
        marker = uuid.uuid4().hex
        then = {
            "ticket_id": ticket.id,
            "report": {
                "kind": report.kind,
                "ticket_id": report.ticket_id,
                "ticket_url": report.ticket_url,
                "first_name": report.first_name,
                "title": report.title,
                "notes": report.notes,
                "priority": report.priority,
            },
            "existing": existing is not None,
            "seen_updated_at": ticket.updated_at,
            "channel": channel,
        }
        if existing is None:
            payload = {
                "repo": repo,
                "title": report.title,
                "body": bug_reports.issue_body(report, marker),
                "labels": list(bug_reports.LABELS[report.kind]),
                "marker": marker,
                "then": then,
            }
            summary = f"#{ticket.id}: open a {report.what} in {repo}"
            return self._add(WriteKind.GITHUB_ISSUE_CREATE, Target.issues(repo), payload, summary)
        comment: dict[str, Any] = {
            "repo": repo,
            "number": existing,
            "body": bug_reports.plus_one_body(report, marker),
            "marker": marker,
            "then": then,
        }
        summary = f"#{ticket.id}: +1 on {repo}#{existing}"
        return self._add(WriteKind.GITHUB_COMMENT, Target.issue(repo, existing), comment, summary)

    def reply_after_issue(self, entry: dict[str, Any], issue_url: str) -> list[NewWrite]:
        """The ticket writes that follow a bug report's GitHub write (specs, not yet queued):
        the reply with the issue's link and the handbook's status, on the version seen."""
        then = entry["payload"]["then"]
        report = BugReport(**then["report"])
        text = bug_reports.customer_reply(report, issue_url, existing=bool(then["existing"]))
        # On the version the user saw when reporting, not the one stored now.
        stored = TicketRef.of({**(self.store.ticket(then["ticket_id"]) or {}), "id": then["ticket_id"]})
        ticket = replace(stored, updated_at=then.get("seen_updated_at") or stored.updated_at)
        change = ChangeSet(comment=text, public=True, status=bug_reports.status_after(report))
        return self._ticket_update(ticket, change, f"#{then['ticket_id']}: reply with {issue_url}")

    def comment_issue(self, repo: str, number: int, body: str, summary: str | None = None) -> dict:
        """A comment on a GitHub issue; its hidden marker finds it after a crash."""
        marker = uuid.uuid4().hex
        return self._add(
            WriteKind.GITHUB_COMMENT,
            Target.issue(repo, number),
            {"repo": repo, "number": number, "body": f"{body}\n\n{bug_reports.marker_line(marker)}", "marker": marker},
            summary or f"{repo}#{number}: comment",
        )

    def assign_issue_to_me(self, repo: str, number: int) -> dict:
        """Assign the token's own GitHub user (asked of GitHub when sent); adding twice is harmless."""
        return self._add(
            WriteKind.GITHUB_ASSIGN,
            Target.issue(repo, number),
            {"repo": repo, "number": number},
            f"{repo}#{number}: assign to me",
        )

    def quit_message(self) -> str | None:
        """ "N writes stay queued; they go next time..." for the app to show on quit, or None."""
        return self.outbox.quit_message()

    def pending_targets(self) -> set[str]:
        return {entry["target"] for entry in self.outbox.entries(("pending", "sending", "conflict", "failed"))}
