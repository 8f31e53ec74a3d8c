"""What several owners share for their multi-step flows: the lazily imported editors, one
way to queue a write, and the handover flow (rotation and incident handovers). How a flow
starts is `ui/flow_runner.py` (kept apart: the editors themselves start flows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import ModuleType
from typing import TypeVar

from textual.dom import DOMNode

from triage_tui.config import xdg_dir
from triage_tui.sync.writes import OutboxUnavailable
from triage_tui.ui import keys
from triage_tui.ui.flow_runner import run_flow

__all__ = [
    "composer",
    "not_queued",
    "queue_write",
    "run_flow",
    "save_handover",
    "text_editor",
]

T = TypeVar("T")


# The screens built on TextArea are imported when first opened, not at start-up.
def composer() -> ModuleType:
    from triage_tui.ui.screens import composer

    return composer


def text_editor() -> ModuleType:
    from triage_tui.ui.screens import text_editor

    return text_editor


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
