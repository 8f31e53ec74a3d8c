"""One way to start a flow: a multi-step piece of work (a dialog, then an editor, then a
write) run as one worker awaiting each screen in turn (`push_screen_wait`), not a chain of
callbacks, read top to bottom.

It imports no screen: the screens that start flows of their own (the composer) use it too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any

from textual.dom import DOMNode

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
