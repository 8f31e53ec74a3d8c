"""Waiting in app tests: poll a condition with a deadline, never sleep a guessed time."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.css.query import NoMatches


async def until(pilot, condition: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except (LookupError, NoMatches):  # a screen or widget not mounted yet
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what or condition}")
        await pilot.pause(0.01)


def palette_top(app) -> str:
    """The title of the first hit the command palette offers now ("" while it has none)."""
    from textual.command import CommandList

    options = app.screen.query_one(CommandList)
    return str(options.get_option_at_index(0).prompt).split("\n")[0] if options.option_count else ""
