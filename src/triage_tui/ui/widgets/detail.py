"""The ticket detail pane: header, handbook flags, links, and the conversation."""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from triage_tui.presence import line as presence_line
from triage_tui.read.workspace import Detail
from triage_tui.triage.flags import CONTENT_WARNING
from triage_tui.triage.macros import STATUS_LABELS
from triage_tui.triage.sla_words import detail_sla
from triage_tui.ui import keys
from triage_tui.ui.safe import fit, plain

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


class DetailPane(Widget, can_focus=True):
    """Shows one ticket. Untrusted text only ever enters as plain `Text`.

    A line-API widget that scrolls itself: moving to another ticket repaints only the lines
    that differ and never relayouts the screen (a new height or virtual size repaints the
    whole pane and the scrollbars beside it), which keeps a cursor move to a few KB over SSH.
    """

    BINDINGS = keys.bindings(keys.DETAIL)
    COMPONENT_CLASSES: ClassVar[set[str]] = {"detail--more"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.detail: Detail | None = None
        self.revealed: set[int] = set()
        self._labels: tuple[str, str, str] = ("", "", "")
        self.offline = False
        self._text = Text("No ticket selected", style="dim")
        self._strips: list[Strip] = []
        self._width = 0
        self._top = 0  # the first line of the conversation on screen
        self._blank: Strip | None = None

    @property
    def plain_text(self) -> str:
        return self._text.plain

    @property
    def hints_pending(self) -> bool:
        """The ticket's suggested macros and related tickets are still being computed."""
        return self.detail is not None and self.detail.hints is None

    def show(
        self,
        detail: Detail | None,
        plan_label: str = "",
        group: str = "",
        assignee: str = "",
        *,
        empty: str = "No ticket selected",
    ) -> None:
        moved = detail is None or self.detail is None or detail.ticket.id != self.detail.ticket.id
        self.detail = detail
        self._labels = (plan_label, group, assignee)
        if detail is None:
            self._set_text(Text(empty, style="dim"), moved)
            return
        text = self._header(detail, plan_label, group, assignee)
        if detail.flags:
            text.append("\n")
            for flag in detail.flags:
                text.append(f" {flag.label} ", style=FLAG_STYLES[flag.severity])
                text.append("\n")
        # After the handbook's warnings, which matter more where the pane is short.
        text.append("\n" if detail.flags else "")
        text.append_text(self._hints(detail))
        text.append("\n\n")
        text.append_text(self._conversation(detail))
        self._set_text(text, moved)

    def _header(self, detail: Detail, plan_label: str, group: str, assignee: str) -> Text:
        ticket = detail.ticket
        head = Text()
        head.append(f"#{ticket.id} ", style="bold")
        head.append_text(plain(ticket.title, "bold", limit=300))
        head.append("\n")
        if detail.colleagues:  # through a team's relay: who else is on it now
            head.append_text(plain(presence_line(detail.colleagues), "bold yellow", limit=200))
            head.append("\n")
        facts = [
            ("Status", STATUS_LABELS.get(ticket.status, ticket.status)),
            ("Priority", ticket.priority or "—"),
            ("Plan", plan_label),
            ("SLA", _sla_text(detail)),
        ]
        head.append("  ".join(f"{k}: {v}" for k, v in facts))
        head.append("\n")
        org_name = detail.organization.name if detail.organization else "no organization"
        requester = detail.requester.display_name if detail.requester else f"user {ticket.requester_id}"
        email = f" <{detail.requester.email}>" if detail.requester and detail.requester.email else ""
        head.append("Requester: ")
        head.append_text(plain(requester + email, limit=200))
        head.append("\n")
        # The org on the group's line: beside a long email it wrapped mid-label at 80 columns.
        head.append("Org: ")
        head.append_text(plain(org_name, limit=200))
        head.append("  Group: ")
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
                head.append(f"  (press {keys.label(self.app, 'outbox.conflicts')} to resolve)", style=style)
        head.append("\n")
        return head

    def _hints(self, detail: Detail) -> Text:
        """`Suggested macros: …` and `Related: #…` (macro titles are the account's text:
        plain, like a ticket's)."""
        hints = detail.hints
        line = Text()
        line.append("Suggested macros: ", style="bold")
        if hints is None:  # the hints thread is on it: the detail repaints when it answers
            line.append("…", style="dim")
            line.append("\nRelated: ", style="bold")
            line.append("…", style="dim")
            return line
        titles = [title for _, title in hints.macros]
        for n, title in enumerate(titles):
            if n:
                line.append(" · ", style="dim")
            line.append_text(plain(title, limit=80))
        if not titles:
            line.append("none", style="dim")
        line.append("\nRelated: ", style="bold")
        line.append(" ".join(f"#{ticket_id}" for ticket_id in hints.related) or "none")
        if hints.related:
            line.append(f"  ({keys.label(self.app, 'ticket.related')} jumps)", style="dim")
        return line

    def reveal(self) -> None:
        if self.detail is not None:
            self.revealed.add(self.detail.ticket.id)
            self.show(self.detail, *self._labels)

    # -- line rendering -----------------------------------------------------------------
    def _set_text(self, text: Text, moved: bool) -> None:
        self._text = text
        before = self._visible()
        self._render_strips()
        if moved:
            self._top = 0
        self._repaint_changed(before)

    def _repaint_changed(self, before: list[Strip]) -> None:
        width = self.size.width
        for y, (old, new) in enumerate(zip(before, self._visible())):
            if old != new:
                self.refresh(Region(0, y, width, 1))

    def _render_strips(self) -> None:
        width = max(1, self.size.width)
        self._width = width
        if not self.is_mounted:
            self._strips = []
            return
        console = self.app.console
        options = console.options.update_width(width).update(highlight=False)
        lines = console.render_lines(self._text, options, pad=True)
        base = self.rich_style
        self._strips = [Strip(line, width).apply_style(base).simplify() for line in lines]
        self._blank = Strip.blank(width, base)
        self._top = max(0, min(self._top, len(self._strips) - self.size.height))

    def _visible(self) -> list[Strip]:
        return [self._row(y) for y in range(self.size.height)]

    def _row(self, y: int) -> Strip:
        """What row `y` of the pane shows; the first and last row say when the
        conversation goes on beyond them (a scrollbar would repaint on every ticket)."""
        height, width = self.size.height, self.size.width
        strips = self._strips
        if height >= 4:
            below = len(strips) - (self._top + height)
            if y == height - 1 and below > 0:
                return self._marker(f"↓ {below + 1} more lines · {self._scroll_hint()}", width)
            if y == 0 and self._top > 0:
                return self._marker(f"↑ {self._top + 1} lines above", width)
        index = self._top + y
        if index < len(strips):
            return strips[index]
        if self._blank is None or self._blank.cell_length != width:
            self._blank = Strip.blank(width, self.rich_style)
        return self._blank

    def _scroll_hint(self) -> str:
        app = self.app
        if not self.has_focus:
            return f"{keys.label(app, 'ticket.open')} to read on"
        down, up = keys.label(app, "detail.down"), keys.label(app, "detail.up")
        return f"{down}/{up}, {keys.label(app, 'detail.page_down')}, {keys.label(app, 'detail.page_up')} to scroll"

    def _marker(self, label: str, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("detail--more")
        return Strip([Segment(fit(label, width), style)], width)

    def scroll_lines(self, lines: int) -> None:
        before = self._visible()
        self._top = max(0, min(self._top + lines, len(self._strips) - self.size.height))
        self._repaint_changed(before)

    def action_line_down(self) -> None:
        self.scroll_lines(1)

    def action_line_up(self) -> None:
        self.scroll_lines(-1)

    def action_page_down(self) -> None:
        self.scroll_lines(max(1, self.size.height - 2))

    def action_page_up(self) -> None:
        self.scroll_lines(-max(1, self.size.height - 2))

    def action_top(self) -> None:
        self.scroll_lines(-self._top)

    def action_bottom(self) -> None:
        self.scroll_lines(len(self._strips))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_lines(3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_lines(-3)

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self._render_strips()
        self.refresh()

    def on_mount(self) -> None:
        self._render_strips()

    def on_focus(self) -> None:
        self.refresh(Region(0, self.size.height - 1, self.size.width, 1))

    def on_blur(self) -> None:
        self.refresh(Region(0, self.size.height - 1, self.size.width, 1))

    def render_line(self, y: int) -> Strip:
        return self._row(y)

    def _conversation(self, detail: Detail) -> Text:
        ticket = detail.ticket
        text = Text()
        warned = CONTENT_WARNING in ticket.tags or any(f.key == CONTENT_WARNING for f in detail.flags)
        if warned and ticket.id not in self.revealed:
            text.append("Content hidden: this ticket carries a content warning. Press v to reveal it.", style="bold")
            return text
        if detail.comments is None:
            waiting = (
                "Not cached, and offline: the first message only." if self.offline else "Loading the conversation…"
            )
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


def _sla_text(detail: Detail) -> str:
    clock = detail.entry.clock if detail.entry is not None else None
    return detail_sla(
        detail.ticket.status,
        clock.state if clock is not None else None,
        clock.remaining_when_paused if clock is not None else None,
        detail.seconds_to_breach,
        detail.stage,
        from_zendesk=clock is not None and clock.from_zendesk,
    )
