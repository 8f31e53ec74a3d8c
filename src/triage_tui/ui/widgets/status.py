"""The status line: what is shown, and per source when it last synced, offline since,
queued writes and conflicts. A stale or offline state is shown, never hidden."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rich.text import Text
from textual.signal import Signal
from textual.widgets import Static

from triage_tui.sync.events import SyncEvent
from triage_tui.triage.sla import parse_time
from triage_tui.ui.safe import plain

NAMES = {"zendesk": "Zendesk", "incidentio": "incident.io", "github": "GitHub"}


def _hhmm(value: str | None) -> str:
    moment = parse_time(value)
    return moment.strftime("%H:%M") if moment else "never"


PROGRESS_STALE = dt.timedelta(minutes=5)  # a page takes seconds: older is a copy that died


def current(sources: dict[str, dict], now: dt.datetime) -> dict[str, dict]:
    """The sources' states without a progress left behind by a copy that died mid-sync."""
    shown = {}
    for source, state in sources.items():
        progress = state.get("progress")
        at = parse_time(progress.get("at")) if isinstance(progress, dict) else None
        if progress and (at is None or now - at > PROGRESS_STALE):
            state = {**state, "progress": None}
        shown[source] = state
    return shown


def progress_words(progress: dict) -> str:
    """`page 3 of ~5`, then `SLAs 1,200 of 5,000`: what a long sync is doing now."""
    if progress.get("stage") == "reference":
        return "groups and macros"
    if progress.get("stage") == "sla":
        return f"SLAs {progress.get('done', 0):,} of {progress.get('total', 0):,}"
    pages = progress.get("pages")
    page = progress.get("page", 1)
    return f"page {page} of ~{pages}" if pages else f"page {page}"


def status_text(
    *,
    view: str,
    count: int,
    filter_text: str,
    sources: dict[str, dict],
    queued: dict[str, int],
    counts: dict[str, int],
    offline_mode: bool,
    conflicts_key: str = "C",
    problem: str | None = None,
    marked: tuple[int, int] = (0, 0),
    note: str | None = None,
) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f" {view} ", style="bold reverse")
    text.append(f" {count} ")
    if filter_text:
        text.append("/")
        text.append_text(plain(filter_text, "bold", limit=40))
        text.append(" ")
    if note:
        text.append_text(plain(note, "italic", limit=80))
        text.append(" ")
    shown, hidden = marked
    if shown or hidden:
        # Marks outlive a filter; the keys act on the shown ones only.
        if shown:
            text.append(f"●{shown} marked", style="bold")
        if hidden:
            text.append(f"{' +' if shown else '●'}{hidden} hidden", style="dim")
        text.append(" ")
    if offline_mode:
        text.append(" cache only ", style="bold reverse yellow")
    reasons: list[str] = []
    for source, state in sources.items():
        text.append(" ")
        name = NAMES.get(source, source)
        waiting = queued.get(source, 0)
        if state.get("progress"):
            # A first sync (or one after a long absence, or retried after a failure): how
            # far, so a count that grows page by page reads as progress, not a jumpy queue.
            text.append(f"{name} syncing {progress_words(state['progress'])}", style="bold cyan")
        elif state.get("offline_since"):
            text.append(f"{name} offline since {_hhmm(state['offline_since'])}", style="bold red")
            if waiting:
                text.append(f", {waiting} queued", style="bold red")
        elif state.get("last_error"):
            text.append(f"{name} error", style="bold red")
            # The toast goes away; the reason (and for a token, the command that fixes it) stays.
            reasons.append(f"{name}: {state.get('reason') or state['last_error']}")
        elif state.get("busy"):
            # The team's shared budget is spent for this minute: the cache is as fresh as the
            # time shown and the next try is already scheduled. Not offline, not an error.
            text.append(f"{name} ✓{_hhmm(state.get('last_success'))} busy", style="yellow")
        else:
            text.append(
                f"{name} ✓{_hhmm(state.get('last_success'))}", style="green" if state.get("last_success") else "dim"
            )
            _relay_path(text, state.get("path"))
            if waiting:
                text.append(f" ↑{waiting}", style="yellow")
    if problem:
        text.append(f"  {problem}", style="bold red")
    if counts.get("conflicts"):
        text.append(f"  ⚠ {counts['conflicts']} conflict(s): {conflicts_key}", style="bold red")
    if counts.get("failed"):
        text.append(f"  ✗ {counts['failed']} failed: {conflicts_key}", style="bold red")
    for reason in reasons:
        text.append("  ")
        text.append_text(plain(reason, "bold red", limit=160))
    return text


def _relay_path(text: Text, path: object) -> None:
    """With a team's relay: whether it feeds the queue, or this copy reads Zendesk without it."""
    if path == "relay":
        text.append(" via relay", style="green")
    elif isinstance(path, str) and path.startswith("zendesk: "):
        text.append(f" direct, {path.removeprefix('zendesk: ')}", style="bold yellow")


class StatusLine(Static):
    """Redraws itself on every sync report (a poll that changed nothing still moves its
    times on); `describe` says what it shows, None while the screen is being taken down."""

    def __init__(
        self, text: Text, describe: Callable[[], Text | None], reported: Signal[SyncEvent], *, id: str | None = None
    ) -> None:
        super().__init__(text, id=id)
        self.describe = describe
        self.reported = reported

    def on_mount(self) -> None:
        self.reported.subscribe(self, self._synced)

    def _synced(self, event: SyncEvent) -> None:
        self.redraw()

    def redraw(self) -> None:
        if (text := self.describe()) is not None:
            self.show(text)

    def show(self, text: Text) -> None:
        # One row, always: no relayout (which would repaint the whole screen on every sync).
        self.update(text, layout=False)
