"""A relay link that dies without a word (no FIN: a laptop's Wi-Fi, a dropped VPN) is
found by NATS pings within about 30 s, so `fallback_seconds` still means what it says."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

from tests.relay.conftest import Copy, make_relay, relay_config
from tests.waiting import eventually
from triage_tui.relay.connect import PING_SECONDS, PINGS_UNANSWERED


class SilentProxy:
    """Forwards TCP to the nats-server until `freeze()`; then keeps both sockets open and
    drops every byte, as a link through a dead network would."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.frozen = False
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"nats://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        self.writers += [writer, up_writer]
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            if not self.frozen:
                writer.write(data)
                await writer.drain()

    def freeze(self) -> None:
        self.frozen = True

    async def close(self) -> None:
        for writer in self.writers:
            writer.close()
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 2)


@pytest.mark.slow
async def test_a_relay_link_gone_silent_is_noticed_by_pings(strict, nats_server, tmp_path, running):
    proxy = SilentProxy(nats_server.port)
    running.closers.append(proxy.close)
    through_proxy = await proxy.start()
    relay = make_relay(running, relay_config(strict.url, nats_server.url), tmp_path / "relay", "relay-1")
    running.start(relay.run)
    await eventually(lambda: relay.leading.is_set() and relay.store.get("cursor:zendesk"), timeout=30)
    copy = Copy(running, relay_config(strict.url, through_proxy), tmp_path / "copy")
    await eventually(lambda: copy.feed.connected, timeout=15, what="the copy reads the relay")

    proxy.freeze()
    frozen = time.monotonic()
    bound = PING_SECONDS * (PINGS_UNANSWERED + 1) + 5
    await eventually(lambda: not copy.feed.connected, timeout=bound, what="the silent link is noticed")
    assert time.monotonic() - frozen < bound  # nats-py's defaults would take four minutes
