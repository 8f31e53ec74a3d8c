"""`doctor`'s look at the relay: reachable, who leads, how far behind the account it is."""

from __future__ import annotations

import datetime as dt
import json

from nats.js.errors import BucketNotFoundError, KeyNotFoundError

from triage_tui.config import RelayConfig
from triage_tui.relay.connect import RelayConfigError, bucket, connect
from triage_tui.relay.lease import holder
from triage_tui.relay.names import CURSOR_KEY, REF
from triage_tui.relay.server import LEASE_BUCKET

# A leader polls every ~10 s (stretched when the account runs low): older than this is late.
LAG_WARNING = 120.0

Check = tuple[bool | None, str, str]


async def relay_checks(config: RelayConfig, secret: str | None) -> list[Check]:
    try:
        link = await connect(config, secret, name="triage-tui doctor")
    except RelayConfigError as exc:
        return [(False, "relay", str(exc))]
    except Exception as exc:  # noqa: BLE001 - unreachable, refused, TLS: reported, not raised
        return [(False, "relay", f"{config.url} unreachable: {type(exc).__name__}: {exc}".rstrip(": "))]
    checks: list[Check] = [(True, "relay", f"{config.url} reachable{f' as {config.user}' if config.user else ''}")]
    try:
        try:
            leader = await holder(await bucket(link.js, LEASE_BUCKET))
        except BucketNotFoundError:
            leader = None
        checks.append(
            (True, "relay leader", f"{leader.name} since {leader.since}")
            if leader
            else (False, "relay leader", "no relay holds the lease: start `triage-tui relay`")
        )
        try:
            entry = await (await bucket(link.js, REF)).get(CURSOR_KEY)
            cursor = json.loads(entry.value or b"{}")
        except (BucketNotFoundError, KeyNotFoundError):
            cursor = {}
        published = cursor.get("published_at")
        if published:
            lag = (dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(published)).total_seconds()
            checks.append(
                (
                    lag < LAG_WARNING or None,
                    "relay lag",
                    f"last read of Zendesk {lag:.0f} s ago (changes up to {cursor.get('high_water', '?')})",
                )
            )
        else:
            checks.append((None, "relay lag", "the relay has not published a read of Zendesk yet"))
    except Exception as exc:  # noqa: BLE001 - a refused or unanswered request: the user's permissions
        checks.append((False, "relay", f"cannot read the relay's buckets: {type(exc).__name__}: {exc}"))
    finally:
        await link.close()
    return checks
