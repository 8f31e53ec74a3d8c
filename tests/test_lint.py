"""ruff and mypy, clean on the files kept clean so far: the UI, the workspace and its read
model, the outbox target, ranking and SLA. Widen CLEAN as other layers get there.

Skipped where the linters are not installed (they are not in the `test` extra yet)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLEAN = [
    "src/triage_tui/ui",
    "src/triage_tui/workspace.py",
    "src/triage_tui/entries.py",
    "src/triage_tui/readmodel.py",
    "src/triage_tui/targets.py",
    "src/triage_tui/triage/ranking.py",
    "src/triage_tui/triage/sla.py",
]
CLEAN_TESTS = [
    "tests/app",
    "tests/snapshots",
    "tests/test_layers.py",
    "tests/test_lint.py",
    "tests/unit/test_ranking.py",
]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is not installed")
def test_ruff_is_clean():
    checked = run("ruff", "check", *CLEAN, *CLEAN_TESTS)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    formatted = run("ruff", "format", "--check", *CLEAN)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_mypy_is_clean():
    result = run("mypy", *CLEAN)
    assert result.returncode == 0, result.stdout + result.stderr
