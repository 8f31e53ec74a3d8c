"""kill -9 in the middle of a send, shared by the exactly-once tests: the headless sync as a
child process, the request that reached the (stalling) sandbox, and the wait until the
stalled request has been handled after all, so the write exists on the service while the
outbox still says "sending"."""

from __future__ import annotations

import contextlib
import copy
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import Engine
from tests.waiting import eventually, eventually_blocking
from triage_sandbox.faults import FaultPlan, parse_faults
from triage_sandbox.server import Sandbox


def sandbox_env(url: str, cache: Path) -> dict[str, str]:
    """The environment of a triage-tui child on the sandbox's three services."""
    return {
        **os.environ,
        "TRIAGE_ZENDESK_URL": url,
        "TRIAGE_ZENDESK_EMAIL": "agent@example.com",
        "TRIAGE_ZENDESK_TOKEN": "sandbox",
        "TRIAGE_INCIDENTIO_URL": url,
        "TRIAGE_INCIDENTIO_TOKEN": "sandbox",
        "TRIAGE_GITHUB_URL": url,
        "TRIAGE_GITHUB_TOKEN": "sandbox",
        "XDG_CACHE_HOME": str(cache),
    }


def sync_process(url: str, cache: Path, *, once: bool) -> subprocess.Popen:
    args = [sys.executable, "-m", "triage_tui", "sync"] + (["--once"] if once else [])
    return subprocess.Popen(
        args, env=sandbox_env(url, cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Rig:
    """A sandbox whose requests can be made to stall, and an engine on its cache that
    queues the write (then hands the cache to a child process). A child still running when
    the test ends (an assert failed before the kill) is killed then."""

    sandbox: Sandbox
    faults: FaultPlan
    running: Engine
    cache_home: Path
    children: list[subprocess.Popen] = field(default_factory=list)

    def stall(self) -> None:
        """Close our handles on the cache for the child, and stall every request 3 s."""
        self.running.store.close()
        self.running.outbox.close()
        self.faults.enabled = True

    def start_sync(self) -> subprocess.Popen:
        """`triage-tui sync` on the cache, every request stalling."""
        self.stall()
        return self._adopt(sync_process(self.sandbox.url, self.cache_home, once=False))

    def start_app(self) -> subprocess.Popen:
        """The app (app_child.py) on the cache, writing a note, every request stalling."""
        self.stall()
        args = [
            sys.executable,
            "-m",
            "tests.reliability.app_child",
            self.sandbox.url,
            str(self.cache_home / "triage-tui"),
        ]
        child = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return self._adopt(child)

    def _adopt(self, child: subprocess.Popen) -> subprocess.Popen:
        self.children.append(child)
        return child

    def end_children(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.kill()
            child.communicate(timeout=10)  # reaped, its pipes closed


@contextlib.asynccontextmanager
async def stalling(dataset: dict[str, Any], tmp_path: Path) -> AsyncIterator[Rig]:
    faults = FaultPlan(parse_faults("stall:1.0:3s"), seed=1)
    faults.enabled = False
    with Sandbox(copy.deepcopy(dataset), faults=faults) as sandbox:
        cache_home = tmp_path / "xdg-cache"
        running = Engine(sandbox.url, cache_home / "triage-tui")
        await running.engine.poll("zendesk")
        rig = Rig(sandbox, faults, running, cache_home)
        try:
            yield rig
        finally:
            rig.end_children()
            await running.aclose()


def arrived(sandbox: Sandbox, request: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until `request` ("zendesk PUT", "incidentio POST /v2/incidents") has reached the
    sandbox; with a stall fault it is still held there, not yet handled. A process that
    exited first fails the wait at once, with what it printed."""

    def reached() -> bool:
        return any(key.startswith(request) for key in sandbox.state.requests)

    eventually_blocking(lambda: reached() or process.poll() is not None, timeout, what=f"no {request}")
    if not reached():
        assert process.stderr is not None
        raise AssertionError(f"no {request}: the process exited first: {process.stderr.read()}")


async def kill_mid_send(
    sandbox: Sandbox,
    faults: FaultPlan,
    process: subprocess.Popen,
    request: str,
    done: Callable[[], object],
) -> None:
    """SIGKILL `process` (started with every request stalling) once `request` reached the
    sandbox, before it can record the answer; return once the service has acted on it
    (`done`), with the faults off again for the restart."""
    arrived(sandbox, request, process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    await eventually(done, timeout=30, what=f"{request} was never handled after the kill")
    faults.enabled = False
