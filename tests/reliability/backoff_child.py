"""Run by test_machine_faults: one send round against an unreachable service, so the
queued write goes into backoff; prints this process's monotonic time and the stored
retry time. Arguments: DEAD_URL CACHE_DIR [MONOTONIC_OFFSET] (the offset stands in for
`unshare --time --monotonic=...` where time namespaces are not available)."""

import asyncio
import sys
import time
from pathlib import Path

from tests.conftest import sandbox_config
from tests.helpers import TOKENS
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.clients import build_clients
from triage_tui.sync.engine import SyncEngine

url, directory = sys.argv[1], Path(sys.argv[2])
offset = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
real_monotonic = time.monotonic


def monotonic() -> float:
    return real_monotonic() + offset


async def main() -> None:
    store, outbox = Store(directory), Outbox(directory)
    config = sandbox_config(url)
    clients = build_clients(config, TOKENS, max_retries=0, timeout=2)
    engine = SyncEngine(config, store, outbox, clients, monotonic=monotonic)
    try:
        report = await engine.send()
    finally:
        await clients.aclose()
    assert report.waiting == 1, report.line()
    entry = outbox.entries(("pending", "sending"))[0]
    print(monotonic(), entry["retry_at"])


asyncio.run(main())
