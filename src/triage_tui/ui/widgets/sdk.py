"""The SDK rotation view: open issues of the SDK repositories, unlabelled first, and the
keys that act on the issue it shows (l label, u URL)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from triage_tui.targets import Target
from triage_tui.triage.sla import parse_time
from triage_tui.ui import keys
from triage_tui.ui.flows import queue_write, run_flow
from triage_tui.ui.links import open_or_copy
from triage_tui.ui.safe import plain
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.widgets.queue import age

if TYPE_CHECKING:
    from triage_tui.ui.context import Context


def issue_rank(issue: dict, team_labels: list[str], hero_label: str) -> int:
    """0 needs routing (no team label, not hero: "bug" alone routes nowhere), 1 `SDK Support
    Hero`, 2 team-labelled."""
    names = [label["name"] for label in issue.get("labels", [])]
    if any(name in team_labels or name.startswith("team/") for name in names):
        return 2
    if hero_label in names:
        return 1
    return 0


class SdkPane(Vertical):
    ALLOW_MAXIMIZE = True  # z zooms the pane, list and detail together
    BINDINGS = keys.bindings(keys.SDK)

    def __init__(self, context: Context, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.issues: list[dict] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("SDK rotation: open issues", style="bold"), id="sdk-title")
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
        self.issues = sorted(
            issues,
            key=lambda i: (
                issue_rank(i, team_labels, hero_label),
                i["repo"] not in mobile_repos,
                i.get("created_at") or "",
            ),
        )
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
        text.append("\n\n")
        text.append_text(plain(issue.get("body"), multiline=True, limit=5000))
        detail.update(text)

    def reload(self) -> None:
        gh = self.context.config.github
        sent = self._sent_since_last_poll()
        issues = [self._with_queued_labels(issue, sent) for issue in self.context.workspace.issues()]
        self.set_issues(issues, gh.team_labels, gh.hero_label, gh.mobile_repos, self.context.now())

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

    def action_list_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_list_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (getattr(self.app, "quitting", False) and action in keys.WORKSPACE_ACTIONS)
