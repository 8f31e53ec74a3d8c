"""The commands on the user's own accounts: run the app, headless sync, the team's relay,
and the tokens in the keyring."""

from __future__ import annotations

import argparse
import gc
import getpass
import sys

from triage_tui.cli.errors import UserError
from triage_tui.cli.wiring import (
    after_app,
    cache_dir,
    check_clients,
    collect_from_now_on,
    engine_factory,
    open_store,
    read_tokens,
)
from triage_tui.config import Config


def run(config: Config, *, offline: bool, mouse: bool) -> int:
    tokens = {} if offline else read_tokens()  # before the app: a prompt never fights the UI
    if not offline:
        check_clients(config, tokens)
    # A full disk or a read-only cache dir: paint what is cached, sync and queue nothing.
    store, outbox = open_store(config, read_only_ok=True)
    offline = offline or store.read_only or outbox.read_only
    # Start-up allocates a great deal and frees little (imports, styles, the cache): no
    # cycle collection until the queue is on screen, then what exists so far is frozen out
    # of every later collection.
    gc.disable()
    from triage_tui.ui.app import TriageApp

    _check_keys(config)
    factory = None if offline else engine_factory(config, store, outbox, tokens)
    app = TriageApp(
        config, store, outbox, engine_factory=factory, offline=offline, after_first_paint=collect_from_now_on
    )
    try:
        app.run(mouse=mouse)
    finally:
        collect_from_now_on()
    after_app(store, outbox)
    store.close()
    outbox.close()
    return 0


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


def sync(config: Config, once: bool) -> int:
    import asyncio

    tokens = read_tokens()
    check_clients(config, tokens)
    store, outbox = open_store(config)
    engine = engine_factory(config, store, outbox, tokens)()

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


def relay(config: Config, name: str) -> int:
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

    tokens = read_tokens()
    check_clients(config, tokens)
    if not config.relay.url:
        raise UserError("relay.url is not set: the NATS server to publish to (TRIAGE_RELAY_URL)")
    # Its own cache: what it read, and its cursor, apart from any copy's on the same box.
    directory = cache_dir(config) / "relay"
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


def auth(args: argparse.Namespace) -> int:
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
