"""The sandbox is a package of its own (`triage_sandbox`): it runs without the product, and
the facts it seeds agree with the product's defaults without either reading the other."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import triage_sandbox
from triage_sandbox import data
from triage_tui import config


def test_the_seeded_escalation_groups_are_the_products_defaults():
    assert data.ESCALATION_GROUPS == config.DEFAULT_ESCALATION_GROUPS
    # Support first, then the escalation teams in the config's order, then the SME groups.
    assert data.GROUPS[1 : 1 + len(config.DEFAULT_ESCALATION_GROUPS)] == config.DEFAULT_ESCALATION_GROUPS


def test_the_seeded_sdk_repositories_are_the_products_defaults():
    assert data.SDK_REPOS == config.DEFAULT_SDK_REPOS


def test_every_sandbox_module_imports_without_the_product():
    modules = sorted(info.name for info in pkgutil.walk_packages(triage_sandbox.__path__, prefix="triage_sandbox."))
    assert "triage_sandbox.server" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] == 'triage_tui')\n"
        "print(leaked)\n"
        "sys.exit(1 if leaked else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
