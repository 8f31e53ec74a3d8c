"""Keys in a text box, handled in the order they were typed.

Textual's TextArea and Input type a character in their own message handler, but a bound
key (backspace, the arrows, ctrl+w, a screen's ctrl+s) is acted on only once its event has
bubbled up, one message queue after another, to the App. A terminal delivers a paste or a
fast typist in one read: the characters behind a bound key are typed before it acts
(` abc BSpace BSpace XY` gave ` abcXY`, `left X` typed X at the end). So our text boxes run
their bindings themselves, in their own queue, as the key arrives.

The keys that close a dialog (send, close, discard, a picker's enter) are priority
bindings: the App handles them as they arrive, before it hands the next keys to anyone.
Their action first waits until the box has typed every key handed to it before
(`typed_so_far`), then closes the dialog and returns only once whatever comes next is on
screen (`close_after_typed`), so the keys after ctrl+s reach the queue, not the draft.
"""

from __future__ import annotations

import asyncio
import time

from textual import events
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, TextArea

from triage_tui.ui.flow_runner import FLOWS

SETTLE_LIMIT = 5.0  # seconds at most a closing key holds the next ones back (a cold start)


async def run_bound_key(widget: Widget, key: str) -> bool:
    """Run the non-priority binding of `key` from `widget` up to its (modal) screen, as the
    App would once the key bubbled to it, but now. True when a binding handled it.

    The chain is `widget`'s own screen's, never the App's current one: a key still queued
    for a box whose dialog just closed must not act on the screen below."""
    active = widget.screen.active_bindings.get(key)
    if active is None or active.binding.priority or not active.enabled:
        return False  # unbound, handled by the App as it arrives, or disabled here
    return await widget.app.run_action(active.binding.action, active.node)


async def on_key_in_order(widget: Widget, event: events.Key) -> bool:
    """A bound key, acted on as it arrives; False for a key the box types itself."""
    if event.is_printable or (event.key in ("enter", "tab") and isinstance(widget, TextArea)):
        return False
    if await run_bound_key(widget, event.key):
        event.stop()
        event.prevent_default()  # neither the box's own handler nor the App acts on it again
        return True
    return False


class InOrderTextArea(TextArea):
    """A TextArea whose bound keys act in the order they were typed."""

    async def on_key(self, event: events.Key) -> None:
        # Textual runs the most derived class's key handler first; preventing the default
        # there keeps TextArea's own handler from acting on the key again.
        if self.read_only:  # frozen (sent): a key still queued here types nothing
            event.stop()
            event.prevent_default()
            return
        await on_key_in_order(self, event)


class InOrderInput(Input):
    """An Input whose bound keys (backspace, arrows, enter) act in the order they were typed."""

    async def on_key(self, event: events.Key) -> None:
        await on_key_in_order(self, event)


async def typed_so_far(widget: Widget | None, limit: float = SETTLE_LIMIT) -> None:
    """Return once `widget` has handled every key handed to it before this call: the App
    hands keys on by posting them, so a few may still wait in the widget's queue."""
    if widget is None or not widget.is_attached:
        return
    done = asyncio.Event()
    if not widget.call_later(done.set):  # the widget is closing: nothing left to type
        return
    try:
        await asyncio.wait_for(done.wait(), limit)
    except TimeoutError:
        widget.log.warning("keys typed before a closing key were not handled in time")


def _takes_keys(screen: Screen) -> bool:
    """The screen is up: mounted (its cursor placed) with its box focused, or nothing to
    focus. A screen focuses its box when pushed, before that box is mounted."""
    if not screen.is_mounted:
        return False
    focused = screen.focused
    return focused.is_mounted if focused is not None else not screen.focus_chain


def _flows_at_work(app: App) -> int:
    """Flows running but not parked on a dialog's answer: they may push the next screen.
    Each flow awaits at most one dialog at a time, through `push_screen_wait`, which the
    App records (`awaited_dialogs`); a dismissed dialog has left the stack, so its flow
    counts as at work again until it pushes the next one or ends."""
    running = sum(1 for worker in app.workers if worker.group == FLOWS and not worker.is_finished)
    awaited = getattr(app, "awaited_dialogs", ())
    parked = sum(1 for screen in app.screen_stack if screen in awaited)
    return running - parked


async def dialog_closed(app: App, limit: float = SETTLE_LIMIT) -> None:
    """Once a dialog closed from a priority key: return when what comes next is up, so the
    App hands the keys typed after it there: the flow that awaited the dialog has pushed its
    next one (and that one's box has focus) or ended, and the screen on top can take keys."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if _takes_keys(app.screen) and _flows_at_work(app) <= 0:
            return
        await asyncio.sleep(0)
    app.log.warning("the screen after a dialog was not up in time")


async def close_after_typed(screen: Screen, result: object) -> None:
    """Close a dialog from a key handled as it arrives (ctrl+s, escape, enter), and hold the
    keys typed after it until what comes next is up. The caller has awaited `typed_so_far`
    for its box: the result is made of the keys typed before."""
    screen.dismiss(result)
    await dialog_closed(screen.app)
