"""Where things live in JetStream: bucket and key names, shared by the relay and the copies.

No NATS import here: the read side (presence on screen) uses the store keys alone.

- `tickets_g<group id>` (`tickets_g0`: no group), key `t<ticket id>`: a ticket with the users
  and organization it names. One bucket per group, so NATS permissions on the bucket's API
  subjects decide who may read which group (a filter inside one bucket cannot be enforced:
  a client may create a consumer with any filter). A deletion, or a move to another group,
  is a KV delete in the old group's bucket.
- `ref`: groups, macros, views, ticket fields and the relay's cursor (for a copy that falls
  back to Zendesk: it polls from where the relay was).
- `relay`: `leader` (the lease: a message that ages out unless renewed) and `cursor` (where
  the leader stopped, for the next one).
- `presence`: `t<ticket id>.<copy id>`, what an engineer is doing on a ticket; ages out.
"""

from __future__ import annotations

REF = "ref"
STATE = "relay"
LEASE_KEY = "leader"
CURSOR_KEY = "cursor"
PRESENCE = "presence"
REFERENCE_LISTS = ("groups", "macros", "views", "ticket_fields")

PRESENCE_SECONDS = 30.0  # a colleague's entry ages out this long after its last refresh
PRESENCE_REFRESH = 10.0  # a copy re-announces what it is doing this often
PRESENCE_STORE_KEY = "relay:presence"  # in the copy's cache: {ticket id: {copy id: entry}}
PATH_KEY = "path"  # in the zendesk sync state: what feeds the queue ("relay" or "zendesk")


def group_bucket(group_id: int | None) -> str:
    return f"tickets_g{group_id or 0}"


def group_of_bucket(bucket: str) -> int | None:
    number = int(bucket.removeprefix("tickets_g"))
    return number or None


def ticket_key(ticket_id: int) -> str:
    return f"t{ticket_id}"


def ticket_of_key(key: str) -> int | None:
    return int(key[1:]) if key.startswith("t") and key[1:].isdigit() else None


def presence_key(ticket_id: int, copy_id: str) -> str:
    return f"t{ticket_id}.{copy_id}"
