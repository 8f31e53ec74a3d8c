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
