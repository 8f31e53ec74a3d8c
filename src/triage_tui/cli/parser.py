"""The command line's commands and flags; `--config`, `--offline` and `--no-mouse` are taken
before the command or after it."""

from __future__ import annotations

import argparse
from pathlib import Path

from triage_tui import __version__


def _global_flags(parser: argparse.ArgumentParser, default: object) -> None:
    """--config, --offline, --no-mouse: before or after the command."""
    config_help = "config file (default: $XDG_CONFIG_HOME/triage-tui/config.toml, or $TRIAGE_CONFIG)"
    parser.add_argument("--config", type=Path, default=default, help=config_help)
    offline_help = "paint from the cache only; send nothing"
    parser.add_argument("--offline", action="store_true", default=default or False, help=offline_help)
    mouse_help = "turn mouse tracking off (saves bytes over SSH)"
    parser.add_argument("--no-mouse", action="store_true", default=default or False, help=mouse_help)


def _with_parents(parents: list[argparse.ArgumentParser]) -> type[argparse.ArgumentParser]:
    class Command(argparse.ArgumentParser):
        def __init__(self, *args: object, **kwargs: object) -> None:
            kwargs.setdefault("parents", parents)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    return Command


def _account_flags(parser: argparse.ArgumentParser) -> None:
    """The sandbox account's role and plan, for `sandbox` and `demo` alike."""
    parser.add_argument(
        "--persona",
        choices=["agent", "admin"],
        default="agent",
        help="Zendesk role of the token (agents get 403 on admin-only endpoints)",
    )
    parser.add_argument(
        "--plan",
        choices=["team", "professional", "enterprise"],
        default="enterprise",
        help="Zendesk plan: the account's requests per minute (200, 400, 700)",
    )


def _account_shape_flags(parser: argparse.ArgumentParser) -> None:
    """How unlike a fresh account the sandbox is: what a real team's account does to a reader."""
    parser.add_argument("--agent-locale", choices=["en", "de"], default="en", help="the language of view titles")
    parser.add_argument(
        "--restrict-groups",
        default="",
        metavar="NAME,...",
        help="agents see only these groups' tickets (views, search, show_many, ticket GET)",
    )
    parser.add_argument("--deny-deleted", action="store_true", help="deleted_tickets answers 403 to agents")
    parser.add_argument(
        "--edit-default-view",
        action="store_true",
        help='an admin edited "Recently updated tickets" to leave the Support group out',
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triage-tui", description="A keyboard-driven terminal workstation for support engineers."
    )
    parser.add_argument("--version", action="version", version=f"triage-tui {__version__}")
    _global_flags(parser, None)
    # The same flags are accepted after the command (`triage-tui demo --no-mouse`); there
    # they default to "not given", so they never undo one given before the command.
    after = argparse.ArgumentParser(add_help=False)
    _global_flags(after, argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_with_parents([after]))

    commands.add_parser("run", help="run the app (the default)")

    demo = commands.add_parser("demo", help="run the app against a built-in sandbox with realistic data")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--tickets", type=int, default=300)
    demo.add_argument(
        "--activity", type=float, default=45.0, help="seconds between new tickets/replies/updates (0: none)"
    )
    demo.add_argument("--faults", default="", help="fault spec for the sandbox, e.g. 429:0.1,503:0.05")
    demo.add_argument(
        "--relay",
        action="store_true",
        help="a team's setup: nats-server, a relay reading the sandbox, the app fed by it, a colleague's presence",
    )
    _account_flags(demo)
    _account_shape_flags(demo)

    sandbox = commands.add_parser("sandbox", help="serve the fake Zendesk/incident.io/GitHub APIs on loopback")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765, help="0 picks a free port and prints it")
    sandbox.add_argument("--token", default="sandbox", help="the one token all three APIs accept")
    sandbox.add_argument("--seed", type=int, default=7)
    sandbox.add_argument("--tickets", type=int, default=300, help="how many tickets (scales to 100,000)")
    sandbox.add_argument("--data", type=Path, help="load a dataset written by --dump")
    sandbox.add_argument("--dump", type=Path, help="write the dataset to FILE and exit")
    sandbox.add_argument("--activity", type=float, default=0.0, help="seconds between background events (0: none)")
    sandbox.add_argument("--faults", default="", help="e.g. 429:0.1,503:0.05,stall:0.05:2s,reset:0.02")
    _account_flags(sandbox)
    _account_shape_flags(sandbox)
    sandbox.add_argument(
        "--search-lag",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how far behind search is (Zendesk indexes late; 0: never)",
    )

    sync = commands.add_parser("sync", help="poll the APIs into the cache and send the outbox, without the UI")
    sync.add_argument("--once", action="store_true", help="exit when caught up")

    auth = commands.add_parser("auth", help="store, inspect or clear API tokens in the keyring")
    auth.add_argument("verb", choices=["set", "status", "clear"])
    auth.add_argument("service", nargs="?", choices=["zendesk", "incidentio", "github", "relay"])

    relay = commands.add_parser("relay", help="read one Zendesk account for the team and publish it to NATS JetStream")
    relay.add_argument("--name", default="", help="this relay's name in the lease and in doctor (default: host:pid)")

    commands.add_parser("doctor", help="check config, tokens, services, cache and terminal")

    config = commands.add_parser("config", help="show configuration")
    config.add_argument("--example", action="store_true", help="print a commented example config")
    return parser
