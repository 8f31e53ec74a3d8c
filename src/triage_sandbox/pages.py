"""The sandbox's own web pages: what a link the app copies (`u`) opens in the demo.

In Zendesk, incident.io and GitHub a link opens the service's web page for the record. The
sandbox has no web UI, so each link it hands out opens a small plain-text page that says it
is the sandbox's and shows the record as the sandbox holds it. Plain text on purpose: the
records' text is untrusted, and a text/plain page runs nothing.

Like the services' web pages, these need no API token (a browser has none); the sandbox
only ever listens on loopback.
"""

from __future__ import annotations

import re

from triage_sandbox.http import Response
from triage_sandbox.state import SandboxState

TICKET = re.compile(r"^/agent/tickets/(?P<id>\d+)$")
INCIDENT = re.compile(r"^/incidents/(?P<number>\d+)$")
ISSUE = re.compile(r"^/github/(?P<repo>[\w.-]+/[\w.-]+)/issues/(?P<number>\d+)$")

BANNER = "triage-tui sandbox (the demo's built-in stand-in for {service}; not the real service)\n\n"


def incident_url(base_url: str, reference: str) -> str:
    """The sandbox's page for INC-123: what `permalink` says in the sandbox's incident.io."""
    return f"{base_url}/incidents/{reference.rsplit('-', 1)[-1]}"


def issue_url(base_url: str, repo: str, number: int) -> str:
    """The sandbox's page for an issue: what `html_url` says in the sandbox's GitHub."""
    return f"{base_url}/github/{repo}/issues/{number}"


def is_page(path: str) -> bool:
    return any(pattern.match(path) for pattern in (TICKET, INCIDENT, ISSUE))


def page(state: SandboxState, path: str) -> Response:
    """The page at `path` (one `is_page` accepts), or a plain 404 saying what is missing."""
    for pattern, render in ((TICKET, _ticket), (INCIDENT, _incident), (ISSUE, _issue)):
        found = pattern.match(path)
        if found:
            with state.lock:
                return render(state, found.groupdict())
    return _missing("page", path)


def _missing(what: str, detail: str) -> Response:
    return Response(404, f"triage-tui sandbox: no {what} {detail} here.\n")


def _lines(pairs: list[tuple[str, object]]) -> str:
    return "".join(f"{label}: {value}\n" for label, value in pairs if value not in (None, ""))


def _ticket(state: SandboxState, params: dict[str, str]) -> Response:
    ticket_id = int(params["id"])
    ticket = state.tickets.get(ticket_id)
    if ticket is None:
        return _missing("ticket", f"#{ticket_id}")
    if ticket.get("status") == "deleted":
        deleted = state.deleted_tickets.get(ticket_id) or {}
        who = (deleted.get("actor") or {}).get("name") or "someone"
        when = deleted.get("deleted_at")
        return Response(404, f"triage-tui sandbox: ticket #{ticket_id} was deleted by {who} at {when}.\n")
    requester = state.users.get(ticket.get("requester_id") or 0) or {}
    group = state.groups.get(ticket.get("group_id") or 0) or {}
    text = BANNER.format(service="Zendesk") + _lines(
        [
            ("Ticket", f"#{ticket_id}"),
            ("Subject", ticket.get("subject")),
            ("Status", ticket.get("status")),
            ("Priority", ticket.get("priority")),
            ("Group", group.get("name")),
            ("Requester", requester.get("name")),
            ("Tags", " ".join(ticket.get("tags") or [])),
            ("Updated", ticket.get("updated_at")),
        ]
    )
    for comment in state.comments.get(ticket_id, []):
        author = (state.users.get(comment.get("author_id") or 0) or {}).get("name") or "someone"
        kind = "reply" if comment.get("public", True) else "internal note"
        text += f"\n--- {author}, {comment.get('created_at')} ({kind})\n{comment.get('body') or ''}\n"
    return Response(200, text)


def _incident(state: SandboxState, params: dict[str, str]) -> Response:
    reference = f"INC-{params['number']}"
    incident = next((i for i in state.incidents.values() if i.get("reference") == reference), None)
    if incident is None:
        return _missing("incident", reference)
    text = BANNER.format(service="incident.io") + _lines(
        [
            ("Incident", reference),
            ("Name", incident.get("name")),
            ("Status", (incident.get("incident_status") or {}).get("name")),
            ("Severity", (incident.get("severity") or {}).get("name")),
            ("Summary", incident.get("summary")),
        ]
    )
    updates = sorted(
        (u for u in state.incident_updates if u.get("incident_id") == incident.get("id")),
        key=lambda u: u.get("created_at") or "",
    )
    for update in updates:
        text += f"\n--- update {update.get('created_at')}\n{update.get('message') or ''}\n"
    return Response(200, text)


def _issue(state: SandboxState, params: dict[str, str]) -> Response:
    repo, number = params["repo"], int(params["number"])
    issue = next((i for i in state.issues.get(repo, []) if i.get("number") == number), None)
    if issue is None:
        return _missing("issue", f"{repo}#{number}")
    labels = " ".join(str(label.get("name")) for label in issue.get("labels") or [])
    text = BANNER.format(service="GitHub") + _lines(
        [
            ("Issue", f"{repo}#{number}"),
            ("Title", issue.get("title")),
            ("State", issue.get("state")),
            ("Labels", labels or "none"),
            ("Opened by", (issue.get("user") or {}).get("login")),
        ]
    )
    return Response(200, text + "\n" + str(issue.get("body") or "") + "\n")
