"""Fixtures of the sandbox spec tests: a socket-free sandbox app on fake clocks."""

from __future__ import annotations

import copy

import pytest

from tests.spec.test_sandbox_strict import Clocks
from triage_sandbox.server import SandboxApp, SandboxSettings
from triage_sandbox.state import SandboxState


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def make(dataset, clocks):
    """`make(**settings)`: a socket-free sandbox app on the frozen dataset and the fake clocks."""

    def build(**settings) -> SandboxApp:
        app = SandboxApp(SandboxState(copy.deepcopy(dataset)), SandboxSettings(**settings))
        app.base_url = "http://sandbox.test"
        app.clock = lambda: clocks.seconds
        app.now = lambda: clocks.moment
        return app

    return build
