"""The SDK rotation view: open issues of the SDK repositories, unlabelled first, and the
keys that act on the issue it shows (l label, u URL; c comments, w comment, A assign me,
E escalate a mobile issue to the client libraries team)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from triage_tui.sync.requests import ReadIssueComments
from triage_tui.targets import Target
from triage_tui.triage.bug_reports import MOBILE_TEAM, escalation_comment
from triage_tui.triage.sdk_issues import is_mobile_issue, issue_order, issue_rank
from triage_tui.triage.sdk_tickets import breach_order, mobile_clock, rotation_tickets
from triage_tui.triage.sla import format_duration, parse_time
from triage_tui.ui import keys
from triage_tui.ui.flows import queue_write, run_flow
from triage_tui.ui.links import open_or_copy
from triage_tui.ui.safe import plain
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.widgets.queue import age

if TYPE_CHECKING:
    from triage_tui.ui.context import Context


class SdkPane(Vertical):
    ALLOW_MAXIMIZE = True  # z zooms the pane, list and detail together
    BINDINGS = keys.bindings(keys.SDK)

    def __init__(self, context: Context, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.issues: list[dict] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("SDK rotation: open issues", style="bold"), id="sdk-title")
        yield Static(id="sdk-zendesk")  # the rotation's Zendesk filters (issue 26)
        yield OptionList(id="sdk-list")
        with VerticalScroll(id="sdk-detail-scroll"):
            yield Static(id="sdk-detail")

    @property
    def current(self) -> dict | None:
        index = self.query_one(OptionList).highlighted
        return self.issues[index] if index is not None and index < len(self.issues) else None

    def set_issues(
        self, issues: list[dict], team_labels: list[str], hero_label: str, mobile_repos: list[str], now: dt.datetime
    ) -> None:
        keep = self.current["id"] if self.current else None
        self.issues = sorted(issues, key=lambda i: issue_order(i, team_labels, hero_label, mobile_repos))
        options = self.query_one(OptionList)
        options.clear_options()
        for issue in self.issues:
            rank = issue_rank(issue, team_labels, hero_label)
            prompt = Text()
            prompt.append(("○ needs label ", "● hero ", "✓ team ")[rank], style=("bold yellow", "bold", "green")[rank])
            if issue["repo"] in mobile_repos:
                prompt.append("mobile ", style="bold magenta")
            prompt.append(f"{issue['repo'].split('/')[-1]}#{issue['number']} ", style="bold")
            prompt.append_text(plain(issue.get("title"), limit=160))
            labels = ", ".join(
                label["name"] + (" ↑" if label.get("queued") else "") for label in issue.get("labels", [])
            )
            prompt.append(f"\n   {age(parse_time(issue.get('created_at')), now)}", style="dim")
            if labels:
                prompt.append("  ")
                prompt.append_text(plain(labels, "dim", limit=120))
            options.add_option(Option(prompt, id=str(issue["id"])))
        if self.issues:
            index = next((i for i, issue in enumerate(self.issues) if issue["id"] == keep), 0)
            options.highlighted = index

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        issue = self.current
        detail = self.query_one("#sdk-detail", Static)
        if issue is None:
            detail.update("")
            return
        text = Text()
        text.append_text(plain(issue.get("title"), "bold", limit=300))
        text.append("\n")
        text.append_text(plain(issue.get("html_url"), "underline", limit=300))
        text.append_text(self._work_lines(issue))
        text.append("\n\n")
        text.append_text(plain(issue.get("body"), multiline=True, limit=5000))
        detail.update(text)

    def reload(self) -> None:
        gh = self.context.config.github
        sent = self._sent_since_last_poll()
        issues = [self._with_queued_labels(issue, sent) for issue in self.context.workspace.issues()]
        self.set_issues(issues, gh.team_labels, gh.hero_label, gh.mobile_repos, self.context.now())
        self.query_one("#sdk-zendesk", Static).update(self._zendesk_lines())

    # -- the rotation's Zendesk half (issue 26): its filters, mobile ones on a shorter SLA ------
    SHOWN_TICKETS = 4  # at 80x24 the issues keep most of the pane; `f <id>` opens a ticket

    def _zendesk_lines(self) -> Text:
        views = self.context.reads.sdk_views()
        text = Text()
        if not views:
            return text
        sdk = self.context.config.sdk
        text.append("Zendesk: ", style="bold")
        for index, view in enumerate(views):
            text.append(" · " if index else "")
            text.append_text(plain(f"{view.get('title')} {len(view.get('tickets') or [])}", limit=120))
            if view.get("mobile"):
                text.append(f" (SLA ×{sdk.mobile_sla_factor:g})", style="magenta")
        for view in views:
            if view.get("error"):
                text.append_text(plain(f"\n✗ {view.get('title')}: {view['error']}", "bold red", limit=200))
        rows = self._zendesk_rows(views)
        for seconds, mobile, ticket in rows[: self.SHOWN_TICKETS]:
            text.append("\n")
            style = "bold red" if seconds is not None and seconds < 0 else ""
            text.append(f"{format_duration(seconds) if seconds is not None else '—':>8} ", style=style)
            if mobile:
                text.append("mobile ", style="bold magenta")
            text.append(f"#{ticket['id']} ", style="bold")
            text.append_text(plain(ticket.get("subject"), limit=160))
        if len(rows) > self.SHOWN_TICKETS:
            text.append(f"\n   … {len(rows) - self.SHOWN_TICKETS} more", style="dim")
        return text

    def _zendesk_rows(self, views: list[dict]) -> list[tuple[float | None, bool, dict]]:
        """Each ticket once (mobile if any mobile view holds it), closest to breach first."""
        workspace, sdk = self.context.workspace, self.context.config.sdk
        now = self.context.now()
        rows = []
        for ticket, mobile in rotation_tickets(views):
            seconds = None
            entry = workspace.entries.get(ticket["id"])
            if entry is not None:
                clock = entry.clock
                if mobile:
                    target = self.context.config.sla.targets.get(entry.plan)
                    clock = mobile_clock(clock, target, sdk.mobile_sla_factor, workspace.calendar)
                seconds = clock.seconds_to_breach(now, workspace.calendar)
            rows.append((seconds, mobile, ticket))
        rows.sort(key=breach_order)
        return rows

    def _sent_since_last_poll(self) -> dict[str, list[dict]]:
        """Labels GitHub accepted after the cached issues were fetched, by target: the cache
        learns of them at the next poll (minutes away), the row must show them now."""
        polled = parse_time(self.context.reads.sync_states().get("github", {}).get("last_success"))
        found: dict[str, list[dict]] = {}
        for entry in self.context.outbox.entries(("sent",)):
            sent_at = parse_time(entry.get("sent_at"))
            if entry.get("kind") == "github_labels" and sent_at and (polled is None or sent_at >= polled):
                found.setdefault(entry["target"], []).append(entry)
        return found

    def _with_queued_labels(self, issue: dict, sent: dict[str, list[dict]] | None = None) -> dict:
        """The issue as it will be: labels queued but not yet on GitHub count already (the
        row stops saying "needs label" at once), marked ↑ until GitHub has them, ✗ if refused;
        labels GitHub took since the last poll count as on it."""
        target = Target.issue(issue["repo"], issue["number"])
        entries = self.context.reads.unsent_for(target)
        queued = [e for e in entries if e.get("kind") == "github_labels"]
        took = (sent or {}).get(str(target), [])
        if not queued and not took:
            return issue
        have = {label["name"] for label in issue.get("labels", [])}
        labels = list(issue.get("labels", []))
        for entry in took:
            for name in entry["payload"].get("labels", []):
                if name not in have:
                    labels.append({"name": name})
                    have.add(name)
        for entry in queued:
            mark = "✗" if entry.get("status") == "failed" else "↑"
            for name in entry["payload"].get("labels", []):
                if name not in have:
                    labels.append({"name": f"{name} {mark}"} if mark == "✗" else {"name": name, "queued": True})
                    have.add(name)
        return {**issue, "labels": labels}

    # -- the SDK rotation's keys --------------------------------------------------------
    async def action_sdk_label(self) -> None:
        if (issue := self.current) is not None:
            await run_flow(self, self._label(issue), f"label {issue['repo']}#{issue['number']}")

    async def _label(self, issue: dict) -> None:
        github = self.context.config.github
        choices = [Choice(label, label) for label in [github.hero_label, *github.team_labels]]
        name = f"{issue['repo']}#{issue['number']}"
        label = await self.app.push_screen_wait(FuzzyPicker(f"Label {name}", choices))
        if label is None:
            return
        label_issue = self.context.writes.label_issue
        if not queue_write(self, f"Not labelled {name}", lambda: label_issue(issue["repo"], issue["number"], [label])):
            return
        self.notify(f"Queued: label {name} {label}", markup=False)
        self.reload()  # shown at once, marked ↑ until GitHub has it
        self.context.kick()

    def action_sdk_url(self) -> None:
        issue = self.current
        if issue is None or not issue.get("html_url"):
            return
        open_or_copy(self, issue["html_url"], "issue link")

    # -- working an issue (issue 26): read, comment, assign me, escalate a mobile one ---------
    def is_mobile(self, issue: dict) -> bool:
        return is_mobile_issue(issue, self.context.config.github.mobile_repos)

    def _work_lines(self, issue: dict) -> Text:
        """Who has it, how many comments, and our writes to it still on their way."""
        lines = Text()
        assignees = [a.get("login", "") for a in issue.get("assignees") or [] if isinstance(a, dict)]
        who = ", ".join(assignees) or "nobody"
        lines.append("\n")  # plain() keeps one line: the break is ours
        lines.append_text(plain(f"Assigned: {who} · {issue.get('comments') or 0} comments"))
        if self.is_mobile(issue):
            lines.append(" · mobile: faster SLA, escalate with ", style="magenta")
            lines.append(keys.label(self.app, "sdk.escalate"), style="bold magenta")
        for entry in self.context.reads.unsent_for(Target.issue(issue["repo"], issue["number"])):
            if entry.get("kind") in ("github_comment", "github_assign"):
                mark = "✗ failed" if entry.get("status") == "failed" else "↑ queued"
                lines.append_text(plain(f"\n{mark}: {entry.get('summary')}", "yellow", limit=200))
        return lines

    async def action_sdk_comments(self) -> None:
        if (issue := self.current) is None:
            return
        from triage_tui.ui.screens.issue_comments import IssueComments

        screen = IssueComments(
            issue,
            lambda asked: self.context.read_github(ReadIssueComments(*asked)),
            lambda: self._comment(issue),
            lambda: self.context.reads.unsent_for(Target.issue(issue["repo"], issue["number"])),
        )
        await self.app.push_screen(screen)

    async def action_sdk_comment(self) -> None:
        if (issue := self.current) is not None:
            await run_flow(self, self._comment(issue), f"comment on {issue['repo']}#{issue['number']}")

    async def action_sdk_escalate(self) -> None:
        if (issue := self.current) is None:
            return
        name = f"{issue['repo']}#{issue['number']}"
        if not self.is_mobile(issue):
            self.notify(
                f"{name} is not a mobile SDK issue: route it with a team label ({keys.label(self.app, 'sdk.label')}).",
                severity="warning",
                markup=False,
            )
            return
        await run_flow(self, self._comment(issue, escalate=True), f"escalate {name}")

    async def _comment(self, issue: dict, *, escalate: bool = False) -> None:
        from triage_tui.ui.flows import text_editor

        name = f"{issue['repo']}#{issue['number']}"
        title = f"Escalate {name} to the client libraries team" if escalate else f"Comment on {name}"
        text = escalation_comment("") if escalate else ""
        hint = keys.hint(self.app, ("editor.save", "send to GitHub"), ("editor.cancel", "cancel"))
        body = await self.app.push_screen_wait(text_editor().TextEditor(title, text, hint))
        if body is None or not body.strip():
            return
        if escalate and MOBILE_TEAM not in body:
            body = escalation_comment(body)  # the mention is what escalates it
        comment = self.context.writes.comment_issue
        summary = f"{name}: {'escalate to client libraries' if escalate else 'comment'}"
        if not queue_write(self, f"Not sent to {name}", lambda: comment(issue["repo"], issue["number"], body, summary)):
            return
        self.notify(f"Queued: {summary}", markup=False)
        self.context.kick()

    def action_sdk_assign(self) -> None:
        if (issue := self.current) is None:
            return
        name = f"{issue['repo']}#{issue['number']}"
        assign = self.context.writes.assign_issue_to_me
        if queue_write(self, f"Not assigned {name}", lambda: assign(issue["repo"], issue["number"])):
            self.notify(f"Queued: assign {name} to me", markup=False)
            self.context.kick()

    def action_list_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_list_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (getattr(self.app, "quitting", False) and action in keys.WORKSPACE_ACTIONS)
