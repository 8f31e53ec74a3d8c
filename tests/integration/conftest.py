"""Fixtures of the integration tests against the strict sandbox."""

from __future__ import annotations

import copy

import pytest

from tests.helpers import Engine
from triage_sandbox.server import Sandbox, SandboxSettings


@pytest.fixture
def strict(dataset):
    """The default persona (an agent) and search a minute behind, as Zendesk's."""
    with Sandbox(copy.deepcopy(dataset), settings=SandboxSettings(search_lag_seconds=60)) as running:
        yield running


@pytest.fixture
async def engine(strict, tmp_path):
    """An engine after its first sync against `strict`."""
    running = Engine(strict.url, tmp_path / "cache")
    await running.engine.poll("zendesk")
    yield running
    await running.aclose()
