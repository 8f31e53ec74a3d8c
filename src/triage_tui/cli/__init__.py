"""Command line: run the app, the demo, the sandbox, headless sync, auth and doctor.

Every user error is one line on stderr and exit code 2; no traceback reaches the user.
Heavy imports (Textual, httpx, keyring) happen inside the command that needs them. The
commands live by what they do: `parser`, `commands` (the user's accounts), `sandbox` (the
sandbox and the demo), and `wiring` (what they open first).
"""

from __future__ import annotations

import argparse
import json
import sys

from triage_tui.cli import commands, sandbox
from triage_tui.cli.errors import UserError
from triage_tui.cli.parser import build_parser
from triage_tui.config import EXAMPLE_CONFIG, ConfigError, load_config


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (ConfigError, UserError) as exc:
        print(f"triage-tui: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command or "run"
    if command == "config":
        if args.example:
            print(EXAMPLE_CONFIG, end="")
            return 0
        print(json.dumps(load_config(args.config).as_dict(), indent=2, default=str))
        return 0
    if command == "sandbox":
        return sandbox.sandbox(args)
    if command == "demo":
        return sandbox.demo(args)
    config = load_config(args.config)
    if command == "auth":
        return commands.auth(args)
    if command == "doctor":
        from triage_tui.doctor import run_doctor

        return run_doctor(config)
    if command == "sync":
        return commands.sync(config, args.once)
    if command == "relay":
        return commands.relay(config, args.name)
    return commands.run(config, offline=args.offline, mouse=not args.no_mouse and config.ui.mouse)
