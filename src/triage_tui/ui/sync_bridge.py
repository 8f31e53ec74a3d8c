"""The sync bridge: the App's end of the sync engine.

Sync runs in one thread worker with its own event loop: HTTP and disk IO never block the
screen, and the worker only posts messages (`SyncReported`); it never touches a widget.
The UI asks it for things through `SyncRequests` (a thread-safe queue): a ticket's
conversation, a refresh, a write to send now (`kick`).
"""

from __future__ import annotations

import asyncio
import queue
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.message import Message

if TYPE_CHECKING:
    from triage_tui.ui.screens.main import MainScreen
    from triage_tui.workspace import Workspace


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
    ) -> None:
        super().__init__()
        self.lines = lines
        self.changed_tickets = changed_tickets
        self.incidents_changed = incidents_changed
        self.comments_for = comments_for
        self.reference_changed = reference_changed  # groups, macros, who I am
        self.outbox_changed = outbox_changed  # writes sent, in conflict or failed


@dataclass
class SyncRequests:
    """What the UI asks of the sync thread; a thread-safe queue, drained between ticks."""

    items: queue.SimpleQueue = field(default_factory=queue.SimpleQueue)

    def ask(self, kind: str, value: Any = None) -> None:
        self.items.put((kind, value))


class SyncBridge(App):
    """The sync worker and what the App does with its reports."""

    engine_factory: Callable[[], Any] | None
    requests: SyncRequests
    workspace: Workspace

    @property
    def main(self) -> MainScreen:
        raise NotImplementedError

    def check_notifications(self) -> None:
        raise NotImplementedError

    @work(thread=True, exclusive=True, group="sync", description="polling APIs into the cache", exit_on_error=False)
    def sync_worker(self) -> None:
        asyncio.run(self._sync_loop())

    async def _sync_loop(self) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        assert self.engine_factory is not None
        engine = self.engine_factory()
        engine.pollers.progress = lambda ids: self.post_message(SyncReported([], ids, False))
        try:
            while not worker.is_cancelled:
                lines: list[str] = []
                changed: list[int] = []
                incidents_changed = reference = False
                sent = await engine.send()  # the user's writes before the next poll
                changed += sent.changed_tickets
                for report in await engine.due_reports():
                    lines.append(report.line())
                    if report.source == "zendesk":
                        changed += [c for c in report.changed if isinstance(c, int)]
                    elif report.source == "reference":
                        reference = True
                    else:
                        incidents_changed = incidents_changed or bool(report.changed)
                outbox_changed = bool(sent.sent or sent.conflicts or sent.failed)
                if lines or outbox_changed:
                    self.post_message(
                        SyncReported(
                            lines,
                            changed,
                            incidents_changed,
                            reference_changed=reference,
                            outbox_changed=outbox_changed,
                        )
                    )
                for _ in range(10):  # answer the UI's requests within a tenth of a second
                    if worker.is_cancelled:
                        return
                    try:
                        kind, value = self.requests.items.get_nowait()
                    except queue.Empty:
                        await asyncio.sleep(0.1)
                        continue
                    if kind == "comments":
                        report = await engine.pollers.comments(value)
                        self.post_message(
                            SyncReported([report.line()] if report.error else [], [], False, comments_for=value)
                        )
                    elif kind == "refresh":
                        engine.schedule.last.clear()
                        break
                    elif kind == "send":
                        break
        finally:
            await engine.clients.aclose()

    def on_sync_reported(self, message: SyncReported) -> None:
        try:
            main = self.main
        except LookupError:
            return  # arrived while the app is closing
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
        if message.incidents_changed:
            main.refresh_incidents()
            main.refresh_sdk()
        if message.comments_for is not None or message.changed_tickets:
            main.refresh_detail()
        main.refresh_status()
        self.check_notifications()

    def kick(self) -> None:
        self.requests.ask("send")

    def fetch_comments(self, ticket_id: int) -> None:
        self.requests.ask("comments", ticket_id)
