"""The SDK rotation view: open issues of the SDK repositories, unlabelled first."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from triage_tui.ui.safe import plain
from triage_tui.ui.widgets.queue import age


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
    BINDINGS = [
        Binding("l", "app.sdk_label", "Label", id="sdk.label", tooltip="Add a team label or SDK Support Hero"),
        Binding("u", "app.sdk_url", "URL", id="sdk.url", tooltip="Show and copy the issue URL"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
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

    def set_issues(self, issues: list[dict], team_labels: list[str], hero_label: str, mobile_repos: list[str], now: dt.datetime) -> None:
        keep = self.current["id"] if self.current else None
        self.issues = sorted(issues, key=lambda i: (issue_rank(i, team_labels, hero_label), i["repo"] not in mobile_repos, i.get("created_at") or ""))
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
            labels = ", ".join(label["name"] for label in issue.get("labels", []))
            prompt.append(f"\n   {age(_parse(issue.get('created_at')), now)}", style="dim")
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


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
