"""What several owners share for their multi-step flows: the lazily imported editors, an
editor that stays open until its text parses, one way to queue a write, and the handover
flow (rotation and incident handovers). How a flow starts is `ui/flow_runner.py` (kept
apart: the editors themselves start flows).
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
    "edit_until_valid",
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


async def edit_until_valid(
    node: DOMNode,
    title: str,
    text: str,
    parse: Callable[[str], T | str],
    *,
    hint: str | None = None,
    cursor_at_end: bool = False,
) -> T | None:
    """The editor, open until `parse` takes its text: a str from `parse` is why not, shown
    in the editor, the text left as typed to fix. Returns what `parse` made of the taken
    text (so `T` must not be a str), or None when the user cancels."""
    taken: list[T] = []

    def take(value: str) -> str | None:
        parsed = parse(value)
        if isinstance(parsed, str):
            return parsed
        taken.append(parsed)
        return None

    editor = text_editor().TextEditor(title, text, hint, take, cursor_at_end=cursor_at_end)
    closed = await node.app.push_screen_wait(editor)
    return taken[-1] if closed is not None and taken else None


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
