"""The Textual app: reads the cache through the workspace, writes only through the outbox.

Sync runs in one thread worker with its own event loop: HTTP and disk IO never block the
screen, and the worker only posts messages; it never touches a widget.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import App
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from triage_tui.config import Config, xdg_dir
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.requests import Requests
from triage_tui.sync.writes import Writes
from triage_tui.triage.handover import HandoverTicket, incident_handover, rotation_handover
from triage_tui.triage.incidents import (
    TEMPLATE_TITLE,
    Impact,
    follow_up_text,
    incident_macro,
    incident_tag,
    is_incident_macro,
    pattern_hint,
)
from triage_tui.triage.macros import ChangeSet, changes_from_actions, placeholder_context, render_placeholders
from triage_tui.triage.sla import alert_due
from triage_tui.ui.commands import CommandsProvider
from triage_tui.ui.safe import clean, plain
from triage_tui.ui.screens.conflict import ConflictScreen
from triage_tui.ui.screens.confirm import Confirm
from triage_tui.ui.screens.help import HelpScreen
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.widgets.detail import DetailPane
from triage_tui.ui.widgets.incidents import IncidentPane
from triage_tui.ui.widgets.queue import QueueTable
from triage_tui.ui.widgets.sdk import SdkPane
from triage_tui.ui.widgets.status import StatusLine, status_text
from triage_tui.workspace import Workspace

if TYPE_CHECKING:  # models pull in pydantic, which start-up does without
    from triage_tui.models.incidentio import Incident
    from triage_tui.ui.screens.composer import Composed


# The screens built on TextArea are imported when first opened, not at start-up.
def _composer():
    from triage_tui.ui.screens import composer

    return composer


def _text_editor():
    from triage_tui.ui.screens import text_editor

    return text_editor

VIEW_ORDER = ["all", "mine", "sme", "escalated", "newest"]
_KEY_ACTIONS = frozenset(
    b.action.removeprefix("app.").split("(")[0]
    for owner in (MainScreen, IncidentPane, SdkPane)
    for b in owner.BINDINGS
    if isinstance(b, Binding) and b.action.startswith("app.") and b.action != "app.quit"
)


def stylesheet() -> Path:
    """styles/app.tcss: inside the installed package, or beside src/ in a checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "styles" / "app.tcss"
    if packaged.is_file():
        return packaged
    return package.parents[1] / "styles" / "app.tcss"


def binding_ids() -> set[str]:
    """Every remappable binding id, for validating `[keys]` before the app starts."""
    composer, text_editor = _composer(), _text_editor()
    owners = (
        MainScreen, QueueTable, DetailPane, IncidentPane, SdkPane, composer.Composer, FuzzyPicker, Confirm, ConflictScreen,
        text_editor.TextEditor, text_editor.ImpactForm, HelpScreen,
    )
    return {b.id for owner in owners for b in owner.BINDINGS if isinstance(b, Binding) and b.id}


class SyncReported(Message):
    """The sync worker changed the cache (past tense: it already happened)."""

    def __init__(
        self, lines: list[str], changed_tickets: list[int], incidents_changed: bool, comments_for: int | None = None,
        *, reference_changed: bool = False, outbox_changed: bool = False, crashed: str | None = None,
    ) -> None:
        super().__init__()
        self.lines = lines
        self.changed_tickets = changed_tickets
        self.incidents_changed = incidents_changed
        self.comments_for = comments_for
        self.reference_changed = reference_changed  # groups, macros, who I am
        self.outbox_changed = outbox_changed  # writes sent, in conflict or failed
        self.crashed = crashed  # the sync loop died with this error and restarts shortly


class TriageApp(App):
    TITLE = "triage-tui"
    CSS_PATH = str(stylesheet())
    COMMANDS = App.COMMANDS | {CommandsProvider}

    def __init__(
        self,
        config: Config,
        store: Store,
        outbox: Outbox,
        *,
        engine_factory: Callable[[], Any] | None = None,
        now: Callable[[], dt.datetime] | None = None,
        offline: bool = False,
        cursor_blink: bool = True,
        after_first_paint: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.after_first_paint = after_first_paint
        self.cursor_blink = cursor_blink
        self.config = config
        self.store = store
        self.outbox = outbox
        self.now = now or (lambda: dt.datetime.now(dt.UTC))
        self.workspace = Workspace(store, outbox, config, self.now)
        self.writes = Writes(outbox, store, self.now)
        self.engine_factory = engine_factory
        self.offline = offline or engine_factory is None
        self.requests = Requests()
        self.sync_problem: str | None = None
        self.view = "mine" if config.zendesk.my_groups else "all"
        self.filter_text = ""
        self.theme = config.ui.theme if config.ui.theme in self.available_themes else "textual-dark"
        self._seen_urgent: set[int] | None = None
        self._seen_incidents: set[str] | None = None
        self._hinted: set[tuple[int, ...]] = set()
        self._alerts_primed = False
        self._reminded: set[str] = set()
        self._quitting = False
        self._detail_timer = None
        self._fetch_timer = None
        if config.keys:
            self.set_keymap(dict(config.keys))

    # -- start-up -----------------------------------------------------------------------
    def on_mount(self) -> None:
        self.workspace.load()
        rows = self.workspace.rows(self.view, self.filter_text)
        # The screen is composed with its rows and status: the first frame is the queue.
        self.push_screen(MainScreen(rows, self._queued_ids(), self._status_text(len(rows))))
        if self.store.notice:
            self.notify(self.store.notice, severity="warning", timeout=10, markup=False)
        if not self.offline:
            # After the first paint: the worker's imports (httpx, pydantic) would hold the
            # GIL while the queue is being drawn.
            self.call_after_refresh(self.sync_worker)
        self.set_interval(60, self._minute_tick)

    @property
    def main(self) -> MainScreen:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("main screen not mounted")

    @property
    def queue_table(self) -> QueueTable:
        return self.main.query_one(QueueTable)

    # -- the sync worker ------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="sync", description="polling APIs into the cache", exit_on_error=False)
    def sync_worker(self) -> None:
        asyncio.run(self._sync_loop())

    async def _sync_loop(self) -> None:
        """The engine's one loop (sync/engine.py), its events posted to the screen."""
        from textual.worker import get_current_worker

        worker = get_current_worker()
        engine = self.engine_factory()
        engine.requests = self.requests
        engine.pollers.progress = lambda ids: self.post_message(SyncReported([], ids, False))
        stop = asyncio.Event()

        async def until_cancelled() -> None:
            while not worker.is_cancelled:
                await asyncio.sleep(0.1)
            stop.set()

        watcher = asyncio.create_task(until_cancelled())

        def emit(event: Any) -> None:
            self.post_message(
                SyncReported(
                    event.lines, event.changed_tickets, event.incidents_changed, event.comments_for,
                    reference_changed=event.reference_changed, outbox_changed=event.outbox_changed, crashed=event.crashed,
                )
            )

        try:
            await engine.run_forever(emit, stop)
        finally:
            watcher.cancel()
            await engine.clients.aclose()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The sync thread itself died (its engine could not even be built): say so."""
        if event.worker.group == "sync" and event.state == WorkerState.ERROR:
            self.sync_problem = f"sync stopped: {event.worker.error}"
            self.notify(self.sync_problem, severity="error", timeout=15, markup=False)
            self.refresh_status()

    def on_sync_reported(self, message: SyncReported) -> None:
        if not any(isinstance(screen, MainScreen) for screen in self.screen_stack):
            return  # arrived while the app is closing
        if message.crashed:
            self.sync_problem = message.lines[0] if message.lines else f"sync stopped: {message.crashed}"
            self.notify(self.sync_problem, severity="error", timeout=10, markup=False)
        elif message.lines or message.changed_tickets or message.outbox_changed:
            self.sync_problem = None  # it came back
        # A poll that changed nothing repaints the status line only: reloading and redrawing
        # the queue every 30 s cost ~100 ms of UI and ~10 KB over SSH each time.
        if message.reference_changed:
            self.workspace.load()
            self.refresh_queue()
        elif message.changed_tickets:
            self.workspace.update(message.changed_tickets)
            self.refresh_queue()
        elif message.outbox_changed:
            self.refresh_queue()  # the ↑ marks of queued writes
        if message.incidents_changed:
            self.refresh_incidents()
            self.refresh_sdk()
        if message.comments_for is not None or message.changed_tickets:
            self.refresh_detail()
        self.refresh_status()
        self.check_notifications()

    def kick(self) -> None:
        self.requests.ask("send")

    # -- painting -----------------------------------------------------------------------
    def refresh_everything(self) -> None:
        self.refresh_queue()
        # The queue is the first paint; the detail (whose models import pydantic), the
        # hidden panes and the alerts follow it a frame later.
        self.call_after_refresh(self.refresh_the_rest)

    async def refresh_the_rest(self) -> None:
        if self.after_first_paint is not None:
            self.after_first_paint()
            self.after_first_paint = None
        if not self.is_running or self._quitting:
            return  # closed within the first frame
        self.refresh_detail()
        try:
            await self.main.mount_side_panes()
        except LookupError:
            return  # the app is closing
        if not self.is_running:
            return  # closed while mounting: the panes were never composed
        self.refresh_incidents()
        self.refresh_sdk()
        self.refresh_status()
        self.check_notifications()

    def refresh_queue(self, keep_id: int | None = None) -> None:
        rows = self.workspace.rows(self.view, self.filter_text)
        table = self.queue_table
        table.queued = self._queued_ids()
        table.set_rows(rows, keep_id)
        self.refresh_status()

    def _queued_ids(self) -> set[int]:
        return {int(t.rsplit(":", 1)[1]) for t in self.writes.pending_targets() if t.startswith("zendesk:ticket:")}

    def _status_text(self, count: int) -> Text:
        sources = {name: self.store.sync_state(name) for name in ("zendesk", "incidentio", "github")}
        return status_text(
            view=self.workspace.view_names().get(self.view, self.view),
            count=count,
            filter_text=self.filter_text,
            sources=sources,
            queued={name: self.outbox.queued_for(name) for name in sources},
            counts=self.outbox.counts(),
            offline_mode=self.offline,
            problem=self.sync_problem,
        )

    def refresh_status(self) -> None:
        try:
            status = self.main.query_one(StatusLine)
        except (LookupError, NoMatches):
            return
        status.show(self._status_text(len(self.queue_table.rows)))

    def on_queue_table_highlighted(self, message: QueueTable.Highlighted) -> None:
        # A held-down j repaints two queue lines per row; the detail (a relayout) and the
        # conversation fetch follow once the cursor settles.
        for timer in (self._detail_timer, self._fetch_timer):
            if timer is not None:
                timer.stop()
        self._detail_timer = self.set_timer(0.04, self.refresh_detail)
        if message.row is not None and not self.offline:
            ticket_id = message.row.entry.id
            self._fetch_timer = self.set_timer(0.25, lambda: self.requests.ask("comments", ticket_id))

    def refresh_detail(self) -> None:
        try:
            pane = self.main.query_one(DetailPane)
        except (LookupError, NoMatches):
            return
        pane.offline = self.offline
        ticket_id = self.queue_table.current_id
        detail = self.workspace.detail(ticket_id) if ticket_id is not None else None
        if detail is None:
            pane.show(None)
            return
        assignee = self.workspace.user(detail.ticket.assignee_id)
        plan = self.workspace.plan_label(detail.entry.plan) if detail.entry else ""
        group = self.workspace.groups.get(detail.ticket.group_id or -1, "")
        pane.show(detail, plan, group, assignee.display_name if assignee else "")

    def _side_panes(self) -> bool:
        try:
            return self.main.side_panes_ready
        except LookupError:
            return False

    def refresh_incidents(self) -> None:
        if not self._side_panes():
            return
        pane = self.main.query_one(IncidentPane)
        incidents = self.workspace.incidents()
        tagged = {i.id: len(self.workspace.tagged_tickets(i)) for i in incidents}
        pane.set_incidents(incidents, self.config.incidentio.watcher_role, self.now(), tagged)
        self._show_incident(pane.current)

    def select_incident(self, incident_id: str) -> None:
        if not self._side_panes():
            return
        pane = self.main.query_one(IncidentPane)
        for index, incident in enumerate(pane.incidents):
            if incident.id == incident_id:
                pane.query_one("#incident-list").highlighted = index

    def on_incident_pane_selected(self, message: IncidentPane.Selected) -> None:
        self._show_incident(message.incident)

    def _show_incident(self, incident: Incident | None) -> None:
        if incident is None or not self._side_panes():
            return
        pane = self.main.query_one(IncidentPane)
        updates = self.workspace.incident_updates(incident.id)
        pane.show_detail(incident, updates, self.workspace.tagged_tickets(incident), self.config.incidentio.watcher_role, self.config.incidentio.status_page_url, self.now())

    def refresh_sdk(self) -> None:
        if not self._side_panes():
            return
        gh = self.config.github
        self.main.query_one(SdkPane).set_issues(self.workspace.issues(), gh.team_labels, gh.hero_label, gh.mobile_repos, self.now())

    # -- notifications ------------------------------------------------------------------
    def check_notifications(self) -> None:
        """Toast and bell for a new tier 1/2 ticket, a new live incident, SLA stages.

        What is already there when a source first fills the cache is the starting point,
        not news: alerts begin once each source has synced successfully before.
        """
        if not self.config.ui.notifications:
            return
        primed = {name: bool(self.store.sync_state(name).get("last_success")) for name in ("zendesk", "incidentio")}
        rows = self.workspace.rows("mine")
        alerts: list[str] = []
        if primed["zendesk"]:
            urgent = {r.entry.id for r in rows if r.tier in (1, 2)}
            if self._seen_urgent is not None:
                alerts += [f"New urgent ticket #{ticket_id}" for ticket_id in sorted(urgent - self._seen_urgent)]
            self._seen_urgent = urgent
        if primed["incidentio"]:
            incidents = {i.id: i for i in self.workspace.incidents()}
            if self._seen_incidents is not None:
                for incident_id in sorted(set(incidents) - self._seen_incidents):
                    incident = incidents[incident_id]
                    alerts.append(f"New live incident {incident.reference}: {clean(incident.name, limit=80)}")
            self._seen_incidents = set(incidents)
        alerts += self._sla_alerts(rows, announce=self._seen_urgent is not None and self._alerts_primed)
        self._alerts_primed = primed["zendesk"]
        hint = pattern_hint(
            [(r.entry.id, r.entry.ticket.created_at, f"{r.entry.ticket.title} {r.entry.excerpt}", r.entry.ticket.group_id)
             for r in rows if r.entry.ticket.created_at and not any(t.startswith("incident/") for t in r.entry.ticket.tags)],
            self.now(),
        )
        for incident in self.workspace.incidents():
            if not incident.is_live and self._incident_macro(incident) and incident.id not in self._reminded:
                self._reminded.add(incident.id)
                alerts.append(f"{incident.reference} is resolved but its macro still exists: F in the incident pane follows up the tagged tickets and deletes it")
        if hint and hint.ticket_ids not in self._hinted:
            self._hinted.add(hint.ticket_ids)
            alerts.append(hint.message())
        for alert in alerts[:5]:
            self.notify(alert, title="triage-tui", markup=False, timeout=6)
        if alerts and self.config.ui.bell:
            self.bell()

    def _sla_alerts(self, rows: list, *, announce: bool) -> list[str]:
        """One alert per stage (3h, 2h, 1h) per SLA clock, remembered across restarts."""
        fired: dict[str, list[str]] = self.store.get("alerts", {}) or {}
        alerts: list[str] = []
        changed = False
        now_ts = self.now().timestamp()
        for row in rows:
            if row.entry.facts.warn_ts > now_ts:
                continue  # more than 3h from breach: no stage yet, no countdown needed
            self.workspace.countdown(row)
            started = row.entry.clock.started_at.isoformat() if row.entry.clock.started_at else "?"
            key = f"{row.entry.id}@{started}"
            stage = alert_due(row.stage, frozenset(fired.get(key, [])))
            if stage:
                fired.setdefault(key, []).append(stage)
                changed = True
                if announce:
                    alerts.append(f"#{row.entry.id} breaches its SLA in under {stage}")
        if changed:
            self.store.set("alerts", fired)
        return alerts

    def _minute_tick(self) -> None:
        self.refresh_queue()
        self.refresh_incidents()  # their ages ("45m ago") move on with no poll changing them
        self.check_notifications()

    # -- selection helpers --------------------------------------------------------------
    def selected_tickets(self) -> list[dict]:
        ids = self.queue_table.selected_ids()
        found = [self.store.ticket(i) for i in ids]
        return [t for t in found if t]

    def _placeholders(self, ticket: dict) -> dict[str, str]:
        requester = self.workspace.user(ticket.get("requester_id"))
        org = self.store.record("org", ticket.get("organization_id")) or {}
        me = self.store.get("me") or {}
        return placeholder_context(
            ticket_id=ticket["id"],
            title=ticket.get("subject") or "",
            status=ticket.get("status") or "",
            requester_name=requester.name or "" if requester else "",
            organization_name=org.get("name") or "",
            agent_name=me.get("name") or "",
        )

    def _describe(self, ticket: dict) -> Callable[[ChangeSet], list[str]]:
        me = (self.store.get("me") or {}).get("name", "me")
        return lambda change: change.describe(status=ticket.get("status", ""), tags=ticket.get("tags") or [], group_names=self.workspace.groups, me_name=me)

    def _queue_writes(self, tickets: list[dict], change: ChangeSet, summary: str) -> None:
        for ticket in tickets:
            self.writes.update_ticket(ticket, change, f"#{ticket['id']}: {summary}")
        self.queue_table.marked.clear()
        self.notify(f"Queued: {summary} ({len(tickets)} ticket{'s' if len(tickets) != 1 else ''})", markup=False)
        self.kick()
        self.refresh_queue()
        self.refresh_detail()

    def _need_ticket(self) -> list[dict] | None:
        tickets = self.selected_tickets()
        if not tickets:
            self.notify("No ticket selected.", severity="warning")
            return None
        return tickets

    # -- quitting -----------------------------------------------------------------------
    async def action_quit(self) -> None:
        self._quitting = True
        self.exit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys typed after q arrive in the same read: once quitting, none of our keys acts
        # (Textual's own actions, which shutting down needs, are left alone).
        if action == "filter" and isinstance(self.focused, Input):
            return False  # "/" typed into a text box is a character, not the filter key
        return not (self._quitting and action in _KEY_ACTIONS)

    # -- actions: navigation ------------------------------------------------------------
    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_rows()))

    def key_rows(self) -> list[tuple[str, str, str]]:
        """Every binding with an id, with its keys after the user's remaps."""
        rows: list[tuple[str, str, str]] = []
        for owner in (MainScreen, QueueTable, DetailPane, IncidentPane, SdkPane):
            for binding in owner.BINDINGS:
                if isinstance(binding, Binding) and binding.id:
                    keys = self.config.keys.get(binding.id, binding.key)
                    shown = ", ".join(self.get_key_display(Binding(key.strip(), "")) for key in keys.split(","))
                    rows.append((shown, binding.tooltip or binding.description, binding.id))
        return rows

    def action_cycle_panes(self) -> None:
        main = self.main
        panes = [main.query_one(QueueTable), main.query_one(DetailPane), *main.query("#incident-list, #sdk-list")]
        candidates = [w for w in panes if w.display and w.parent.display and w.region.area]
        if not candidates:
            return
        focused = self.focused
        index = next((i for i, w in enumerate(candidates) if w is focused), -1)
        candidates[(index + 1) % len(candidates)].focus()

    def action_open_ticket(self) -> None:
        if self.queue_table.current_id is None:
            return
        self.main.query_one(DetailPane).focus()
        if not self.offline:
            self.requests.ask("comments", self.queue_table.current_id)

    async def action_filter(self) -> None:
        if not self._side_panes() and not await self._ensure_side_panes():  # the box comes with them
            return
        self.main.add_class("-filtering")
        box = self.main.query_one("#filter", Input)
        box.value = self.filter_text
        # At once, not on the next loop: keys typed right after / must land in the box.
        self.main.set_focus(box)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.filter_text = event.value.strip()
            self.refresh_queue()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            if not self.filter_text:
                self.main.remove_class("-filtering")
            self.queue_table.focus()

    def action_clear_filter(self) -> None:
        if self.filter_text or self.main.has_class("-filtering"):
            self.filter_text = ""
            for box in self.main.query("#filter").results(Input):
                box.value = ""
            self.main.remove_class("-filtering")
            self.refresh_queue()
        self.queue_table.focus()

    def action_next_ticket(self) -> None:
        row = self.workspace.next_row(self.queue_table.rows)
        if row is None:
            self.notify("Nothing awaits you in this view.", markup=False)
            return
        self.set_mode("queue")
        self.queue_table.move_to(row.entry.id)
        self.queue_table.focus()

    def action_next_view(self) -> None:
        names = list(self.workspace.view_names())
        self.view = names[(names.index(self.view) + 1) % len(names)] if self.view in names else names[0]
        self.refresh_queue()

    def set_view(self, view: str) -> None:
        self.view = view
        self.set_mode("queue")
        self.refresh_queue()

    def action_refresh(self) -> None:
        if self.offline:
            self.workspace.load()
            self.refresh_everything()
            self.notify("Offline mode: repainted from the cache.", markup=False)
            return
        self.requests.ask("refresh")
        self.notify("Syncing…", timeout=2)

    async def _ensure_side_panes(self) -> bool:
        """A key typed in the first frames: mount the panes now rather than drop the key."""
        try:
            await self.main.mount_side_panes()
        except LookupError:
            return False
        return self.main.side_panes_ready

    async def action_toggle_incidents(self) -> None:
        if not await self._ensure_side_panes():
            return
        main = self.main
        if not main.has_class("-mode-queue"):
            self.set_mode("queue")
        main.toggle_class("-split")
        if main.has_class("-split"):
            self.refresh_incidents()

    async def action_mode(self, mode: str) -> None:
        if mode != "queue" and not await self._ensure_side_panes():
            return
        self.set_mode(mode)

    def set_mode(self, mode: str) -> None:
        """Queue, incidents or SDK full screen; the last two need the side panes mounted."""
        main = self.main
        for name in ("queue", "incidents", "sdk"):
            main.set_class(name == mode, f"-mode-{name}")
        if mode == "incidents":
            self.refresh_incidents()
            main.query_one("#incident-list").focus()
        elif mode == "sdk":
            self.refresh_sdk()
            main.query_one("#sdk-list").focus()
        else:
            self.queue_table.focus()

    def action_reveal(self) -> None:
        self.main.query_one(DetailPane).reveal()

    # -- actions: status ----------------------------------------------------------------
    def action_set_open(self) -> None:
        if tickets := self._need_ticket():
            self._confirm_status(tickets, "open")

    def action_solve(self) -> None:
        if tickets := self._need_ticket():
            self._confirm_status(tickets, "solved")

    def _confirm_status(self, tickets: list[dict], status: str) -> None:
        label = {"open": "Open", "solved": "Solved"}[status]
        body = Text()
        body.append(f"Set {len(tickets)} ticket{'s' if len(tickets) != 1 else ''} to {label}:\n")
        for ticket in tickets[:10]:
            body.append(f"  #{ticket['id']} ")
            body.append_text(plain(ticket.get("subject"), limit=80))
            body.append("\n")
        if status == "solved":
            body.append("\nThe customer can reopen within 20 days; a CSAT survey follows after 3 days.", style="dim")

        def done(ok: bool | None) -> None:
            if ok:
                self._queue_writes(tickets, ChangeSet(status=status), f"status {label}")

        self.push_screen(Confirm(f"Set status {label}?", body), done)

    def action_pending(self) -> None:
        self._compose_status("pending", "Pending: reply and wait for the customer (auto-solves after 7 days)")

    def action_hold(self) -> None:
        self._compose_status("hold", "On-hold: tell the customer why (use sparingly)")

    def _compose_status(self, status: str, title: str) -> None:
        if tickets := self._need_ticket():
            self._open_composer(tickets, public=True, change=ChangeSet(status=status), title=title)

    def action_assign_me(self) -> None:
        if tickets := self._need_ticket():
            self._queue_writes(tickets, ChangeSet(assign_to_me=True), "assign to me")

    # -- actions: replies, macros, escalation --------------------------------------------
    def action_reply(self) -> None:
        if tickets := self._need_ticket():
            self._open_composer(tickets, public=True, change=ChangeSet(), title="Reply")

    def action_note(self) -> None:
        if tickets := self._need_ticket():
            self._open_composer(tickets, public=False, change=ChangeSet(), title="Internal note")

    def _open_composer(self, tickets: list[dict], *, public: bool, change: ChangeSet, title: str, text: str | None = None) -> None:
        first = tickets[0]
        kind = "reply" if public else "note"
        draft = self.store.draft(first["id"], kind) if len(tickets) == 1 else ""
        if text is None:
            text = draft or (render_placeholders("Hey {{ticket.requester.first_name | default: 'there'}},\n\n", self._placeholders(first)) if public else "")
        heading = f"{title} · #{first['id']} {clean(first.get('subject'), limit=60)}" if len(tickets) == 1 else f"{title} · {len(tickets)} marked tickets"

        def save_draft(value: str, is_public: bool) -> None:
            if len(tickets) == 1:
                self.store.save_draft(first["id"], "reply" if is_public else "note", value)

        def done(result: Composed | None) -> None:
            if result is None:
                return
            self._queue_writes(tickets, result.change, ("reply" if result.public else "note") + (f" + {result.change.status}" if result.change.status else ""))

        self.push_screen(
            _composer().Composer(title=heading, public=public, text=text, change=change, describe=self._describe(first), save_draft=save_draft, pick_macro=lambda insert: self._pick_macro(first, insert)),
            done,
        )

    def _macro_preview(self, ticket: dict) -> Callable[[str], Text]:
        macros = {str(m.id): m for m in self.workspace.macros()}
        describe = self._describe(ticket)

        def preview(key: str) -> Text:
            macro = macros[key]
            change = changes_from_actions([a.model_dump() for a in macro.actions], self._placeholders(ticket))
            text = Text()
            for line in describe(change):
                text.append("• ")
                text.append_text(plain(line, limit=200))
                text.append("\n")
            if change.comment:
                text.append("\n")
                text.append_text(plain(change.comment, multiline=True, limit=4000))
            return text

        return preview

    def _pick_macro(self, ticket: dict, then: Callable[[str, ChangeSet], None]) -> None:
        macros = self.workspace.macros()
        if not macros:
            self.notify("No macros cached yet.", severity="warning")
            return
        choices = [Choice(str(m.id), m.title) for m in sorted(macros, key=lambda m: m.title.lower())]

        def chosen(key: str | None) -> None:
            if key is not None:
                then(*self._macro_change(ticket, int(key)))

        self.push_screen(FuzzyPicker("Macros", choices, self._macro_preview(ticket)), chosen)

    def _macro_change(self, ticket: dict, macro_id: int) -> tuple[str, ChangeSet]:
        macro = next(m for m in self.workspace.macros() if m.id == macro_id)
        change = changes_from_actions([a.model_dump() for a in macro.actions], self._placeholders(ticket))
        return change.comment or "", change

    def _compose_with(self, tickets: list[dict], text: str, change: ChangeSet) -> None:
        self._open_composer(tickets, public=change.public, change=change.with_comment(None), title="Macro", text=text)

    def action_macro(self) -> None:
        if tickets := self._need_ticket():
            self._pick_macro(tickets[0], lambda text, change: self._compose_with(tickets, text, change))

    def compose_macro(self, macro_id: int) -> None:
        """A macro chosen elsewhere (the palette): straight to the composer, actions staged."""
        if tickets := self._need_ticket():
            self._compose_with(tickets, *self._macro_change(tickets[0], macro_id))

    def action_escalate(self) -> None:
        tickets = self._need_ticket()
        if not tickets:
            return
        wanted = [name.lower() for name in self.config.zendesk.escalation_groups]
        groups = sorted(self.workspace.groups.items(), key=lambda g: (g[1].lower() not in wanted, g[1].lower()))
        choices = [Choice(str(gid), name, "team" if name.lower() in wanted else "") for gid, name in groups]

        def chosen(key: str | None) -> None:
            if key is not None:
                self.escalate_to(int(key))

        self.push_screen(FuzzyPicker(f"Escalate {len(tickets)} ticket(s) to which team?", choices), chosen)

    def escalate_to(self, group_id: int) -> None:
        """The escalation note for the selected ticket(s): sets the group and the tag on send."""
        tickets = self._need_ticket()
        if not tickets:
            return
        change = ChangeSet(group_id=group_id, add_tags=(self.config.zendesk.escalation_tag,))
        template = "Found: \nNeeded: \nCustomer plan: "
        title = f"Escalate to {self.workspace.groups.get(group_id, group_id)}: what you found, what is needed"
        self._open_composer(tickets, public=False, change=change, title=title, text=template)

    # -- actions: outbox ----------------------------------------------------------------
    def action_conflicts(self) -> None:
        problems = self.outbox.entries(("conflict", "failed"))
        if not problems:
            self.notify("No conflicts or failed writes.", markup=False)
            return
        entry = problems[0]

        def decided(choice: str | None) -> None:
            if choice == "reapply":
                self.outbox.reapply(entry["id"])
                self.notify("Re-applied on top of the current version.", markup=False)
                self.kick()
            elif choice == "drop":
                self.outbox.drop(entry["id"])
                self.notify("Dropped your change; their version stays.", markup=False)
            self.refresh_queue()
            self.refresh_detail()

        self.push_screen(ConflictScreen(entry), decided)

    # -- actions: incidents -------------------------------------------------------------
    def _current_incident(self) -> Incident | None:
        incident = self.main.query_one(IncidentPane).current if self._side_panes() else None
        if incident is None:
            self.notify("No incident selected.", severity="warning")
        return incident

    def action_incident_watch(self) -> None:
        incident = self._current_incident()
        if incident is None:
            return
        roles = self.store.list("incident_roles")
        role = next((r for r in roles if r["name"].lower() == self.config.incidentio.watcher_role.lower()), None)
        if role is None:
            self.notify(f"incident.io has no role named {self.config.incidentio.watcher_role!r}.", severity="error", markup=False)
            return
        email = (self.store.get("me") or {}).get("email") or self.config.zendesk.email
        self.writes.assign_role(incident.model_dump(mode="json"), role, email)
        self.notify(f"Queued: you are Support Watcher on {incident.reference}", markup=False)
        self.kick()

    def action_attach_incident(self) -> None:
        tickets = self._need_ticket()
        if not tickets:
            return
        incidents = self.workspace.incidents()
        if not incidents:
            self.notify("No live incidents.", markup=False)
            return
        choices = [Choice(i.id, f"{i.reference} {i.name}", i.incident_status.name) for i in incidents]

        def chosen(key: str | None) -> None:
            if key is None:
                return
            incident = next(i for i in incidents if i.id == key)
            for ticket in tickets:
                self.writes.attach_to_incident(ticket, incident.model_dump(mode="json"))
            self.queue_table.marked.clear()
            self.notify(f"Queued: {len(tickets)} ticket(s) tagged {incident_tag(incident.reference)} and attached", markup=False)
            self.kick()
            self.refresh_queue()

        self.push_screen(FuzzyPicker(f"Attach {len(tickets)} ticket(s) to which incident?", choices), chosen)

    def _incident_macro(self, incident: Incident) -> dict | None:
        return next((m for m in self.store.list("macros") if is_incident_macro(m["title"], incident.reference)), None)

    def action_incident_macro(self) -> None:
        incident = self._current_incident()
        if incident is None:
            return
        template = next((m for m in self.store.list("macros") if m["title"] == TEMPLATE_TITLE), None)
        existing = self._incident_macro(incident)
        saved = self.store.get(f"impact:{incident.id}") or ["", "", ""]

        def with_impact(values: tuple[str, str, str] | None) -> None:
            if values is None:
                return
            self.store.set(f"impact:{incident.id}", list(values))
            body = incident_macro((template or {}).get("actions", []), incident.reference, incident.name, Impact(*values), self.config.incidentio.status_page_url)["macro"]
            text = body["actions"][0]["value"]

            def edited(final: str | None) -> None:
                if final is None:
                    return
                body["actions"][0]["value"] = final
                if existing:
                    self.writes.update_macro(existing["id"], body)
                    self.notify(f"Queued: update macro {body['title']}", markup=False)
                else:
                    self.writes.create_macro(body)
                    self.notify(f"Queued: create macro {body['title']} (tag {incident_tag(incident.reference)})", markup=False)
                self.kick()

            self.push_screen(_text_editor().TextEditor(f"{'Edit' if existing else 'New'} macro: {body['title']}", text), edited)

        self.push_screen(_text_editor().ImpactForm(f"Incident macro for {incident.reference}: the impact", *saved), with_impact)

    def action_incident_follow_up(self) -> None:
        incident = self._current_incident()
        if incident is None:
            return
        tickets = [t for t in self.workspace.tagged_tickets(incident) if t.get("status") not in ("closed", "deleted")]
        macro = self._incident_macro(incident)
        text = follow_up_text(incident.reference, incident.name, self.config.incidentio.status_page_url)

        def edited(final: str | None) -> None:
            if final is None:
                return
            for ticket in tickets:
                body = render_placeholders(final, self._placeholders(ticket))
                self.writes.update_ticket(ticket, ChangeSet(comment=body, public=True, status="solved"), f"#{ticket['id']}: incident follow-up")
            if macro is not None:
                self.writes.delete_macro(macro["id"], macro["title"])
            self.notify(f"Queued: follow-up to {len(tickets)} ticket(s)" + (" and the incident macro deleted" if macro else ""), markup=False)
            self.kick()
            self.refresh_queue()

        hint = f"{len(tickets)} tagged ticket(s) get this reply (placeholders filled per ticket) and are solved; ctrl+s send · escape cancel"
        self.push_screen(_text_editor().TextEditor(f"Follow up {incident.reference}", text, hint), edited)

    def action_incident_handover(self) -> None:
        incident = self._current_incident()
        if incident is None:
            return
        impact = self.store.get(f"impact:{incident.id}") or ["", "", ""]
        macro = self._incident_macro(incident)
        told = None
        if macro:
            told = next((a["value"] for a in macro["actions"] if a["field"] == "comment_value"), None)
        updates = self.workspace.incident_updates(incident.id)
        text = incident_handover(
            reference=incident.reference,
            name=incident.name,
            status=incident.incident_status.name,
            severity=incident.severity.name if incident.severity else None,
            broken=impact[0],
            works=impact[1],
            tagged_tickets=len(self.workspace.tagged_tickets(incident)),
            told_users=told,
            key_facts=[u.message for u in updates[:3] if u.message],
            now=self.now(),
        )
        self._handover(f"Handover: {incident.reference}", text, f"handover-{incident.reference}")

    def action_rotation_handover(self) -> None:
        me = (self.store.get("me") or {})
        mine = [e for e in self.workspace.entries.values() if e.ticket.assignee_id == me.get("id")]
        tickets = [HandoverTicket(e.id, clean(e.ticket.title, limit=100), e.ticket.status) for e in mine]
        text = rotation_handover(tickets, engineer=me.get("name", "me"), now=self.now())
        self._handover("Rotation handover", text, "handover-rotation")

    def _handover(self, title: str, text: str, name: str) -> None:
        def saved(final: str | None) -> None:
            if final is None:
                return
            folder = xdg_dir("state")
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = folder / f"{name}-{self.now():%Y%m%d-%H%M}.md"
            path.write_text(final, encoding="utf-8")
            self.copy_to_clipboard(final)  # OSC 52: reaches the laptop's clipboard over SSH
            self.notify(f"Copied to the clipboard and saved to {path}", markup=False)

        self.push_screen(_text_editor().TextEditor(title, text, "ctrl+s copy (OSC 52) and save · escape cancel"), saved)

    # -- actions: SDK -------------------------------------------------------------------
    def action_sdk_label(self) -> None:
        issue = self.main.query_one(SdkPane).current
        if issue is None:
            return
        labels = [self.config.github.hero_label] + self.config.github.team_labels
        choices = [Choice(label, label) for label in labels]

        def chosen(key: str | None) -> None:
            if key is None:
                return
            self.writes.label_issue(issue["repo"], issue["number"], [key])
            self.notify(f"Queued: label {issue['repo']}#{issue['number']} {key}", markup=False)
            self.kick()

        self.push_screen(FuzzyPicker(f"Label {issue['repo']}#{issue['number']}", choices), chosen)

    def action_sdk_url(self) -> None:
        issue = self.main.query_one(SdkPane).current
        if issue is None or not issue.get("html_url"):
            return
        url = clean(issue["html_url"], limit=300)
        self.copy_to_clipboard(url)
        self.notify(f"{url}\n(copied to the clipboard)", markup=False, timeout=10)
