"""The sync bridge: the App's end of the sync engine, a service the App owns.

Sync runs in one thread worker with its own event loop: HTTP and disk IO never block the
screen. The engine's one loop (`sync/engine.py`: polls and sends as separate tasks) runs
there, built in that thread with the bridge's `Requests` and progress report; each
`SyncEvent` it emits comes back as a `SyncReported` message carrying the event, and the
worker never touches a widget. The UI asks the loop for things through `Requests`
(thread-safe): a ticket's conversation, a refresh, a write to send now (`kick`).

On a report the bridge brings the workspace up to date, then publishes the event on
`reported`: each pane redraws itself from what concerns it (the queue screen its rows and
ticket, the status line its sources, the incident and SDK panes their lists). When the loop
crashes it says so and restarts itself; when the worker itself dies, the status line says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from textual.app import App
from textual.message import Message
from textual.signal import Signal
from textual.worker import Worker, WorkerState, get_current_worker

from triage_tui.read.workspace import Workspace
from triage_tui.sync.events import SyncEvent
from triage_tui.sync.requests import FetchComments, GithubRead, Presence, Refresh, Requests, SearchZendesk, SendNow

if TYPE_CHECKING:  # the engine pulls in the HTTP clients: imported in the sync thread only
    from triage_tui.sync.engine import SyncEngine

Progress = Callable[[list[int]], None]


class EngineFactory(Protocol):
    """Builds the engine in the sync thread (its imports never hold up the first paint),
    wired to the app's asks and told where a long first sync reports its pages."""

    def __call__(self, *, requests: Requests, progress: Progress) -> SyncEngine: ...


class SyncReported(Message):
    """The sync worker changed the cache (past tense: it already happened)."""

    def __init__(self, event: SyncEvent) -> None:
        super().__init__()
        self.event = event


class SyncBridge:
    """The sync worker, the asks to it and the delivery of what it reports."""

    def __init__(
        self, app: App, engine_factory: EngineFactory | None, requests: Requests, workspace: Workspace
    ) -> None:
        self.app = app
        self.engine_factory = engine_factory
        self.requests = requests
        self.workspace = workspace
        self.problem: str | None = None  # why sync is not running, while it is not
        # Panes subscribe in their on_mount; publishing to one being removed is skipped.
        self.reported: Signal[SyncEvent] = Signal(app, "sync-reported")

    # -- the worker -------------------------------------------------------------------------
    def start(self) -> None:
        self.app.run_worker(
            self._run,
            name="sync",
            group="sync",
            description="polling APIs into the cache",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def _run(self) -> None:
        asyncio.run(self._loop(get_current_worker()))

    async def _loop(self, worker: Worker[None]) -> None:
        assert self.engine_factory is not None

        def report(event: SyncEvent) -> None:
            self.app.post_message(SyncReported(event))  # thread-safe: how a report leaves this thread

        def progress(ids: list[int]) -> None:
            report(SyncEvent(changed_tickets=ids))  # a page of a long first sync

        engine = self.engine_factory(requests=self.requests, progress=progress)
        stop = asyncio.Event()

        async def until_cancelled() -> None:
            while not worker.is_cancelled:
                await asyncio.sleep(0.1)
            stop.set()

        watcher = asyncio.create_task(until_cancelled())
        try:
            await engine.run_forever(report, stop)
        finally:
            watcher.cancel()
            await engine.clients.aclose()

    def worker_changed(self, event: Worker.StateChanged) -> bool:
        """The sync thread itself died (its engine could not even be built): say so.
        True when it did, for the status line to show it."""
        if event.worker.group != "sync" or event.state != WorkerState.ERROR:
            return False
        self.problem = f"sync stopped: {event.worker.error}"
        self.app.notify(self.problem, severity="error", timeout=15, markup=False)
        return True

    # -- a report -------------------------------------------------------------------------
    def deliver(self, event: SyncEvent) -> None:
        """Bring the workspace up to date, then let every pane redraw what concerns it."""
        if event.crashed:
            self.problem = event.lines[0] if event.lines else f"sync stopped: {event.crashed}"
            self.app.notify(self.problem, severity="error", timeout=10, markup=False)
        elif event.lines or event.changed_tickets or event.outbox_changed:
            self.problem = None  # it came back
        # The hints index follows on its own thread (a first sync brings thousands).
        changed = [*event.changed_tickets, *([event.comments_for] if event.comments_for else [])]
        if event.searched is not None:
            changed += event.searched.ids  # found tickets (solved too) can be related tickets
        self.workspace.suggestions.submit(changed, rebuild=event.reference_changed)
        # A poll that changed nothing reads nothing again: reloading and redrawing the queue
        # every 30 s cost ~100 ms of UI and ~10 KB over SSH each time.
        if event.reference_changed:
            self.workspace.load()
        elif event.changed_tickets:
            self.workspace.update(event.changed_tickets)
        self.reported.publish(event)
        for toast in event.toasts:
            self.app.notify(toast, severity="warning" if "failed" in toast else "information", markup=False)
        for text in event.copies:
            self.app.copy_to_clipboard(text)  # OSC 52: reaches the laptop over SSH
        self._tell_the_dialog(event)

    def _tell_the_dialog(self, event: SyncEvent) -> None:
        """The dialog on top, if it waits on sync: a list of queued writes follows them (an
        issue's comments); a GitHub read goes to the screen that asked (the bug report form)."""
        screen = self.app.screen
        follow = getattr(screen, "outbox_changed", None)
        if event.outbox_changed and callable(follow):
            follow()
        answered = getattr(screen, "github_answered", None)
        if event.github is not None and callable(answered):
            answered(event.github)

    # -- asks -----------------------------------------------------------------------------
    def kick(self) -> None:
        self.requests.ask(SendNow())

    def refresh(self) -> None:
        self.requests.ask(Refresh())

    def fetch_comments(self, ticket_id: int) -> None:
        self.requests.ask(FetchComments(ticket_id))

    def search_zendesk(self, number: int, text: str) -> None:
        self.requests.ask(SearchZendesk(number, text))

    def read_github(self, read: GithubRead) -> None:
        """A GitHub read someone waits on (a duplicate search, an issue's comments); the
        answer goes to the screen on top, through `github_answered`."""
        self.requests.ask(read)

    def presence(self, ticket_id: int | None, doing: str) -> None:
        """What this engineer does on a ticket, for colleagues through a team's relay."""
        self.requests.ask(Presence(ticket_id, doing))
