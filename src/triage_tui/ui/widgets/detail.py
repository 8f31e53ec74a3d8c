"""The ticket detail pane: header, handbook flags, links, and the conversation."""

from __future__ import annotations

import datetime as dt
import re

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from triage_tui.triage.macros import STATUS_LABELS
from triage_tui.triage.sla import format_duration
from triage_tui.ui.safe import plain
from triage_tui.workspace import Detail

# Bodies are shown up to this size; a 1 MB paste must not freeze the terminal.
BODY_LIMIT = 20_000
_LINK = re.compile(r"https?://[^\s<>\"')\]]+")
FLAG_STYLES = {"danger": "bold reverse red", "warning": "bold yellow", "info": "cyan"}


def find_links(texts: list[str]) -> list[tuple[str, str]]:
    """(kind, url) for the links support cares about, first seen first."""
    found: dict[str, str] = {}
    for text in texts:
        for url in _LINK.findall(text):
            if "github.com" in url:
                kind = "GitHub"
            elif "slack.com" in url:
                kind = "Slack"
            elif "community" in url or "/questions/" in url:
                kind = "Community"
            else:
                kind = "Link"
            found.setdefault(url, kind)
    return [(kind, url) for url, kind in found.items()][:8]


def stamp(moment: dt.datetime | None) -> str:
    return moment.strftime("%a %d %b %H:%M") if moment else ""


class DetailPane(VerticalScroll, can_focus=True):
    """Shows one ticket. Untrusted text only ever enters as plain `Text`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.detail: Detail | None = None
        self.revealed: set[int] = set()
        self._labels: tuple[str, str, str] = ("", "", "")
        self.offline = False

    def compose(self):
        yield Static(id="detail-header")
        yield Static(id="detail-flags")
        yield Static(id="detail-conversation")

    def show(self, detail: Detail | None, plan_label: str = "", group: str = "", assignee: str = "") -> None:
        self.detail = detail
        self._labels = (plan_label, group, assignee)
        header = self.query_one("#detail-header", Static)
        flags = self.query_one("#detail-flags", Static)
        conversation = self.query_one("#detail-conversation", Static)
        if detail is None:
            header.update(Text("No ticket selected", style="dim"))
            flags.update("")
            conversation.update("")
            return
        ticket = detail.ticket
        head = Text()
        head.append(f"#{ticket.id} ", style="bold")
        head.append_text(plain(ticket.title, "bold", limit=300))
        head.append("\n")
        sla = format_duration(detail.seconds_to_breach) if detail.seconds_to_breach is not None else "no clock"
        facts = [
            ("Status", STATUS_LABELS.get(ticket.status, ticket.status)),
            ("Priority", ticket.priority or "—"),
            ("Plan", plan_label),
            ("SLA", sla + (f" ({detail.stage})" if detail.stage else "")),
        ]
        head.append("  ".join(f"{k}: {v}" for k, v in facts), style="")
        head.append("\n")
        org_name = detail.organization.name if detail.organization else "no organization"
        requester = detail.requester.display_name if detail.requester else f"user {ticket.requester_id}"
        email = f" <{detail.requester.email}>" if detail.requester and detail.requester.email else ""
        head.append("Requester: ")
        head.append_text(plain(requester + email, limit=200))
        head.append("  Org: ")
        head.append_text(plain(org_name, limit=200))
        head.append("\n")
        head.append("Group: ")
        head.append_text(plain(group or "—"))
        head.append("  Assignee: ")
        head.append_text(plain(assignee or "unassigned"))
        head.append("\n")
        head.append("Tags: ", style="dim")
        head.append_text(plain(" ".join(ticket.tags) or "—", "dim", limit=500))
        for entry in detail.pending_writes:
            head.append("\n")
            state = entry["status"]
            style = "bold red" if state in ("conflict", "failed") else "italic yellow"
            head.append(f"{'⚠' if state in ('conflict', 'failed') else '↑'} {state}: ", style=style)
            head.append_text(plain(entry["summary"], style, limit=200))
            if state == "conflict":
                head.append("  (press C to resolve)", style=style)
        header.update(head)

        flag_text = Text()
        for flag in detail.flags:
            flag_text.append(f" {flag.label} ", style=FLAG_STYLES[flag.severity])
            flag_text.append("\n")
        flags.update(flag_text)
        flags.display = bool(detail.flags)
        conversation.update(self._conversation(detail))

    def reveal(self) -> None:
        if self.detail is not None:
            self.revealed.add(self.detail.ticket.id)
            self.show(self.detail, *self._labels)


    def _conversation(self, detail: Detail) -> Text:
        ticket = detail.ticket
        text = Text()
        warned = "content_warning" in ticket.tags or any(f.key == "content_warning" for f in detail.flags)
        if warned and ticket.id not in self.revealed:
            text.append("Content hidden: this ticket carries a content warning. Press v to reveal it.", style="bold")
            return text
        if detail.comments is None:
            waiting = "Not cached, and offline: the first message only." if self.offline else "Loading the conversation…"
            text.append(waiting + "\n\n", style="dim italic")
            text.append_text(plain(ticket.description, multiline=True, limit=BODY_LIMIT))
            return text
        bodies = [ticket.description or ""] + [c.text for c in detail.comments]
        links = find_links(bodies)
        if links:
            text.append("Links\n", style="bold underline")
            for kind, url in links:
                text.append(f"  {kind}: ", style="bold")
                text.append_text(plain(url, limit=300))
                text.append("\n")
            text.append("\n")
        for comment in detail.comments:
            author = detail.authors.get(comment.author_id or -1, f"user {comment.author_id}")
            if comment.public:
                text.append(" Public reply ", style="bold reverse green")
            else:
                text.append(" Internal note ", style="bold reverse yellow")
            text.append(" ")
            text.append_text(plain(author, "bold", limit=120))
            text.append(f"  {stamp(comment.created_at)}\n", style="dim")
            body = comment.text
            text.append_text(plain(body, "" if comment.public else "italic", multiline=True, limit=BODY_LIMIT))
            if len(body) > BODY_LIMIT:
                text.append(f"\n… {len(body) - BODY_LIMIT:,} more characters not shown", style="dim")
            text.append("\n\n")
        return text

