"""The layers of the design (DESIGN.md, kept beside the repository at ../shared/DESIGN.md,
and summarised in README.md under "How it is built"), checked by import-linter's
contracts in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = 5


def test_layer_contracts_hold():
    result = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {CONTRACTS} kept, 0 broken" in result.stdout


def test_triage_and_data_layers_do_not_import_textual_at_runtime():
    code = (
        "import sys; import triage_tui.triage.tickets, triage_tui.sync.engine, triage_tui.workspace;"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'textual']; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
