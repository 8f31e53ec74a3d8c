"""The bug report flow, from a ticket (`B`): the form (kind, title, what was found, the open
issues like it), then one outbox entry. The GitHub write goes first; the reply with the
issue's link and the handbook's status is queued by the sender once GitHub has it, and
the team-channel alert is copied then (sync/send_github.py). A low-priority feature request
gets the link to open one instead, and no issue from us."""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage_tui.sync.requests import SearchGithub
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage import bug_reports
from triage_tui.triage.bug_reports import FEATURE, BugReport
from triage_tui.triage.macros import ChangeSet
from triage_tui.ui.flows import queue_write
from triage_tui.ui.links import ticket_url

if TYPE_CHECKING:
    from textual.screen import Screen

    from triage_tui.ui.context import Context


async def bug_report_flow(screen: Screen, context: Context, ticket: dict) -> None:
    from triage_tui.ui.screens.bug_report import BugReportForm

    github = context.config.github
    sdks = list(dict.fromkeys([*github.repos, *github.mobile_repos]))
    text = f"{ticket.get('subject') or ''}\n{ticket.get('description') or ''}"
    named_repo, named = bug_reports.repo_for(text, sdks, github.bug_repo)
    priority = str(ticket.get("priority") or "normal")
    heading = f"#{ticket['id']}: bug report or feature request (what you found goes in the issue)"
    form = BugReportForm(
        heading,
        list(dict.fromkeys([named_repo, github.bug_repo, *sdks])),
        str(ticket.get("subject") or ""),
        lambda asked: context.read_github(SearchGithub(*asked)),
        low_priority=priority == "low",
        named=named,
    )
    choice = await screen.app.push_screen_wait(form)
    if choice is None:
        return
    repo = choice.repo
    values = context.workspace.placeholders(ticket)
    url = ticket_url(context.config.zendesk, ticket["id"]) or f"#{ticket['id']}"
    report = BugReport(
        choice.kind,
        ticket["id"],
        url,
        values.get("ticket.requester.first_name", ""),
        choice.title,
        choice.notes,
        priority,
    )
    ref = TicketRef.of(ticket)
    if report.low_priority_feature:
        change = ChangeSet(comment=bug_reports.low_priority_reply(report), public=True, status="solved")
        what = f"#{ticket['id']}: feature request link"
        if queue_write(screen, "Not sent", lambda: context.writes.update_ticket(ref, change, what)):
            screen.notify(f"Queued: {what} (Solved)", markup=False)
            context.kick()
        return
    channel = bug_reports.team_channel(context.workspace.groups.get(ticket.get("group_id") or -1))
    entry = queue_write(
        screen, "Not sent", lambda: context.writes.bug_report(ref, report, repo, choice.existing, channel)
    )
    if entry is None:
        return
    status = "Solved" if choice.kind == FEATURE else "Pending"
    target = f"a +1 on {repo}#{choice.existing}" if choice.existing else f"a new {report.what} in {repo}"
    screen.notify(f"Queued: {target}; then the reply with its link ({status})", markup=False, timeout=8)
    context.kick()
