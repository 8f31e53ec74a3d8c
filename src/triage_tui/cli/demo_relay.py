"""`triage-tui demo --relay`: a team's setup on this machine. A real `nats-server` (the
`relay` extra's), one relay reading the sandbox account and publishing it, and a colleague,
Sam, whose copy says what Sam is doing on a ticket; the app is then a copy fed by the relay."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from pathlib import Path
from typing import Self

from triage_tui.cli.errors import UserError
from triage_tui.config import Config

COLLEAGUE = "Sam"  # the demo's colleague, named as a copy names its engineer
COLLEAGUE_EVERY = 20.0  # seconds on one ticket before Sam moves on to another
STOP_WAIT = 10.0


class DemoRelay:
    """Started before the app and stopped after it: the server, then the relay and Sam on
    a thread of their own (the app's loop stays the app's)."""

    def __init__(self, scratch: Path, config: Config, tokens: dict) -> None:
        from triage_tui.relay.server import NatsServer, NoServerBinary, server_binary

        try:
            server_binary()
        except NoServerBinary as exc:
            raise UserError(f"demo --relay: {exc}") from None
        self.server = NatsServer(scratch / "nats")
        self.scratch, self.tokens = scratch, tokens
        # The app's config too: a copy whose `[relay] url` is this server.
        self.config = config.replace(relay={"url": self.server.url})
        self.thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop: asyncio.Event | None = None
        self.lines: list[str] = []  # what the relay said, for the terminal once the app is gone

    @property
    def url(self) -> str:
        return self.server.url

    def __enter__(self) -> Self:
        self.server.start()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), name="demo-relay", daemon=True)
        self.thread.start()
        ready.wait(STOP_WAIT)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.loop is not None and self.stop is not None:
            self.loop.call_soon_threadsafe(self.stop.set)
        if self.thread is not None:
            self.thread.join(STOP_WAIT)
        self.server.stop()

    def _run(self, ready: threading.Event) -> None:
        asyncio.run(self._main(ready))

    async def _main(self, ready: threading.Event) -> None:
        from triage_tui.relay.publisher import Relay
        from triage_tui.store.cache import Store
        from triage_tui.store.outbox import Outbox
        from triage_tui.sync.clients import build_clients

        self.loop, self.stop = asyncio.get_running_loop(), asyncio.Event()
        config = self.config
        directory = self.scratch / "relay"
        store, outbox = Store(directory), Outbox(directory)
        clients = build_clients(config, self.tokens)
        relay = Relay(config, store, outbox, clients, None, name="demo relay", emit=self.lines.append)
        ready.set()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(relay.run(self.stop))
                group.create_task(_colleague(config, store, self.stop))
        finally:
            await clients.aclose()
            store.close()
            outbox.close()


def _tickets_to_visit(config: Config, store) -> list[int]:
    """Where Sam looks: tickets of the demo's own groups (so Sam shows on the first screen),
    the urgent and high ones first, as an engineer on the rotation would."""
    rows = store.unsolved_rows()
    mine = {str(g.get("id")) for g in store.list("groups") if g.get("name") in config.zendesk.my_groups}
    rank = {"urgent": 0, "high": 1}

    def order(key: str) -> tuple[bool, int, int]:
        ticket = store.ticket(int(key)) or {}
        return str(ticket.get("group_id")) not in mine, rank.get(str(ticket.get("priority")), 2), int(key)

    return [int(key) for key in sorted(rows, key=order)[:5]]


async def _colleague(config: Config, store, stop: asyncio.Event) -> None:
    """Sam's copy, as far as presence goes: viewing a ticket, then replying, then the next."""
    from triage_tui.relay.connect import bucket, connect
    from triage_tui.relay.names import PRESENCE, presence_key
    from triage_tui.relay.waits import first_of

    turn = 0
    while not stop.is_set():
        visit = _tickets_to_visit(config, store)
        if not visit:  # the relay's first read is not in yet
            await first_of(stop, seconds=1.0)
            continue
        try:
            link = await connect(config.relay, None, name="demo colleague")
        except Exception:  # noqa: BLE001 - the server is still starting: try again shortly
            await first_of(stop, seconds=1.0)
            continue
        try:
            presence = await bucket(link.js, PRESENCE)
            while not stop.is_set():
                ticket_id = visit[turn % len(visit)]
                key = presence_key(ticket_id, "demo-sam")
                for doing in ("viewing", "replying"):
                    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                    value = {"name": COLLEAGUE, "doing": doing, "at": at}
                    await presence.put(key, json.dumps(value).encode())
                    await first_of(stop, seconds=COLLEAGUE_EVERY / 2)
                await presence.delete(key)
                turn += 1
                visit = _tickets_to_visit(config, store) or visit
        except Exception:  # noqa: BLE001 - presence is a courtesy: a failed put starts over
            await first_of(stop, seconds=1.0)
        finally:
            await link.close()
