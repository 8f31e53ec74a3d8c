"""ruff (lint and format) and mypy stay clean on the whole repository: the package, the
tests and the benchmarks. Both come with the `test` extra, pinned, so the README's test
command (and CI) runs them."""

import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
EVERYTHING = ["src", "tests", "bench", "screenshots"]
# What this file and tests/test_layers.py run; the pre-commit hooks run exactly these.
CHECKS = {
    "ruff-check": ["ruff", "check", *EVERYTHING],
    "ruff-format": ["ruff", "format", "--check", *EVERYTHING],
    "mypy": ["mypy"],  # its files come from pyproject's [tool.mypy]
    "lint-imports": ["lint-imports"],
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_is_clean():
    checked = run(*CHECKS["ruff-check"])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    formatted = run(*CHECKS["ruff-format"])
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_mypy_is_clean():
    result = run(*CHECKS["mypy"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_reads_everything_ruff_reads():
    """Before, mypy read the package only, though this file said it covered the tests."""
    files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["files"]
    assert sorted(files) == sorted(EVERYTHING)


def test_the_pre_commit_hooks_run_these_checks_locally():
    """`pre-commit install` gives the same verdict before a commit as the test command after
    it: local hooks (no network) with the project's own tools, checking everything."""
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    [repo] = config["repos"]
    assert repo["repo"] == "local"
    hooks = {hook["id"]: hook for hook in repo["hooks"]}
    assert set(hooks) == set(CHECKS)
    for name, hook in hooks.items():
        program, *args = hook["entry"].split()
        assert [Path(program).name, *args] == CHECKS[name], name
        assert hook["language"] == "system" and hook["pass_filenames"] is False, name
