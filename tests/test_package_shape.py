"""How the package is put together (issue 25): the stylesheet travels inside it, and the UI's
modules import one another without a loop."""

from __future__ import annotations

from pathlib import Path

import grimp

import triage_tui
from triage_tui.ui.app import TriageApp, stylesheet

ROOT = Path(__file__).resolve().parents[1]


def test_the_stylesheet_is_inside_the_package_and_the_checkouts_styles_folder_is_the_same_file():
    package = Path(triage_tui.__file__).resolve().parent
    assert stylesheet().is_relative_to(package)  # a wheel carries what is inside the package
    assert stylesheet().is_file()
    assert TriageApp.CSS_PATH == str(stylesheet())
    # The file people edit is still styles/app.tcss at the top of the checkout.
    assert (ROOT / "styles" / "app.tcss").resolve() == stylesheet()


def _loops(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """The modules of `package` that import each other in a loop (Tarjan's strongly
    connected components, more than one module each)."""
    modules = sorted(m for m in graph.modules if m.startswith(f"{package}."))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if not other.startswith(f"{package}."):
                continue
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            loop = []
            while True:
                other = stack.pop()
                loop.append(other)
                if other == module:
                    break
            if len(loop) > 1:
                found.append(sorted(loop))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_the_ui_modules_import_each_other_without_a_loop():
    graph = grimp.build_graph("triage_tui")
    assert _loops(graph, "triage_tui.ui") == []
