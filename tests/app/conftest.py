"""Fixtures of the app tests."""

from __future__ import annotations

import shutil

import pytest

from tests.reliability.test_ui_resilience import live_app


@pytest.fixture
def live(sandbox, filled_cache, tmp_path):
    """The app on a copy of the filled cache, with its real sync worker against the sandbox."""
    shutil.copytree(filled_cache, tmp_path / "live")
    return live_app(sandbox.url, tmp_path / "live")
