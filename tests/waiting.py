"""Waiting in tests: look at a condition until it holds, with a deadline; never sleep a
guessed time and hope the code under test got there.

One family, for the three places a test waits from:

- `until(pilot, condition)`: a live app; the app handles its messages between looks.
- `eventually(condition)`: code on the test's own event loop (an engine, a relay, a copy).
- `eventually_blocking(condition)`: a test outside any loop (a child process, a server
  thread).

Each returns the seconds it took, and past its deadline fails with `what` (a text, or a
function giving the state worth seeing then) and the error the condition last raised, if
it raised: a widget not mounted yet is "not yet", not a failure, until the deadline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from textual.css.query import NoMatches

# Short against anything a test measures (the fastest bound asserted is 0.5 s), long
# enough that looking does not starve the code under test of the two shared cores.
STEP = 0.01

# What a failed wait says: a text, or a function giving the state worth seeing then.
What = str | Callable[[], object]


class _Look:
    """One look at the condition; remembers what it raised while it could not be asked."""

    def __init__(self, condition: Callable[[], object]) -> None:
        self.condition = condition
        self.raised: BaseException | None = None

    def holds(self) -> bool:
        try:
            return bool(self.condition())
        except (LookupError, NoMatches) as error:  # a screen, widget or record not there yet
            self.raised = error
            return False

    def failure(self, timeout: float, what: What) -> AssertionError:
        said = what() if callable(what) else what
        failed = AssertionError(f"not within {timeout} s: {said or self.condition}")
        failed.__cause__ = self.raised
        return failed


async def eventually(
    condition: Callable[[], object],
    timeout: float = 10.0,
    what: What = "",
    *,
    pause: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> float:
    """Let the event loop run until `condition()` holds; returns the seconds it took."""
    look, started = _Look(condition), time.monotonic()
    while not look.holds():
        if time.monotonic() - started > timeout:
            raise look.failure(timeout, what)
        await pause(STEP)
    return time.monotonic() - started


async def until(pilot, condition: Callable[[], object], timeout: float = 10.0, what: What = "") -> float:
    """Let the app under `pilot` run until `condition()` holds; returns the seconds it took."""
    return await eventually(condition, timeout, what, pause=pilot.pause)


def eventually_blocking(condition: Callable[[], object], timeout: float = 10.0, what: What = "") -> float:
    """Block until `condition()` holds (it is made true by another thread or process)."""
    look, started = _Look(condition), time.monotonic()
    while not look.holds():
        if time.monotonic() - started > timeout:
            raise look.failure(timeout, what)
        time.sleep(STEP)
    return time.monotonic() - started
