"""Connecting to the team's NATS server: the URL rule (TLS off loopback), the credentials,
the per-user inbox, and buckets looked up or made.

No Zendesk token ever goes this way: the relay publishes tickets, never credentials, and a
copy authenticates to NATS with its own relay password (or token).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import nats
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError
from nats.js.kv import KeyValue

from triage_tui.config import RelayConfig

CONNECT_TIMEOUT = 2.0
CLOSE_TIMEOUT = 2.0  # closing a link to a server that went away must not hold up a stop
API_TIMEOUT = 3.0  # a JetStream request (a bucket's info, a put); a forbidden one never answers
# A link that dies without a word (a laptop's Wi-Fi, a dropped VPN) is found by pings: nats-py's
# defaults (every 120 s, two unanswered) would keep a copy on a dead relay for four minutes,
# past `fallback_seconds`; every 10 s, three unanswered, finds it in about 30.
PING_SECONDS = 10
PINGS_UNANSWERED = 3
SECURE_SCHEMES = ("tls", "wss")


class RelayConfigError(Exception):
    """A relay setting that cannot work, as the one line the user should read."""


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> list[str]:
    """The server URLs (comma-separated), each refused unless it is TLS or on loopback."""
    servers = [part.strip() for part in url.split(",") if part.strip()]
    if not servers:
        raise RelayConfigError("relay.url is empty")
    for server in servers:
        parts = urlsplit(server)
        if parts.scheme not in ("nats", "tls", "ws", "wss") or not parts.hostname:
            raise RelayConfigError(f"relay.url {server!r}: expected nats://host:port or tls://host:port")
        if parts.username or parts.password:
            raise RelayConfigError(
                "relay.url carries credentials: set relay.user, and the password with `triage-tui auth set relay` "
                "or TRIAGE_RELAY_TOKEN"
            )
        if parts.scheme not in SECURE_SCHEMES and not _loopback(parts.hostname):
            raise RelayConfigError(
                f"relay.url {server!r} is not on this machine and not TLS: use tls://{parts.hostname}"
                f"{':' + str(parts.port) if parts.port else ''} (tickets would cross the network in clear)"
            )
    return servers


def inbox_prefix(user: str) -> str:
    """Replies and watched entries arrive under the user's own inbox, so the server config can
    let each user subscribe to its inbox only (README "Running a relay")."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "_", user) or "anonymous"
    return f"_INBOX_{cleaned}"


@dataclass
class Link:
    """One connection and its JetStream context."""

    nc: Any
    js: JetStreamContext

    async def close(self) -> None:
        # Closing a dead connection must not mask why it died.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.nc.close(), CLOSE_TIMEOUT)


async def connect(
    config: RelayConfig,
    secret: str | None,
    *,
    name: str,
    on_lost: Callable[[], Awaitable[None]] | None = None,
) -> Link:
    """Connect once (no automatic reconnection: the caller decides what a lost link means,
    the relay to give up its lease, a copy to count towards falling back)."""
    servers = check_url(config.url)
    options: dict[str, Any] = {
        "servers": servers,
        "name": name,
        "connect_timeout": CONNECT_TIMEOUT,
        "allow_reconnect": False,
        "max_reconnect_attempts": 1,  # each server tried twice, then NoServersError (0 means forever)
        "reconnect_time_wait": 0.5,
        "ping_interval": PING_SECONDS,
        "max_outstanding_pings": PINGS_UNANSWERED,
        "inbox_prefix": inbox_prefix(config.user),
    }
    if config.user:
        options["user"], options["password"] = config.user, secret or ""
    elif secret:
        options["token"] = secret
    if any(urlsplit(s).scheme in SECURE_SCHEMES for s in servers):
        options["tls"] = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)

    async def quiet(_: Exception) -> None:
        return None  # errors are raised where they matter (a request times out, a put fails)

    async def closed() -> None:
        if on_lost is not None:
            await on_lost()

    options["error_cb"] = quiet
    options["disconnected_cb"] = closed
    options["closed_cb"] = closed
    nc = await nats.connect(**options)
    return Link(nc, nc.jetstream(timeout=API_TIMEOUT))


async def bucket(js: JetStreamContext, name: str, *, create: bool = False, ttl: float | None = None) -> KeyValue:
    """The bucket; made when `create` (the relay) and absent. A copy never creates one."""
    try:
        return await js.key_value(name)
    except BucketNotFoundError:
        if not create:
            raise
    config = KeyValueConfig(bucket=name, history=1, storage=StorageType.FILE, ttl=ttl)
    return await js.create_key_value(config=config)
