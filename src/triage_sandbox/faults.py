"""Deterministic fault injection: `429:0.1,503:0.05,stall:0.05:2s,reset:0.02`.

Each request draws once from a seeded generator, so the same seed and the same request
sequence give the same faults: a failing test can be rerun and fail the same way.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass


class FaultSpecError(ValueError):
    pass


@dataclass(frozen=True)
class Fault:
    kind: str  # "429", "503", "500", "stall", "reset"
    probability: float
    seconds: float = 0.0


def _seconds(text: str) -> float:
    text = text.strip().lower()
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    return float(text.removesuffix("s"))


def parse_faults(spec: str) -> list[Fault]:
    faults: list[Fault] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        bits = part.split(":")
        kind = bits[0]
        try:
            probability = float(bits[1])
            seconds = _seconds(bits[2]) if len(bits) > 2 else (2.0 if kind == "stall" else 0.0)
        except (IndexError, ValueError):
            raise FaultSpecError(
                f"bad fault {part!r}: expected KIND:PROBABILITY[:SECONDS], e.g. stall:0.05:2s"
            ) from None
        if kind not in ("429", "500", "502", "503", "stall", "reset"):
            raise FaultSpecError(f"unknown fault kind {kind!r}: expected 429, 500, 502, 503, stall or reset")
        if not 0 <= probability <= 1:
            raise FaultSpecError(f"bad fault {part!r}: probability must be between 0 and 1")
        faults.append(Fault(kind, probability, seconds))
    return faults


class FaultPlan:
    def __init__(self, faults: list[Fault], seed: int = 0) -> None:
        self.faults = faults
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.enabled = True

    def draw(self) -> Fault | None:
        if not self.faults or not self.enabled:
            return None
        with self._lock:
            roll = self._rng.random()
        cumulative = 0.0
        for fault in self.faults:
            cumulative += fault.probability
            if roll < cumulative:
                return fault
        return None
