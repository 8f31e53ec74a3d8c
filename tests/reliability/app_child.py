"""Run by test_faults: the app with its live sync worker writes an internal note, then
waits to be killed. Arguments: SANDBOX_URL CACHE_DIR."""

import asyncio
import sys
from pathlib import Path

from tests.conftest import sandbox_config
from tests.helpers import TOKENS
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.clients import build_clients
from triage_tui.sync.engine import SyncEngine
from triage_tui.ui.app import TriageApp

url, directory = sys.argv[1], Path(sys.argv[2])
config = sandbox_config(url).replace(cache_dir=directory)
store, outbox = Store(directory), Outbox(directory)
app = TriageApp(
    config,
    store,
    outbox,
    engine_factory=lambda *, requests, progress: SyncEngine(
        config, store, outbox, build_clients(config, TOKENS), requests=requests, progress=progress
    ),
)


async def write_then_wait(pilot):
    await pilot.press("i", *"note from the app", "ctrl+s")
    print("queued", flush=True)
    await asyncio.Event().wait()  # nothing sets it: the test kills this process (SIGKILL)


app.run(headless=True, auto_pilot=write_then_wait, size=(120, 40))
