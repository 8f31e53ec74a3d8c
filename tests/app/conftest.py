"""A cache filled from the sandbox by a real sync, and the app on top of it, frozen clock."""

from __future__ import annotations

import pytest

from tests.conftest import FROZEN_NOW, sandbox_config
from tests.integration.test_sync import Engine
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.ui.app import TriageApp


class Harness:
    def __init__(self, sandbox, directory) -> None:
        self.sandbox = sandbox
        self.directory = directory
        self.engine = Engine(sandbox.url, directory)

    async def fill(self) -> None:
        for source in ("zendesk", "incidentio", "github"):
            report = await self.engine.engine.poll(source)
            assert report.error is None, report.error

    def app(self, **config_overrides) -> TriageApp:
        config = sandbox_config(self.sandbox.url)
        for section, values in config_overrides.items():
            if isinstance(values, dict) and hasattr(getattr(config, section), "model_copy"):
                setattr(config, section, getattr(config, section).model_copy(update=values))
            else:
                setattr(config, section, values)
        config = config.model_copy(update={"cache_dir": self.directory})
        return TriageApp(config, Store(self.directory), Outbox(self.directory), now=lambda: FROZEN_NOW, offline=True)

    async def send(self) -> None:
        """What the sync worker would do next: send the outbox to the sandbox."""
        await self.engine.drain()

    def writes(self, api: str = "zendesk") -> list[dict]:
        return [w for w in self.sandbox.state.writes if w["api"] == api]

    def queued(self) -> list[dict]:
        return self.engine.outbox.entries(("pending",))


@pytest.fixture(scope="session")
def filled_cache(tmp_path_factory, dataset):
    """One real sync into a template cache; each test gets its own copy of it."""
    import asyncio
    import copy

    from triage_tui.sandbox.server import Sandbox

    template = tmp_path_factory.mktemp("filled") / "cache"

    async def fill(url: str) -> None:
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

    shutil.copytree(filled_cache, tmp_path / "cache")
    running = Harness(sandbox, tmp_path / "cache")
    yield running
    await running.engine.clients.aclose()
