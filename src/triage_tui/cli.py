"""Command line: run the app, the demo, the sandbox, headless sync, auth and doctor.

Every user error is one line on stderr and exit code 2; no traceback reaches the user.
Heavy imports (Textual, httpx, keyring) happen inside the command that needs them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import getpass
import json
import os
import sys
import tempfile
from pathlib import Path

from triage_tui import __version__
from triage_tui.config import EXAMPLE_CONFIG, Config, ConfigError, load_config, xdg_dir


class UserError(Exception):
    """Printed as one line, exit code 2."""


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


def _account_settings(args: argparse.Namespace) -> dict:
    groups = tuple(name.strip() for name in args.restrict_groups.split(",") if name.strip())
    from triage_sandbox.data import GROUPS

    unknown = [name for name in groups if name.lower() not in {g.lower() for g in GROUPS}]
    if unknown:
        raise UserError(f"--restrict-groups: no group named {unknown[0]!r} (groups: {', '.join(GROUPS)})")
    return {
        "agent_locale": args.agent_locale,
        "restrict_groups": groups,
        "deny_deleted": args.deny_deleted,
        "edit_default_view": args.edit_default_view,
    }


def _parser() -> argparse.ArgumentParser:
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
        return _sandbox(args)
    if command == "demo":
        return _demo(args)
    config = load_config(args.config)
    if command == "auth":
        return _auth(args)
    if command == "doctor":
        from triage_tui.doctor import run_doctor

        return run_doctor(config)
    if command == "sync":
        return _sync(config, args.once)
    if command == "relay":
        return _relay(config, args.name)
    return _run(config, offline=args.offline, mouse=not args.no_mouse and config.ui.mouse)


def _tokens() -> dict:
    from triage_tui.secrets import SOURCES, lookup

    return {source: lookup(source) for source in SOURCES}


def _cache_dir(config: Config) -> Path:
    return config.cache_dir or xdg_dir("cache")


def _open_store(config: Config, *, read_only_ok: bool = False):
    """The cache and the outbox. With `read_only_ok`, a cache dir that cannot be written
    (disk full, read-only mount) opens read-only; otherwise that is a one-line error."""
    from triage_tui.store.cache import Store
    from triage_tui.store.errors import StoreUnavailable
    from triage_tui.store.outbox import Outbox

    directory = _cache_dir(config)
    try:
        store = Store(directory, read_only_ok=read_only_ok)
        outbox = Outbox(directory, read_only_ok=read_only_ok)
    except StoreUnavailable as exc:
        raise UserError(
            f"cannot use the cache: {exc}; free some space, or set cache_dir in the config to a writable directory"
        ) from None
    return store, outbox


def _after_app(store, outbox) -> None:
    """What the user should know once the screen is gone: a read-only cache, queued writes."""
    notice = store.notice if store.read_only else None
    if notice:
        print(f"triage-tui: {notice}", file=sys.stderr)
    message = outbox.quit_message()
    if message:
        print(f"triage-tui: {message}", file=sys.stderr)


def _engine_factory(config: Config, store, outbox, tokens: dict):
    def make():
        from triage_tui.sync.clients import build_clients
        from triage_tui.sync.engine import SyncEngine

        clients = build_clients(config, tokens)
        return SyncEngine(config, store, outbox, clients, feed=_relay_feed(config, store, clients))

    return make


def _check_clients(config: Config, tokens: dict) -> None:
    """Fail before the UI starts: a bad URL or a missing token is a one-line error."""
    from triage_tui.sources.errors import InsecureUrl
    from triage_tui.sources.http import check_base_url

    try:
        if config.zendesk.base_url():
            check_base_url("zendesk", config.zendesk.base_url())
        check_base_url("incidentio", config.incidentio.url)
        check_base_url("github", config.github.url)
    except InsecureUrl as exc:
        raise UserError(str(exc)) from None
    if not config.zendesk.base_url():
        raise UserError(
            "no Zendesk configured: set zendesk.subdomain (or url) and email in the config, or try `triage-tui demo`"
        )
    if not config.zendesk.email:
        raise UserError("zendesk.email is not set: the agent the token belongs to")
    if not tokens["zendesk"].value:
        raise UserError(f"no Zendesk token: {tokens['zendesk'].origin}")
    _check_relay(config)


def _run(config: Config, *, offline: bool, mouse: bool) -> int:
    tokens = {} if offline else _tokens()  # before the app: a prompt never fights the UI
    if not offline:
        _check_clients(config, tokens)
    # A full disk or a read-only cache dir: paint what is cached, sync and queue nothing.
    store, outbox = _open_store(config, read_only_ok=True)
    offline = offline or store.read_only or outbox.read_only
    # Start-up allocates a great deal and frees little (imports, styles, the cache): no
    # cycle collection until the queue is on screen, then what exists so far is frozen out
    # of every later collection.
    gc.disable()
    from triage_tui.ui.app import TriageApp

    _check_keys(config)
    factory = None if offline else _engine_factory(config, store, outbox, tokens)
    app = TriageApp(
        config, store, outbox, engine_factory=factory, offline=offline, after_first_paint=_collect_from_now_on
    )
    try:
        app.run(mouse=mouse)
    finally:
        _collect_from_now_on()
    _after_app(store, outbox)
    store.close()
    outbox.close()
    return 0


def _collect_from_now_on() -> None:
    gc.freeze()
    gc.enable()


def _check_keys(config: Config) -> None:
    if not config.keys:
        return  # no remaps: nothing to check, and no need to import every screen
    from triage_tui.ui.app import binding_ids

    known = binding_ids()
    for binding_id in config.keys:
        if binding_id not in known:
            raise UserError(
                f"config [keys] {binding_id!r}: unknown binding id; "
                "`?` in the app lists them (e.g. ticket.solve, queue.next)"
            )


def _sync(config: Config, once: bool) -> int:
    import asyncio

    tokens = _tokens()
    _check_clients(config, tokens)
    store, outbox = _open_store(config)
    engine = _engine_factory(config, store, outbox, tokens)()

    async def go() -> int:
        try:
            return await engine.run(once=once, emit=lambda line: print(line, flush=True))
        finally:
            await engine.clients.aclose()

    from triage_tui.store.errors import StoreUnavailable

    try:
        code = asyncio.run(go())
        # The poll's own line said what failed; this says what fixes it (a rejected token).
        fixes = [
            f"{source}: {state['reason']}"
            for source, state in ((source, store.sync_state(source)) for source in engine.configured())
            if state.get("reason") and state["reason"] != state.get("last_error")
        ]
    except StoreUnavailable as exc:
        # The outbox could not record a send (the disk filled up meanwhile): stop; what
        # was persisted is intact, and an unrecorded send is checked before it is resent.
        raise UserError(f"sync stopped: {exc}") from None
    finally:
        store.close()
        outbox.close()
    for line in fixes:
        print(f"triage-tui: {line}", file=sys.stderr)
    if store.read_only:  # the cache stopped taking writes during the run
        print(f"triage-tui: {store.notice}", file=sys.stderr)
        return 1
    return code


# -- the relay (README "Running a relay") ------------------------------------------------
def _check_relay(config: Config) -> None:
    """A relay URL that cannot work is a one-line error before anything starts."""
    if not config.relay.url:
        return
    from triage_tui.relay.connect import RelayConfigError, check_url

    try:
        check_url(config.relay.url)
    except RelayConfigError as exc:
        raise UserError(str(exc)) from None


def _relay_feed(config: Config, store, clients):
    """With `[relay] url`, the queue is read from the team's relay (None: from Zendesk)."""
    if not config.relay.url:
        return None
    from triage_tui.relay.feed import RelayFeed
    from triage_tui.secrets import RELAY, lookup

    async def whoami() -> dict:
        return (await clients.zendesk.me()).model_dump(mode="json")

    return RelayFeed(config, store, lookup(RELAY).value, whoami=whoami if clients.zendesk else None)


def _relay(config: Config, name: str) -> int:
    """Headless: lead (or stand by to lead) the reading of the account; ctrl+c stops."""
    import asyncio
    import os
    import signal
    import socket

    from triage_tui.relay.publisher import Relay
    from triage_tui.secrets import RELAY, lookup
    from triage_tui.store.cache import Store
    from triage_tui.store.outbox import Outbox
    from triage_tui.sync.clients import build_clients

    tokens = _tokens()
    _check_clients(config, tokens)
    if not config.relay.url:
        raise UserError("relay.url is not set: the NATS server to publish to (TRIAGE_RELAY_URL)")
    # Its own cache: what it read, and its cursor, apart from any copy's on the same box.
    directory = _cache_dir(config) / "relay"
    store, outbox = Store(directory), Outbox(directory)
    clients = build_clients(config, tokens)
    relay = Relay(
        config,
        store,
        outbox,
        clients,
        lookup(RELAY).value,
        name=name or f"{socket.gethostname()}:{os.getpid()}",
        emit=lambda line: print(line, flush=True),
    )

    async def go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await relay.run(stop)
        finally:
            await clients.aclose()

    try:
        asyncio.run(go())
    finally:
        store.close()
        outbox.close()
    return 0


def _auth(args: argparse.Namespace) -> int:
    from triage_tui.secrets import (
        SOURCES,
        SecretError,
        check_keyring,
        clear,
        lookup,
        store,
    )

    if args.verb == "status":
        for source in [args.service] if args.service else SOURCES:
            token = lookup(source)
            print(f"{source:11} {'set' if token.value else 'not set':8} {token.origin}")
        return 0
    if not args.service:
        raise UserError(f"auth {args.verb} needs a service: zendesk, incidentio or github")
    try:
        if args.verb == "set":
            # Before the prompt: nobody should type a token only to hear it cannot be kept.
            check_keyring(args.service)
            value = getpass.getpass(f"{args.service} API token (input hidden): ").strip()
            store(args.service, value)
            print(f"{args.service}: token stored in the keyring (service 'triage-tui')")
        else:
            removed = clear(args.service)
            print(f"{args.service}: {'token removed' if removed else 'no token was stored'}")
    except SecretError as exc:
        raise UserError(f"{args.service}: {exc}") from None
    return 0


def _faults(spec: str, seed: int):
    from triage_sandbox.faults import FaultPlan, FaultSpecError, parse_faults

    try:
        return FaultPlan(parse_faults(spec), seed=seed)
    except FaultSpecError as exc:
        raise UserError(f"--faults: {exc}") from None


def _dataset(args: argparse.Namespace) -> dict:
    from triage_sandbox.data import generate

    if getattr(args, "data", None):
        try:
            data = json.loads(args.data.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise UserError(f"{args.data}: cannot load dataset: {exc}") from None
        if not isinstance(data, dict) or "tickets" not in data:
            raise UserError(f"{args.data}: not a dataset (expected an object with 'tickets')")
        return data
    if args.tickets < 1 or args.tickets > 200_000:
        raise UserError("--tickets must be between 1 and 200000")
    if args.tickets > 5_000:
        # Tens of seconds at 100,000: say why the screen is still empty.
        print(f"Generating {args.tickets:,} sandbox tickets…", file=sys.stderr, flush=True)
    return generate(seed=args.seed, tickets=args.tickets, now=dt.datetime.now(dt.UTC))


def _sandbox(args: argparse.Namespace) -> int:
    import threading

    from triage_sandbox.server import Sandbox, SandboxSettings
    from triage_tui.sources.http import is_loopback

    if not is_loopback(args.host):
        raise UserError(f"--host {args.host}: the sandbox only listens on loopback addresses")
    faults = _faults(args.faults, args.seed)
    data = _dataset(args)
    if args.dump:
        from triage_sandbox.state import SandboxState

        with private_file(args.dump) as handle:
            json.dump(SandboxState(data).dump(), handle)
        print(f"dataset written to {args.dump}")
        return 0
    try:
        sandbox = Sandbox(
            data,
            host=args.host,
            port=args.port,
            settings=SandboxSettings(
                token=args.token,
                persona=args.persona,
                plan=args.plan,
                search_lag_seconds=args.search_lag,
                own_links=True,
                **_account_settings(args),
            ),
            faults=faults,
            activity_seconds=args.activity,
        )
    except OSError as exc:
        raise UserError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    sandbox.start()
    print(f"sandbox listening on {sandbox.url} (token {args.token!r}; Zendesk agent agent@example.com)", flush=True)
    print(
        f"  TRIAGE_ZENDESK_URL={sandbox.url} TRIAGE_ZENDESK_EMAIL=agent@example.com "
        f"TRIAGE_INCIDENTIO_URL={sandbox.url} TRIAGE_GITHUB_URL={sandbox.url}",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


class private_file:
    """Open a file for writing with owner-only permissions."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self):
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self.handle = os.fdopen(fd, "w", encoding="utf-8")
        return self.handle

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def demo_config(url: str, cache: Path) -> Config:
    return Config.from_dict(
        {
            "zendesk": {
                "url": url,
                "email": "agent@example.com",
                "sme_groups": ["Support", "Product Analytics", "Replay"],
                "my_groups": ["Support"],
                "billing_lead": "cass@example.com",  # a sandbox agent stands in for billing's lead
            },
            "incidentio": {"url": url},
            "github": {"url": url},
            "cache_dir": str(cache),
            "sync": {"zendesk_seconds": 15, "incidentio_seconds": 15, "github_seconds": 60},
        }
    )


def _fill_once(engine) -> None:
    """Poll every source once into the cache (the offline demo's starting point)."""
    import asyncio

    async def fill() -> None:
        try:
            for source in engine.configured():
                await engine.poll(source)
        finally:
            await engine.clients.aclose()

    asyncio.run(fill())


def _demo(args: argparse.Namespace) -> int:
    from triage_sandbox.burst import add_burst
    from triage_sandbox.server import Sandbox, SandboxSettings
    from triage_tui.secrets import Token

    faults = _faults(args.faults, args.seed)
    data = _dataset(args)
    add_burst(data, dt.datetime.now(dt.UTC))  # so the demo shows a possible incident
    with (
        tempfile.TemporaryDirectory(prefix="triage-tui-demo-") as scratch,
        Sandbox(
            data,
            settings=SandboxSettings(persona=args.persona, plan=args.plan, own_links=True, **_account_settings(args)),
            faults=faults,
            activity_seconds=args.activity,
        ) as sandbox,
    ):
        config = demo_config(sandbox.url, Path(scratch) / "cache")
        tokens = {name: Token(name, "sandbox", "demo") for name in ("zendesk", "incidentio", "github")}
        store, outbox = _open_store(config)
        factory = _engine_factory(config, store, outbox, tokens)
        if args.offline:
            # The demo's cache starts empty: fill it once, before the screen, so there is
            # something to paint; from then on, as with `run --offline`, no poll and no send.
            _fill_once(factory())
        gc.disable()  # as in `run`: no collections until the queue is on screen
        from triage_tui.ui.app import TriageApp

        app = TriageApp(
            config,
            store,
            outbox,
            engine_factory=None if args.offline else factory,
            offline=args.offline,
            after_first_paint=_collect_from_now_on,
        )
        try:
            app.run(mouse=not args.no_mouse)
        finally:
            _collect_from_now_on()
        store.close()
        outbox.close()
    return 0
