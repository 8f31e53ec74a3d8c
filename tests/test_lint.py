"""ruff and mypy, clean on the files kept clean so far: the UI, the workspace and its read
model, the outbox target, ranking and SLA, sync, the API clients, the store, the models,
doctor and the sandbox (ruff also on the tests and bench). Widen CLEAN as other layers get
there. Both come with the `test` extra, pinned."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLEAN = [
    "src/triage_tui/ui",
    "src/triage_tui/workspace.py",
    "src/triage_tui/entries.py",
    "src/triage_tui/readmodel.py",
    "src/triage_tui/targets.py",
    "src/triage_tui/triage/ranking.py",
    "src/triage_tui/triage/sla.py",
    "src/triage_tui/sync/engine.py",
    "src/triage_tui/sync/pollers.py",
    "src/triage_tui/sync/schedule.py",
    "src/triage_tui/sync/changes.py",
    "src/triage_tui/sync/leader.py",
    "src/triage_tui/sync/requests.py",
    "src/triage_tui/sync/clients.py",
    "src/triage_tui/sync/sender.py",
    "src/triage_tui/sync/writes.py",
    "src/triage_tui/sources",
    "src/triage_tui/store",
    "src/triage_tui/models",
    "src/triage_tui/doctor.py",
    "src/triage_tui/sandbox",
]
# ruff only: scripts run by hand.
CLEAN_RUFF_ONLY = ["bench"]
CLEAN_TESTS = [
    "tests/app",
    "tests/snapshots",
    "tests/test_layers.py",
    "tests/test_lint.py",
    "tests/conftest.py",
    "tests/helpers.py",
    "tests/spec",
    "tests/integration",
    "tests/reliability",
    "tests/unit",
]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_is_clean():
    checked = run("ruff", "check", *CLEAN, *CLEAN_RUFF_ONLY, *CLEAN_TESTS)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    formatted = run("ruff", "format", "--check", *CLEAN)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_mypy_is_clean():
    result = run("mypy", *CLEAN)
    assert result.returncode == 0, result.stdout + result.stderr
