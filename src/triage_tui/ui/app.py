"""The Textual app: settings, the services it owns and the global keys.

It builds the workspace (the cache, read), the sync bridge (the engine's worker, its asks
and reports) and the context the screens work with; its default screen is `MainScreen`,
which starts itself. It reads the cache through the workspace and writes only through the
outbox; the screens and panes own their keys (`MainScreen` and `TicketScreen` the queue's
and the ticket's, `IncidentPane` and `SdkPane` theirs), and `ui/keys.py` lists them all.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.worker import Worker

from triage_tui.config import Config
from triage_tui.read.workspace import Workspace
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.requests import Requests
from triage_tui.sync.writes import Writes
from triage_tui.ui import keys
from triage_tui.ui.alerts import Alerts
from triage_tui.ui.commands import CommandsProvider
from triage_tui.ui.context import Context
from triage_tui.ui.hints import BurstWatch, HintsChanged
from triage_tui.ui.screens.help import HelpScreen
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.sync_bridge import EngineFactory, SyncBridge, SyncReported
from triage_tui.ui.widgets.queue import QueueTable

__all__ = ["SyncReported", "TriageApp", "binding_ids", "stylesheet"]

binding_ids = keys.binding_ids  # `triage-tui` validates `[keys]` with it before start-up


def stylesheet() -> Path:
    """The package's own CSS (`styles/app.tcss` at the top of a checkout links to it): the
    same file in a wheel and an editable install. An absolute path: Textual reads a relative
    CSS_PATH from the file of whichever class subclasses the App."""
    return Path(__file__).resolve().parent / "styles" / "app.tcss"


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
        engine_factory: EngineFactory | None = None,
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
        self.engine_factory = engine_factory
        self.offline = offline or engine_factory is None
        # The dialogs a flow is waiting on right now (see push_screen_wait).
        self.awaited_dialogs: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()
        self.requests = Requests()
        self.sync = SyncBridge(self, engine_factory, self.requests, self.workspace)
        sync = self.sync
        self.context = Context(
            config=config,
            workspace=self.workspace,
            writes=Writes(outbox, store, self.now),
            outbox=outbox,
            now=lambda: self.now(),
            kick=sync.kick,
            fetch_comments=sync.fetch_comments,
            search=sync.search_zendesk,
            offline=self.offline,
            reported=sync.reported,
            sync_problem=lambda: sync.problem,
            read_github=sync.read_github,
            # Only with a team's relay: without one nothing would take these asks.
            presence=sync.presence if config.relay.url else (lambda ticket_id, doing: None),
        )
        self.alerts = Alerts(self.workspace, lambda: keys.label(self, "incident.follow_up"))
        self.theme = config.ui.theme if config.ui.theme in self.available_themes else "textual-dark"
        self.quitting = False
        self.bursts = BurstWatch()
        self.keymap: dict[str, str] = {}
        self._first_screen: MainScreen | None = None
        if config.keys:
            self.set_keymap(dict(config.keys))

    # -- settings -----------------------------------------------------------------------
    def set_keymap(self, keymap: Mapping[str, str]) -> None:
        """The remaps, kept as given: `?`, the hints and the palette show them."""
        self.keymap = dict(keymap)
        super().set_keymap(keymap)

    def update_keymap(self, keymap: Mapping[str, str]) -> None:
        self.keymap = {**self.keymap, **keymap}
        super().update_keymap(keymap)

    # -- start-up -----------------------------------------------------------------------
    async def push_screen_wait(self, screen: Any, *, mode: str | None = None) -> Any:
        """A flow's dialog, remembered while it is awaited: a key that closes a dialog waits
        for the flows at work, not those parked on a dialog (ui/in_order.py)."""
        if isinstance(screen, Screen):
            self.awaited_dialogs.add(screen)
        try:
            return await super().push_screen_wait(screen, mode=mode)
        finally:
            if isinstance(screen, Screen):
                self.awaited_dialogs.discard(screen)

    def get_default_screen(self) -> MainScreen:
        """The main screen is the bottom of the stack, composed with the App, its rows and
        status included: the first frame is the queue. Pushed from `on_mount` instead, it was
        laid out and rendered inside Textual's start-up batch, which drops that frame, and
        the rows reached the terminal a frame later (tests/app/test_first_frame.py)."""
        self.workspace.load()
        view = "mine" if self.config.zendesk.my_groups else "all"
        self._first_screen = MainScreen(self.context, view)
        return self._first_screen

    async def on_event(self, event: events.Event) -> None:
        # The main screen composes once the App is up, so keys can be read before its queue
        # exists (typed as the command starts, an SSH burst): they wait for it, in order
        # (the App handles one message at a time), since Textual runs a key's binding on the
        # screen as it is when the key is handled.
        first = self._first_screen
        if first is not None and isinstance(event, (events.Key, events.Paste)):
            await first.composed.wait()
            self._first_screen = None
        await super().on_event(event)

    def on_mount(self) -> None:
        if notice := self.context.reads.notice():
            self.notify(notice, severity="warning", timeout=10, markup=False)
        if not self.offline:
            # After the first paint: the worker's imports (httpx, pydantic) would hold the
            # GIL while the queue is being drawn.
            self.call_after_refresh(self.sync.start)
        self.set_interval(60, self.check_notifications)

    @property
    def main(self) -> MainScreen:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("main screen not mounted")

    @property
    def queue_table(self) -> QueueTable:
        return self.main.queue_table

    def refresh_queue(self) -> None:
        """Redraw the queue (after a write outside the UI's knowledge)."""
        self.main.refresh_queue()

    def on_queue_screen_painted(self, message: MainScreen.Painted) -> None:
        if self.after_first_paint is not None:
            self.after_first_paint()
            self.after_first_paint = None

    def on_queue_screen_started(self, message: MainScreen.Started) -> None:
        self.check_notifications()
        # The hints index is built on its own thread, after the first paint and the panes.
        self.workspace.suggestions.start(self._post_hints_changed)

    # -- the sync bridge's reports ---------------------------------------------------------
    def on_sync_reported(self, message: SyncReported) -> None:
        try:
            main = self.main
            main.queue_table  # noqa: B018 - closing: the screen is there, its widgets are gone
            main.query_one("#status")  # removed before the queue at exit: a report then found it gone
        except (LookupError, NoMatches):
            return  # arrived while the app is closing
        self.sync.deliver(message.event)
        self.check_notifications()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if self.sync.worker_changed(event):
            try:
                self.main.refresh_status()
            except LookupError:
                pass

    # -- the hints index -------------------------------------------------------------------
    def _post_hints_changed(self) -> None:
        self.post_message(HintsChanged())  # from the hints thread: post_message is thread-safe

    def on_hints_changed(self, message: HintsChanged) -> None:
        if self.quitting or not self.is_running:
            return
        try:
            main = self.main
            main.refresh_detail()
        except (LookupError, NoMatches):
            return  # closing
        news = self.bursts.news(self.workspace.suggestions.bursts())
        if not self.config.ui.notifications:
            return  # alerts are off: P still shows the latest
        if not news:
            return
        press = keys.label(self, "queue.possible_incident")
        attach = keys.label(self, "ticket.attach")
        if len(news) == 1:
            text = f"{news[0].describe()}: {press} shows them, {attach} attaches them to an incident"
        else:  # one toast, not one each stacked over the queue
            each = ", ".join(f"{len(b.ids)} tickets like #{b.lead}" for b in news)
            text = f"{len(news)} possible incidents: {each}. {press} shows one, {press} again the next"
        self.notify(text, title="Possible incident", severity="warning", timeout=20, markup=False)

    def on_unmount(self) -> None:
        self.workspace.suggestions.stop()

    def check_notifications(self) -> None:
        """Toast and bell for what `Alerts` finds new (urgent tickets, incidents, SLA stages)."""
        if not self.config.ui.notifications:
            return
        alerts = self.alerts.due()
        for alert in alerts[:5]:
            self.notify(alert, title="triage-tui", markup=False, timeout=6)
        if alerts and self.config.ui.bell:
            self.bell()

    # -- global keys --------------------------------------------------------------------
    async def action_quit(self) -> None:
        self.quitting = True
        self.exit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys typed after q arrive in the same read: once quitting, none of our keys acts
        # (Textual's own actions, which shutting down needs, are left alone).
        return not (self.quitting and action in keys.WORKSPACE_ACTIONS)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(keys.key_rows(self)))

    def action_refresh(self) -> None:
        if self.offline:
            self.workspace.load()
            self.main.repaint()
            self.check_notifications()
            self.notify("Offline mode: repainted from the cache.", markup=False)
            return
        self.sync.refresh()
        self.notify("Syncing…", timeout=2)
