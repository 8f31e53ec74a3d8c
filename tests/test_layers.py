"""The layers of the design (DESIGN.md, kept beside the repository at ../shared/DESIGN.md,
and summarised in README.md under "How it is built"), checked by import-linter's
contracts in pyproject.toml."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = 8


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
        "import sys; import triage_tui.triage.tickets, triage_tui.sync.engine, triage_tui.read.workspace;"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'textual']; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


# Textual's private attributes change without notice between releases (the brief: public
# API only). Our own objects' underscored names are fine; these are Textual's.
PRIVATE_TEXTUAL = re.compile(
    r"\b(?:app|screen|widget|self\.app|self\.screen|event)\._[a-z]"
    r"|def _on_key\b|\._bindings\b|\._modal_binding_chain\b|\._result_callbacks\b"
)


def test_the_ui_uses_no_private_textual_attributes():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "src" / "triage_tui" / "ui").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if PRIVATE_TEXTUAL.search(line)
    ]
    assert not found, "\n".join(found)
