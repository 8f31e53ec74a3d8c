"""What several owners share for their multi-step flows: the lazily imported editors, one
way to start a flow, and the handover flow (rotation and incident handovers).

A flow is one worker awaiting each screen in turn (`push_screen_wait`), not a chain of
callbacks: the impact form, then the editor, then the write, read top to bottom.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Coroutine
from types import ModuleType
from typing import Any, TypeVar

from textual.dom import DOMNode

from triage_tui.config import xdg_dir
from triage_tui.sync.writes import OutboxUnavailable
from triage_tui.ui import keys

T = TypeVar("T")


# The screens built on TextArea are imported when first opened, not at start-up.
def composer() -> ModuleType:
    from triage_tui.ui.screens import composer

    return composer


def text_editor() -> ModuleType:
    from triage_tui.ui.screens import text_editor

    return text_editor


FLOWS = "flows"  # the worker group of every flow
FIRST_SCREEN_WAIT = 5.0  # seconds at most a key holds the next ones back for its first screen (a cold start imports it)


async def run_flow(node: DOMNode, flow: Coroutine[Any, Any, None], description: str) -> None:
    """Run one flow as a worker of `node` (cancelled if the node goes away); return once
    the flow shows its first screen, or ends.

    Waiting for the first screen keeps type-ahead working: the key that started the flow
    holds back the keys typed after it (`s` then `enter` in one read), so they reach the
    dialog it opens, as they would if the dialog had been pushed at once.

    The flow's error handler: a flow that raises is logged and shown, not fatal; the app,
    its queue and its outbox stay up (what was queued before the error stays queued)."""

    async def guarded() -> None:
        try:
            await flow
        except Exception as error:  # noqa: BLE001 - shown, not fatal: a crash would take the screen with it
            node.log.error(f"{description} failed: {error!r}")
            node.app.notify(f"{description} failed: {error}", severity="error", markup=False, timeout=10)

    app = node.app
    screens = len(app.screen_stack)
    worker = node.run_worker(guarded(), group=FLOWS, description=description)
    deadline = time.monotonic() + FIRST_SCREEN_WAIT

    def first_screen_ready() -> bool:
        # Pushed is not enough: until its text box has focus, the keys typed after the
        # one that opened it (a paste, an SSH burst) would reach no one and be lost.
        if len(app.screen_stack) <= screens:
            return False
        screen = app.screen
        return screen.focused is not None or (screen.is_mounted and not screen.focus_chain)

    while not worker.is_finished and not first_screen_ready() and time.monotonic() < deadline:
        await asyncio.sleep(0)


def not_queued(what: str, error: OutboxUnavailable) -> str:
    """The one line a user reads when a write they confirmed could not be queued."""
    return f"{what}: {error}. Nothing was sent; what you typed is kept, try again once the cache can be written."


def queue_write(node: DOMNode, what: str, write: Callable[[], T]) -> T | None:
    """Run one `Writes.*` call; if the outbox cannot persist it, say why (no traceback)
    and return None, so the caller keeps what the user typed."""
    try:
        return write()
    except OutboxUnavailable as error:
        node.app.notify(not_queued(what, error), severity="error", markup=False, timeout=15)
        return None


async def save_handover(node: DOMNode, title: str, text: str, name: str, now: Callable[[], dt.datetime]) -> None:
    """Edit a handover, then copy it (OSC 52 reaches the laptop over SSH) and save it."""
    app = node.app
    hint = keys.hint(app, ("editor.save", "copy (OSC 52) and save"), ("editor.cancel", "cancel"))
    final = await app.push_screen_wait(text_editor().TextEditor(title, text, hint))
    if final is None:
        return
    folder = xdg_dir("state")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{name}-{now():%Y%m%d-%H%M}.md"
    path.write_text(final, encoding="utf-8")
    app.copy_to_clipboard(final)
    app.notify(f"Copied to the clipboard and saved to {path}", markup=False)
