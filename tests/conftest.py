"""Shared fixtures: a frozen clock, a seeded sandbox on loopback, a private cache dir."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from triage_sandbox.data import generate
from triage_sandbox.server import Sandbox
from triage_tui.config import Config

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

    async def fill(url: str) -> None:
        from tests.helpers import Engine, Harness

        harness = Harness.__new__(Harness)
        harness.engine = Engine(url, template)
        await Harness.fill(harness)
        await harness.engine.clients.aclose()
        harness.engine.store.close()
        harness.engine.outbox.close()

    with Sandbox(copy.deepcopy(dataset)) as sandbox:
        asyncio.run(fill(sandbox.url))
    return template


@pytest.fixture
async def harness(sandbox, tmp_path, filled_cache):
    import shutil

    from tests.helpers import Harness

    shutil.copytree(filled_cache, tmp_path / "cache")
    running = Harness(sandbox, tmp_path / "cache")
    yield running
    await running.engine.clients.aclose()
