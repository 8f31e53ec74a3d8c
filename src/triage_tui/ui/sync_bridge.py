"""The sync bridge: the App's end of the sync engine.

Sync runs in one thread worker with its own event loop: HTTP and disk IO never block the
screen. The engine's one loop (`sync/engine.py`: polls and sends as separate tasks) runs
there; its events come back as `SyncReported` messages, and the worker never touches a
widget. The UI asks it for things through `Requests` (thread-safe): a ticket's
conversation, a refresh, a write to send now (`kick`). When the loop crashes it says so and
restarts itself; when the worker itself dies, the status line says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.css.query import NoMatches
from textual.message import Message
from textual.worker import Worker, WorkerState

from triage_tui.sync.requests import FetchComments, GithubRead, Requests, SearchZendesk, SendNow
from triage_tui.sync.search_outcome import SearchOutcome

if TYPE_CHECKING:
    from triage_tui.read.workspace import Workspace
    from triage_tui.ui.screens.main import MainScreen


class SyncReported(Message):
    """The sync worker changed the cache (past tense: it already happened)."""

    def __init__(
        self,
        lines: list[str],
        changed_tickets: list[int],
        incidents_changed: bool,
        comments_for: int | None = None,
        *,
        reference_changed: bool = False,
        outbox_changed: bool = False,
        crashed: str | None = None,
        searched: SearchOutcome | None = None,
        toasts: list[str] | None = None,
        copies: list[str] | None = None,
        github: Any = None,
    ) -> None:
        super().__init__()
        self.lines = lines
        self.changed_tickets = changed_tickets
        self.incidents_changed = incidents_changed
        self.comments_for = comments_for
        self.reference_changed = reference_changed  # groups, macros, who I am
        self.outbox_changed = outbox_changed  # writes sent, in conflict or failed
        self.crashed = crashed  # the sync loop died with this error and restarts shortly
        self.searched = searched  # a "find in Zendesk" answered
        self.toasts = toasts or []  # what a bulk change did, ticket by ticket
        self.copies = copies or []  # for the clipboard: a bug report's Slack alert
        self.github = github  # a GitHub read answered (sync.github_reads.GithubAnswer)


class SyncBridge(App):
    """The sync worker and what the App does with its reports."""

    engine_factory: Callable[[], Any] | None
    requests: Requests
    workspace: Workspace
    sync_problem: str | None

    if TYPE_CHECKING:  # the App provides both

        @property
        def main(self) -> MainScreen: ...

        def check_notifications(self) -> None: ...

    @work(thread=True, exclusive=True, group="sync", description="polling APIs into the cache", exit_on_error=False)
    def sync_worker(self) -> None:
        asyncio.run(self._sync_loop())

    async def _sync_loop(self) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        assert self.engine_factory is not None
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
                    event.lines,
                    event.changed_tickets,
                    event.incidents_changed,
                    event.comments_for,
                    reference_changed=event.reference_changed,
                    outbox_changed=event.outbox_changed,
                    crashed=event.crashed,
                    searched=event.searched,
                    toasts=event.toasts,
                    copies=event.copies,
                    github=event.github,
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
            try:
                self.main.refresh_status()
            except LookupError:
                pass

    def on_sync_reported(self, message: SyncReported) -> None:
        try:
            main = self.main
            main.queue_table  # noqa: B018 - closing: the screen is there, its widgets are gone
            main.query_one("#status")  # removed before the queue at exit: a report then found it gone
        except (LookupError, NoMatches):
            return  # arrived while the app is closing
        if message.crashed:
            self.sync_problem = message.lines[0] if message.lines else f"sync stopped: {message.crashed}"
            self.notify(self.sync_problem, severity="error", timeout=10, markup=False)
            main.search_interrupted("sync restarted before Zendesk answered: search again")
        elif message.lines or message.changed_tickets or message.outbox_changed:
            self.sync_problem = None  # it came back
        # The hints index follows on its own thread (a first sync brings thousands).
        changed = [*message.changed_tickets, *([message.comments_for] if message.comments_for else [])]
        if message.searched is not None:
            changed += message.searched.ids  # found tickets (solved too) can be related tickets
        self.workspace.suggestions.submit(changed, rebuild=message.reference_changed)
        # A poll that changed nothing repaints the status line only: reloading and redrawing
        # the queue every 30 s cost ~100 ms of UI and ~10 KB over SSH each time.
        if message.reference_changed:
            self.workspace.load()
            main.refresh_queue()
        elif message.changed_tickets:
            self.workspace.update(message.changed_tickets)
            main.refresh_queue()
        elif message.outbox_changed:
            main.refresh_queue()  # the ↑ marks of queued writes
        if message.incidents_changed or message.outbox_changed:
            # outbox_changed too: a queued watcher role or label turns from ↑ to confirmed.
            main.refresh_incidents()
            main.refresh_sdk()
        if message.comments_for is not None or message.changed_tickets:
            main.refresh_detail()
        if message.searched is not None:
            main.search_answered(message.searched)
        for toast in message.toasts:
            self.notify(toast, severity="warning" if "failed" in toast else "information", markup=False)
        for text in message.copies:
            self.copy_to_clipboard(text)  # OSC 52: reaches the laptop over SSH
        follow = getattr(self.screen, "outbox_changed", None)
        if message.outbox_changed and callable(follow):
            follow()  # a dialog showing queued writes (an issue's comments) follows them
        if message.github is not None:
            # The screen that asked (the bug report form, an issue's comments), if still open.
            answered = getattr(self.screen, "github_answered", None)
            if callable(answered):
                answered(message.github)
        main.refresh_status()
        self.check_notifications()

    def kick(self) -> None:
        self.requests.ask(SendNow())

    def fetch_comments(self, ticket_id: int) -> None:
        self.requests.ask(FetchComments(ticket_id))

    def search_zendesk(self, number: int, text: str) -> None:
        self.requests.ask(SearchZendesk(number, text))

    def read_github(self, read: GithubRead) -> None:
        """A GitHub read someone waits on (a duplicate search, an issue's comments); the
        answer goes to the screen on top, through `github_answered`."""
        self.requests.ask(read)
