"""The hints thread's news on the UI side: repaint the detail, announce a possible
incident once per cluster."""

from __future__ import annotations

from textual.message import Message

from triage_tui.triage.bursts import Burst


class HintsChanged(Message):
    """The hints thread indexed something new (posted from that thread)."""


class BurstWatch:
    """Which possible incidents were announced: a cluster is announced once, also when it
    grows or an older ticket joins it (its first ticket, its name, then changes)."""

    def __init__(self) -> None:
        self.announced: set[int] = set()
        self.latest: Burst | None = None

    def news(self, bursts: list[Burst]) -> list[Burst]:
        fresh = [b for b in bursts if not self.announced.intersection(b.ids)]
        for burst in bursts:
            self.announced.update(burst.ids)
        if bursts:
            self.latest = bursts[0]
        return fresh
