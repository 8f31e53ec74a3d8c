"""The queue: a line-API table that renders only the rows on screen.

A DataTable measures every cell of every row when rows are added (seconds of blocked UI
at tens of thousands of rows); this widget draws the visible lines only, so 5,000 tickets
cost what 30 cost, and a cursor move repaints two lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from triage_tui.presence import colleagues
from triage_tui.presence import line as presence_line
from triage_tui.read.workspace import Row, Workspace
from triage_tui.triage.flags import CONTENT_WARNING
from triage_tui.triage.incidents import INCIDENT_TAG_PREFIX
from triage_tui.triage.macros import STATUS_LABELS
from triage_tui.triage.sla import format_duration
from triage_tui.triage.tiers import BREACHED_LABEL, BREACHED_MEANING, Tier, tier_column
from triage_tui.ui import keys
from triage_tui.ui.safe import clean, fit


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # 0: takes the remaining width
    min_terminal: int = 0  # shown only when the widget is at least this wide


COLUMNS = [
    Column("mark", "", 4),
    Column("sla", "SLA", 7),
    Column("tier", "Tier", 9),
    Column("priority", "Pri", 4),
    Column("plan", "Plan", 6, 90),
    Column("status", "Status", 8),
    Column("group", "Group", 14, 120),
    Column("who", "Org / requester", 18, 70),
    Column("subject", "Subject", 0),
    Column("updated", "Updated", 8, 110),
]
# How the tier column looks, by tier (its words are the Tier's).
TIER_STYLES = {Tier.CS_TAGGED: "bold red", Tier.ESCALATED_HIGH: "bold yellow", Tier.WAITING: "dim"}


def _tier_legend() -> list[tuple[str, str, str]]:
    rows = []
    for tier in Tier:
        meaning = tier.words.meaning + (" (dimmed row)" if tier is Tier.WAITING else "")
        if tier is Tier.NEARING_BREACH:  # two words in the column: past its target, or nearing it
            rows.append((BREACHED_LABEL, "", f"tier {tier}: {BREACHED_MEANING}"))
        rows.append((tier.words.label, TIER_STYLES.get(tier, ""), f"tier {tier}: {meaning}"))
    return rows


# Every marker and colour a queue row can carry, for `?`: (marker, a style like it, meaning).
LEGEND = [
    ("●", "bold", "marked for a bulk action"),
    ("↑", "yellow", "a write of yours is queued, not yet sent"),
    ("⇡", "", "escalated to a team"),
    ("!", "", "tagged with an incident"),
    ("⚠", "", "content warning: the body is hidden until revealed"),
    ("-1h05m", "bold reverse red", "SLA breached (time past the target)"),
    ("0h40m", "bold red", "less than 1h to breach"),
    ("1h40m", "bold yellow", "less than 2h to breach"),
    ("2h40m", "yellow", "less than 3h to breach"),
    ("paused", "", "Pending or On-hold: the SLA clock is paused"),
    ("—", "", "no SLA clock (Free plan, or no target)"),
    *_tier_legend(),
]
PRIORITY = {"urgent": "Urg", "high": "High", "normal": "Norm", "low": "Low", None: "—"}


def age(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return ""
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)}m ago"
    if minutes < 48 * 60:
        return f"{minutes // 60}h ago"
    return f"{minutes // 1440}d ago"


class QueueTable(ScrollView, can_focus=True):
    """Ranked tickets. Posts `Highlighted` when the cursor lands on a ticket."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "queue--header",
        "queue--cursor",
        "queue--breached",
        "queue--stage-1h",
        "queue--stage-2h",
        "queue--stage-3h",
        "queue--marked",
        "queue--waiting",
        "queue--tier-1",
        "queue--tier-2",
    }
    BINDINGS = keys.bindings(keys.QUEUE)

    cursor = reactive(0, repaint=False)

    class MarksChanged(Message):
        """The marked set changed: the status line counts it."""

    class Highlighted(Message):
        def __init__(self, row: Row | None) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self,
        workspace: Workspace,
        now: Callable[[], dt.datetime],
        *,
        rows: list[Row] | None = None,
        queued: set[int] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.workspace = workspace
        self.now = now
        # Rows known before the first layout are drawn in the first frame, with no relayout.
        self.rows: list[Row] = rows or []
        self.virtual_size = Size(0, len(self.rows) + 1)
        self._drawn_width = 0
        # Marks outlive a filter or a view change; the keys act on the visible ones only.
        self.marked: set[int] = set()
        # Tickets acted on here: when one under the cursor moves (a new tier, solved), the
        # cursor stays at its place in the list and the next ticket moves up to it.
        self.acted: set[int] = set()
        self.queued: set[int] = queued or set()  # tickets with writes waiting in the outbox

    # -- data ---------------------------------------------------------------------------
    def set_rows(self, rows: list[Row], keep_id: int | None = None) -> None:
        """Replace the rows, keeping the cursor on the same ticket when it is still there,
        unless that ticket was just acted on: then the cursor keeps its place."""
        current = keep_id if keep_id is not None else self.current_id
        self.rows = rows
        self._fit_rows()
        index = next((i for i, r in enumerate(rows) if r.entry.id == current), None)
        if keep_id is None and current in self.acted:
            index = None
        self.cursor = min(index if index is not None else self.cursor, max(0, len(rows) - 1))
        # Scrolled again once the new rows are laid out: the scroll the cursor's move asks
        # for now is lost when the layout changes with the rows (clearing a filter closes
        # its box and regrows the table; measured: row 53 of 80 left at offset 0), and the
        # cursor's ticket, the one the detail shows and the keys act on, stayed off screen.
        self.call_after_refresh(self._keep_visible)
        self.refresh()
        self._announce()

    @property
    def current(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def current_id(self) -> int | None:
        row = self.current
        return row.entry.id if row else None

    def selected_ids(self) -> list[int]:
        """Marked tickets on screen (not hidden by a filter), in queue order; or the
        current one when none is marked."""
        if self.marked:
            shown = [r.entry.id for r in self.rows if r.entry.id in self.marked]
            if shown:
                return shown
        return [self.current_id] if self.current_id is not None else []

    def visible_marks(self) -> int:
        return sum(1 for r in self.rows if r.entry.id in self.marked) if self.marked else 0

    def move_to(self, ticket_id: int) -> bool:
        for index, row in enumerate(self.rows):
            if row.entry.id == ticket_id:
                self.cursor = index
                return True
        return False

    # -- cursor -------------------------------------------------------------------------
    def _moved_by_user(self) -> None:
        self.acted.clear()  # the user chose where the cursor is: it follows that ticket again

    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._keep_visible()
        self._announce()

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self.current))

    def _refresh_row(self, index: int) -> None:
        y = index + 1 - int(self.scroll_offset.y)
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.scrollable_content_region.width, 1))

    def _keep_visible(self) -> None:
        body = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + body:
            self.scroll_to(y=self.cursor - body + 1, animate=False)

    def action_cursor_down(self) -> None:
        self._moved_by_user()
        if self.cursor < len(self.rows) - 1:
            self.cursor += 1

    def action_cursor_up(self) -> None:
        self._moved_by_user()
        if self.cursor > 0:
            self.cursor -= 1

    def action_cursor_first(self) -> None:
        self._moved_by_user()
        self.cursor = 0

    def action_cursor_last(self) -> None:
        self._moved_by_user()
        self.cursor = max(0, len(self.rows) - 1)

    def action_page_down(self) -> None:
        self._moved_by_user()
        self.cursor = min(max(0, len(self.rows) - 1), self.cursor + max(1, self.size.height - 2))

    def action_page_up(self) -> None:
        self._moved_by_user()
        self.cursor = max(0, self.cursor - max(1, self.size.height - 2))

    def action_toggle_mark(self) -> None:
        ticket_id = self.current_id
        if ticket_id is None:
            return
        self.marked ^= {ticket_id}
        self.post_message(self.MarksChanged())
        self._refresh_row(self.cursor)
        self.action_cursor_down()

    def _fit_rows(self) -> None:
        # Only the height scrolls (columns fit the width); an unchanged size is no relayout.
        size = Size(0, len(self.rows) + 1)
        if self.virtual_size != size:
            self.virtual_size = size

    def on_resize(self) -> None:
        self._fit_rows()
        if self.size.width != self._drawn_width:
            self._drawn_width = self.size.width
            self.refresh()

    # -- drawing ------------------------------------------------------------------------
    def _columns(self) -> list[tuple[Column, int]]:
        width = self.scrollable_content_region.width
        shown = [c for c in COLUMNS if width >= c.min_terminal]
        fixed = sum(c.width + 1 for c in shown if c.width)
        flexible = max(8, width - fixed)
        return [(c, c.width or flexible) for c in shown]

    def _cells(self, row: Row) -> dict[str, str]:
        entry = row.entry
        ticket = entry.ticket
        self.workspace.countdown(row)
        # Markers combine: a queued write, escalated, an incident, a content warning.
        marks = "●" if entry.id in self.marked else " "
        if entry.id in self.queued:
            marks += "↑"
        if self.workspace.config.zendesk.escalation_tag in ticket.tags:
            marks += "⇡"
        if any(t.startswith(INCIDENT_TAG_PREFIX) for t in ticket.tags):
            marks += "!"
        if CONTENT_WARNING in ticket.tags:
            marks += "⚠"
        running = entry.clock.state == "running"
        paused = entry.clock.state == "paused"
        sla = format_duration(row.seconds_to_breach) if running else ("paused" if paused else "—")
        late = running and row.seconds_to_breach is not None and row.seconds_to_breach < 0
        who = entry.org or entry.requester
        return {
            "mark": marks,
            "sla": sla,
            "tier": tier_column(row.tier, breached=late),
            "priority": PRIORITY.get(ticket.priority, ticket.priority or "—"),
            "plan": self.workspace.plan_label(entry.plan),
            "status": STATUS_LABELS.get(ticket.status, ticket.status),
            "group": clean(entry.group),
            "who": clean(who),
            "subject": self._on_it(entry.id) + clean(ticket.title, limit=400),
            "updated": age(ticket.updated_at, self.now()),
        }

    def _on_it(self, ticket_id: int) -> str:
        """Colleagues on the ticket now (a team's relay), before its subject."""
        if not self.workspace.config.relay.url:
            return ""  # no team's relay, no colleagues: not even a cache read per row
        found = colleagues(self.workspace.store, ticket_id)
        return f"[{clean(presence_line(found), limit=60)}] " if found else ""

    def _style_for(self, row: Row, index: int) -> Style:
        if index == self.cursor and self.has_focus:
            return self.get_component_rich_style("queue--cursor")
        if index == self.cursor:
            return self.get_component_rich_style("queue--cursor", partial=True) + Style(dim=False)
        return Style()

    def _sla_style(self, row: Row) -> Style:
        stage = row.stage
        if stage == "breached":
            return self.get_component_rich_style("queue--breached")
        if stage in ("1h", "2h", "3h"):
            return self.get_component_rich_style(f"queue--stage-{stage}")
        return Style()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        self._drawn_width = self.size.width
        columns = self._columns()
        if y == 0:
            header = " ".join(fit(c.title, w) for c, w in columns)
            return Strip([Segment(fit(header, width), self.get_component_rich_style("queue--header"))], width)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        row = self.rows[index]
        cells = self._cells(row)
        base = self.rich_style + self._style_for(row, index)
        if row.tier == Tier.WAITING and index != self.cursor:
            base += self.get_component_rich_style("queue--waiting", partial=True)
        if row.entry.id in self.marked and index != self.cursor:
            base += self.get_component_rich_style("queue--marked", partial=True)
        segments = []
        used = 0
        for number, (column, column_width) in enumerate(columns):
            text = fit(cells[column.key], column_width)
            style = base
            if column.key == "sla":
                style = base + self._sla_style(row)
            elif column.key == "tier" and row.tier in (Tier.CS_TAGGED, Tier.ESCALATED_HIGH):
                style = base + self.get_component_rich_style(f"queue--tier-{row.tier}", partial=True)
            segments.append(Segment(text, style))
            used += column_width
            if number < len(columns) - 1:
                segments.append(Segment(" ", base))
                used += 1
        if used < width:
            segments.append(Segment(" " * (width - used), base))
        # One escape sequence per run of equal style, not per cell: bytes over SSH.
        return Strip(segments, width).crop(0, width).simplify()
