"""Exactly one relay reads Zendesk: a lease in a JetStream KV bucket whose entries age out.

The leader creates the `leader` key (create fails when it exists) and renews it with a
revision-checked update a few times per lease; a relay that dies stops renewing, the
server drops the entry after the lease, and the next candidate's create succeeds. Time is
the server's (the bucket's max age), so relays on machines with skewed clocks agree.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from triage_tui.relay.names import LEASE_KEY


@dataclass
class Holder:
    name: str
    since: str


class Lease:
    def __init__(self, kv: KeyValue, name: str) -> None:
        self.kv = kv
        self.name = name
        self.revision: int | None = None
        self.since = ""

    @property
    def held(self) -> bool:
        return self.revision is not None

    def _payload(self) -> bytes:
        return json.dumps({"name": self.name, "since": self.since}).encode()

    async def try_acquire(self) -> bool:
        if self.held:
            return await self.renew()
        self.since = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            self.revision = await self.kv.create(LEASE_KEY, self._payload())
        except KeyWrongLastSequenceError:
            return False
        return True

    async def renew(self) -> bool:
        """False when the lease was lost (it aged out and another relay took it)."""
        if self.revision is None:
            return False
        try:
            self.revision = await self.kv.update(LEASE_KEY, self._payload(), last=self.revision)
        except KeyWrongLastSequenceError:
            self.revision = None
            return False
        return True

    async def release(self) -> None:
        """On a clean stop the next relay need not wait out the lease."""
        if self.revision is None:
            return
        revision, self.revision = self.revision, None
        try:
            await self.kv.delete(LEASE_KEY, last=revision)
        except KeyWrongLastSequenceError:
            pass


async def holder(kv: KeyValue) -> Holder | None:
    try:
        entry = await kv.get(LEASE_KEY)
    except KeyNotFoundError:
        return None
    if not entry.value:
        return None
    data = json.loads(entry.value)
    return Holder(str(data.get("name", "?")), str(data.get("since", "")))
