"""The ticket keys' actions are two-line delegates: each calls one function of a flow module
in ui/ticket_flows/, named for what it does; the flows hold the steps, triage/ the words."""

from __future__ import annotations

import ast
from pathlib import Path

from triage_tui.ui import ticket_actions

SOURCE = Path(ticket_actions.__file__)


def _actions() -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(SOURCE.read_text())
    screen = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "TicketScreen")
    return [
        n for n in screen.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name.startswith("action_")
    ]


def _flow_call(statement: ast.stmt) -> str | None:
    """`flows_module.function` when the statement is one (awaited) call of it with the screen:
    `_flow("module").function(self)`, the module imported on the key's first press."""
    if not isinstance(statement, ast.Expr):
        return None
    call = statement.value.value if isinstance(statement.value, ast.Await) else statement.value
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        return None
    module = call.func.value
    if not (isinstance(module, ast.Call) and isinstance(module.func, ast.Name) and module.func.id == "_flow"):
        return None
    if len(module.args) != 1 or not isinstance(name := module.args[0], ast.Constant) or not isinstance(name.value, str):
        return None
    if not call.args or not isinstance(call.args[0], ast.Name):
        return None
    return f"{name.value}.{call.func.attr}" if call.args[0].id == "self" else None


def test_every_ticket_action_calls_one_flow_function():
    actions = _actions()
    assert len(actions) >= 15, "the ticket keys' actions live on TicketScreen"
    thick = []
    for action in actions:
        body = [s for s in action.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        if len(body) != 1 or _flow_call(body[0]) is None:
            thick.append(action.name)
    assert thick == []


def test_the_flows_they_call_exist_in_ui_ticket_flows():
    for action in _actions():
        body = [s for s in action.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        called = _flow_call(body[0])
        assert called is not None
        module, function = called.split(".")
        assert ticket_actions._flow(module).__name__ == f"triage_tui.ui.ticket_flows.{module}", action.name
        assert callable(getattr(ticket_actions._flow(module), function)), action.name
