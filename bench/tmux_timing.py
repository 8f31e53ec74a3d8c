"""Measure a TUI the way a user sees it: in tmux, by reading the screen.

Time to first paint: from launching the command to a marker on screen. Keystroke latency:
from send-keys to the screen changing. Bytes per keystroke: what the app wrote to the
terminal (tmux pipe-pane), i.e. what an SSH link carries. Public tools only: tmux.
"""

from __future__ import annotations

import os
import re
import shlex
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

SESSION = "triage-bench"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def screen(escapes: bool = False) -> str:
    return tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", SESSION)


def start(command: str, size: tuple[int, int]) -> float:
    tmux("kill-session", "-t", SESSION)
    env = "TERM=screen-256color"
    started = time.perf_counter()
    tmux("new-session", "-d", "-s", SESSION, "-x", str(size[0]), "-y", str(size[1]), f"{env} {command}")
    return started


def stop() -> None:
    tmux("kill-session", "-t", SESSION)


def wait_for(marker: str, timeout: float = 60.0) -> float:
    pattern = re.compile(marker)
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if pattern.search(screen()):
            return time.perf_counter()
        # Each capture-pane is a process: polling faster would take CPU from the app measured.
        time.sleep(0.01)
    raise TimeoutError(f"{marker!r} never appeared:\n{screen()}")


def first_paint(command: str, marker: str, size=(160, 48), runs: int = 5) -> list[float]:
    times = []
    for _ in range(runs):
        started = start(command, size)
        times.append(wait_for(marker) - started)
        stop()
        time.sleep(0.3)
    return times


def keystrokes(
    command: str, marker: str, key: str = "Down", presses: int = 40, size=(160, 48), settle: float = 0.15
) -> dict:
    """Latency per key press (send-keys to a changed screen) and bytes written per press."""
    start(command, size)
    wait_for(marker)
    time.sleep(1.0)  # let start-up work (first sync of the screen, measuring) finish
    log = Path(tempfile.mkdtemp()) / "pane.bytes"
    tmux("pipe-pane", "-o", "-t", SESSION, f"cat >> {shlex.quote(str(log))}")
    time.sleep(0.2)
    latencies = []
    for _ in range(presses):
        before = screen(escapes=True)
        sent = time.perf_counter()
        tmux("send-keys", "-t", SESSION, key)
        while True:
            if screen(escapes=True) != before:
                latencies.append(time.perf_counter() - sent)
                break
            if time.perf_counter() - sent > 5:
                latencies.append(5.0)
                break
            time.sleep(0.001)
        time.sleep(settle)
    time.sleep(0.3)
    tmux("pipe-pane", "-t", SESSION)
    stop()
    size_bytes = os.path.getsize(log) if log.exists() else 0
    latencies.sort()
    return {
        "median": statistics.median(latencies),
        "p90": latencies[int(len(latencies) * 0.9) - 1],
        "bytes_per_key": size_bytes / presses,
    }
