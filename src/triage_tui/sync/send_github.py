"""The sender's GitHub writes: labels, an assignee, comments, a bug report's issue.

A bug report's GitHub write (a new issue, or a +1 comment) carries a hidden marker; tried
again after an interrupted send, the issue or comment is looked for by it first. Once
GitHub has it, the reply with its link is queued in the same outbox transaction that
records it sent: exactly one issue, one reply, whatever dies in between.
"""

from __future__ import annotations

from typing import Any

from triage_tui.sources.errors import Rejected
from triage_tui.sources.github import GithubClient
from triage_tui.sync.sending import Sending, SendReport
from triage_tui.sync.writes import Writes
from triage_tui.triage import bug_reports


def _github(sending: Sending) -> GithubClient:
    # The sender looks a handler up only when its service has a client.
    assert sending.clients.github is not None
    return sending.clients.github


async def send_labels(sending: Sending, entry: dict) -> Any:
    payload = entry["payload"]
    return await _github(sending).add_labels(payload["repo"], payload["number"], payload["labels"])


async def send_assign(sending: Sending, entry: dict) -> dict:
    github = _github(sending)
    repo, number = entry["payload"]["repo"], entry["payload"]["number"]
    login = (await github.me()).login
    issue = await github.add_assignees(repo, number, [login])
    _cache_issue(sending, repo, number, assignees=[{"login": a.login} for a in issue.assignees])
    if login not in [a.login for a in issue.assignees]:
        # GitHub leaves out, silently, anyone who may not be assigned (no push access).
        raise Rejected("github", f"{repo}#{number}: GitHub did not assign {login}")
    return {"html_url": issue.html_url, "assignees": [a.login for a in issue.assignees]}


async def send_issue(sending: Sending, entry: dict) -> dict:
    """Open the issue, unless an earlier try already did: any try before this one may
    have reached GitHub (a lost answer, a kill -9), so its marker is looked for first."""
    github = _github(sending)
    payload = entry["payload"]
    if entry["attempts"] > 0:
        marker = bug_reports.marker_line(payload["marker"])
        for issue in await github.issues_since(payload["repo"], sending.since(entry).strftime("%Y-%m-%dT%H:%M:%SZ")):
            if marker in (issue.body or ""):
                return {"html_url": issue.html_url, "number": issue.number, "found": True}
    issue = await github.create_issue(payload["repo"], payload["title"], payload["body"], payload["labels"])
    return {"html_url": issue.html_url, "number": issue.number}


async def send_comment(sending: Sending, entry: dict) -> dict:
    github = _github(sending)
    payload = entry["payload"]
    repo, number = payload["repo"], payload["number"]
    url = f"https://github.com/{repo}/issues/{number}"
    marker = payload.get("marker")
    if entry["attempts"] > 0 and marker:
        line = bug_reports.marker_line(marker)
        if any(line in (comment.body or "") for comment in await github.comments(repo, number)):
            return {"html_url": url, "number": number, "found": True}
    await github.add_comment(repo, number, payload["body"])
    items = sending.store.get(f"issues:{repo}", {}).get("items", [])
    cached = next((i for i in items if i["number"] == number), None)
    if cached is not None:
        _cache_issue(sending, repo, number, comments=int(cached.get("comments") or 0) + 1)
    return {"html_url": url, "number": number}


def _cache_issue(sending: Sending, repo: str, number: int, **changes: Any) -> None:
    """Our change to an issue, in the cache before the next GitHub poll says so."""
    cached = sending.store.get(f"issues:{repo}")
    if not isinstance(cached, dict):
        return
    items = [{**item, **changes} if item.get("number") == number else item for item in cached.get("items", [])]
    sending.store.set(f"issues:{repo}", {**cached, "items": items})


def finish_bug_report(sending: Sending, entry: dict, result: Any, report: SendReport) -> None:
    """A bug report's issue or +1: sent, with the issue recorded and the reply queued, all
    at once (Outbox.settle). A plain comment: sent."""
    then = entry["payload"].get("then")
    if not then or not isinstance(result, dict) or not result.get("html_url"):
        sending.mark_sent(entry, last_error=None)
        return
    url = str(result["html_url"])
    writes = Writes(sending.outbox, sending.store, sending.now)
    sending.outbox.settle(
        entry["id"],
        {"status": "sent", "sent_at": sending.now().isoformat(), "last_error": None, "issue": result},
        writes.reply_after_issue(entry, url),
        now=sending.now(),
    )
    bug = bug_reports.BugReport(**then["report"])
    if then.get("existing"):
        report.jobs.append(f"#{then['ticket_id']}: +1 on {url}; the reply goes next")
        return
    alert = bug_reports.team_alert(bug, url)
    report.copies.append(alert)
    where = f" for {then['channel']}" if then.get("channel") else ""
    report.jobs.append(f"#{then['ticket_id']}: {bug.what} opened: {url}\nCopied{where} (OSC 52): {alert}")
