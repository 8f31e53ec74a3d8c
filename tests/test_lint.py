"""ruff (lint and format) and mypy stay clean on the whole repository: the package, the
tests and the benchmarks. Both come with the `test` extra, pinned, so the README's test
command (and CI) runs them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "src/triage_tui"
EVERYTHING = [PACKAGE, "src/triage_sandbox", "tests", "bench", "screenshots"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_is_clean():
    checked = run("ruff", "check", *EVERYTHING)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    formatted = run("ruff", "format", "--check", *EVERYTHING)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_mypy_is_clean():
    result = run("mypy", PACKAGE, "src/triage_sandbox")
    assert result.returncode == 0, result.stdout + result.stderr
