"""Shared fixtures: a frozen clock, a seeded sandbox on loopback, a private cache dir."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Protocol, TypeVar, runtime_checkable

import pytest

from triage_sandbox.data import generate
from triage_sandbox.server import Sandbox
from triage_tui.config import Config


@runtime_checkable
class AsyncClosable(Protocol):
    def aclose(self) -> Awaitable[object]: ...


class Closable(Protocol):
    def close(self) -> object: ...


C = TypeVar("C", bound=AsyncClosable | Closable)

# A Wednesday, so business hours are running: 2026-11-18 14:00 UTC.
FROZEN_NOW = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's config, cache, keyring or tokens."""
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    for name in ("TRIAGE_CONFIG", "TRIAGE_ZENDESK_TOKEN", "TRIAGE_INCIDENTIO_TOKEN", "TRIAGE_GITHUB_TOKEN", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


@pytest.fixture(scope="session")
def dataset() -> dict:
    return generate(seed=7, tickets=300, now=FROZEN_NOW)


@pytest.fixture
def sandbox(dataset: dict):
    import copy

    with Sandbox(copy.deepcopy(dataset)) as running:
        yield running


class Closing:
    """What a test opened, closed at its end in reverse order, whether its asserts passed or
    not: `client = closing(ZendeskClient(...))`. Anything with `aclose()` or `close()`."""

    def __init__(self, stack: contextlib.AsyncExitStack) -> None:
        self._stack = stack

    def __call__(self, thing: C) -> C:
        if isinstance(thing, AsyncClosable):
            self._stack.push_async_callback(thing.aclose)
        else:
            self._stack.callback(thing.close)
        return thing


@pytest.fixture
async def closing() -> AsyncIterator[Closing]:
    async with contextlib.AsyncExitStack() as stack:
        yield Closing(stack)


def sandbox_config(url: str) -> Config:
    return Config.from_dict(
        {
            "zendesk": {"url": url, "email": "agent@example.com"},
            "incidentio": {"url": url},
            "github": {"url": url},
        }
    )


@pytest.fixture(scope="session")
def filled_cache(tmp_path_factory, dataset):
    """One real sync into a template cache; each test gets its own copy of it."""
    import asyncio
    import copy

    from triage_sandbox.server import Sandbox

    template = tmp_path_factory.mktemp("filled") / "cache"

    async def fill_template(url: str) -> None:
        from tests.helpers import Engine, fill

        running = Engine(url, template)
        try:
            await fill(running)
        finally:
            await running.aclose()

    with Sandbox(copy.deepcopy(dataset)) as sandbox:
        asyncio.run(fill_template(sandbox.url))
    return template


@pytest.fixture
async def harness(sandbox, tmp_path, filled_cache):
    import shutil

    from tests.helpers import Harness

    shutil.copytree(filled_cache, tmp_path / "cache")
    running = Harness(sandbox, tmp_path / "cache")
    yield running
    await running.aclose()
