"""Test helpers: a sync engine against the sandbox, and the app on top of its cache."""

from __future__ import annotations

import asyncio
import itertools

from tests.conftest import FROZEN_NOW, sandbox_config
from triage_tui.secrets import Token
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.clients import build_clients
from triage_tui.sync.engine import SyncEngine
from triage_tui.sync.writes import Writes
from triage_tui.ui.app import TriageApp

TOKENS = {name: Token(name, "sandbox", "test") for name in ("zendesk", "incidentio", "github")}


async def no_sleep(seconds: float) -> None:
    await asyncio.sleep(0)


class Engine:
    """An engine plus what a test needs around it; `restart()` is a new process's view."""

    def __init__(self, url: str, directory, clock=None) -> None:
        self.url, self.directory = url, directory
        self.ticks = itertools.count(0, 1000) if clock is None else clock
        self.open()

    def open(self) -> None:
        self.store = Store(self.directory)
        self.outbox = Outbox(self.directory)
        self.clients = build_clients(sandbox_config(self.url), TOKENS, sleep=no_sleep, timeout=5)
        # A monotonic clock that leaps forward: backoffs are always due on the next round.
        self.engine = SyncEngine(
            sandbox_config(self.url),
            self.store,
            self.outbox,
            self.clients,
            now=lambda: FROZEN_NOW,
            monotonic=lambda: float(next(self.ticks)),
        )
        self.writes = Writes(self.outbox, self.store, lambda: FROZEN_NOW)

    async def aclose(self) -> None:
        """Its clients, cache and outbox. Again is harmless: a test may close them early (to
        hand the cache to a child process) and its `closing` fixture closes them again."""
        await self.clients.aclose()
        self.store.close()
        self.outbox.close()

    async def restart(self) -> None:
        await self.aclose()
        self.open()

    async def drain(self, rounds: int = 40) -> None:
        for _ in range(rounds):
            await self.engine.send()
            if not self.outbox.entries(("pending", "sending")):
                return


async def fill(running: Engine) -> None:
    """A first sync of every source, and every unsolved ticket's conversation."""
    for source in ("zendesk", "incidentio", "github"):
        report = await running.engine.poll(source)
        assert report.error is None, report.error
    for key in running.store.unsolved():  # as if each ticket had been opened once
        report = await running.engine.pollers.comments(int(key))
        assert report.error is None, report.error


class Harness:
    def __init__(self, sandbox, directory) -> None:
        self.sandbox = sandbox
        self.directory = directory
        self.engine = Engine(sandbox.url, directory)

    async def fill(self) -> None:
        await fill(self.engine)

    async def aclose(self) -> None:
        await self.engine.aclose()

    def app(self, **config_overrides) -> TriageApp:
        config = sandbox_config(self.sandbox.url).replace(**config_overrides, cache_dir=self.directory)
        return TriageApp(config, Store(self.directory), Outbox(self.directory), now=lambda: FROZEN_NOW, offline=True)

    async def send(self) -> None:
        """What the sync worker would do next: send the outbox to the sandbox."""
        await self.engine.drain()

    def writes(self, api: str = "zendesk") -> list[dict]:
        return [w for w in self.sandbox.state.writes if w["api"] == api]

    def queued(self) -> list[dict]:
        return self.engine.outbox.entries(("pending",))
