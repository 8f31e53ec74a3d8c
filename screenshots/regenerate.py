"""Regenerate the README's screenshots from the demo data: `.venv/bin/python screenshots/regenerate.py`.

A seeded sandbox at a fixed moment, one real sync into a throwaway cache, then the app,
headless, pressing keys and saving SVGs of itself. Same input, same pictures.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from pathlib import Path

from triage_sandbox.data import generate
from triage_sandbox.server import Sandbox
from triage_tui.cli.sandbox import demo_config
from triage_tui.secrets import Token
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.clients import build_clients
from triage_tui.sync.engine import SyncEngine
from triage_tui.ui.app import TriageApp

HERE = Path(__file__).resolve().parent
MOMENT = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC)  # a Wednesday afternoon
SHOTS = [
    ("main-160x48", (160, 48), []),
    ("main-80x24", (80, 24), []),
    ("macro-picker-80x24", (80, 24), ["m", *"lead"]),
    ("composer-160x48", (160, 48), ["p", *"Could you share the project id and an example event?"]),
    ("escalate-80x24", (80, 24), ["e", *"repl"]),
    ("incident-split-160x48", (160, 48), ["I"]),
    ("incidents-80x24", (80, 24), ["2"]),
    ("sdk-160x48", (160, 48), ["3"]),
    ("help-160x48", (160, 48), ["question_mark"]),
]


async def fill(url: str, cache: Path) -> None:
    config = demo_config(url, cache)
    tokens = {name: Token(name, "sandbox", "screenshots") for name in ("zendesk", "incidentio", "github")}
    store, outbox = Store(cache), Outbox(cache)
    engine = SyncEngine(config, store, outbox, build_clients(config, tokens), now=lambda: MOMENT)
    for source in ("zendesk", "incidentio", "github"):
        await engine.poll(source)
    for key in store.unsolved():
        await engine.pollers.comments(int(key))
    await engine.clients.aclose()
    store.close()
    outbox.close()


async def shoot(url: str, cache: Path, name: str, size: tuple[int, int], keys: list[str]) -> None:
    config = demo_config(url, cache)
    app = TriageApp(config, Store(cache), Outbox(cache), now=lambda: MOMENT, offline=True, cursor_blink=False)
    async with app.run_test(size=size) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        app.save_screenshot(str(HERE / f"{name}.svg"))
    app.store.close()
    app.outbox.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch, Sandbox(generate(seed=7, tickets=300, now=MOMENT)) as sandbox:
        cache = Path(scratch) / "cache"
        asyncio.run(fill(sandbox.url, cache))
        for name, size, keys in SHOTS:
            asyncio.run(shoot(sandbox.url, cache, name, size, keys))
            print(f"screenshots/{name}.svg")


if __name__ == "__main__":
    main()
