"""The sandbox and the demo: the fake Zendesk, incident.io and GitHub on loopback, alone or
under the app with a throwaway cache."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import sys
import tempfile
from pathlib import Path

from triage_tui.cli.errors import UserError
from triage_tui.cli.wiring import collect_from_now_on, engine_factory, open_store
from triage_tui.config import Config


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


def sandbox(args: argparse.Namespace) -> int:
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


def demo(args: argparse.Namespace) -> int:
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
        with contextlib.ExitStack() as team:
            if args.relay and not args.offline:
                from triage_tui.cli.demo_relay import DemoRelay

                config = team.enter_context(DemoRelay(Path(scratch), config, tokens)).config
            _run_demo_app(args, config, tokens)
    return 0


def _run_demo_app(args: argparse.Namespace, config: Config, tokens: dict) -> None:
    """The app on the demo's throwaway cache (a copy fed by the relay with `--relay`)."""
    store, outbox = open_store(config)
    factory = engine_factory(config, store, outbox, tokens)
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
        after_first_paint=collect_from_now_on,
    )
    try:
        app.run(mouse=not args.no_mouse)
    finally:
        collect_from_now_on()
    store.close()
    outbox.close()
