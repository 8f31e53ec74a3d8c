"""Waiting on events with a bound: the relay and the copies' feed sleep until a stop, a
lost connection or their next turn, whichever comes first."""

from __future__ import annotations

import asyncio


async def first_of(*events: asyncio.Event, seconds: float | None = None) -> None:
    """Return once any of `events` is set, or after `seconds` (None: no bound)."""
    waits = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        timeout = None if seconds is None else max(0.0, seconds)
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()


def stop_if_cancelled() -> None:
    """Raise CancelledError when this task was cancelled and a library swallowed it.

    Python 3.11's `asyncio.wait_for`, which nats-py wraps around every request, returns the
    answer instead of raising when the answer and the cancellation arrive together (fixed
    in 3.12). A loop that then went on would keep its TaskGroup, a killed relay in a test,
    and the app's quit waiting for ever; every relay loop checks this once a turn."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
