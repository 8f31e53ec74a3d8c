"""Which view tells this copy what changed, and the high-water stamps of a poll.

Pure decisions, kept apart from the poller so they can be tested without a server.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from triage_tui.sync.schedule import JITTER
from triage_tui.triage.sla import parse_time

# The tool's own personal view (agents may create them: spec CreateView, "Allowed For:
# Agents"): every ticket changed in the last 24 hours, solved ones included, newest change
# first and never grouped. It is found again by the marker in its description and by its
# owner, never by a title (default views' titles are dynamic content in the agent's
# language, and an admin may edit or deactivate them: README "Facts found ... 2026-12-07").
FEED_MARKER = "triage-tui:changes:v1"
FEED_TITLE = "triage-tui: recently changed tickets"
FEED_DESCRIPTION = f"Used by triage-tui to see what changed; edits are put back. [{FEED_MARKER}]"
FEED_CONDITIONS = (
    {"field": "status", "operator": "less_than", "value": "closed"},
    {"field": "updated_at", "operator": "less_than", "value": "24"},
)
# Views read tickets as they are now; a small overlap covers changes within the same
# second as the last one seen.
VIEW_OVERLAP = dt.timedelta(seconds=60)
# Search "can take up to a few minutes" to index a change (Zendesk's Search reference):
# whatever it returns is re-read from this far back.
SEARCH_LAG = dt.timedelta(minutes=5)
# A view's cursor is an offset: a read of several pages is repeated until a pass finds
# nothing the one before missed, at most this many times.
FEED_PASSES = 3


@dataclass(frozen=True)
class ChangeFeed:
    """Where this copy reads changes from, and why (shown by `doctor`)."""

    view_id: int | None
    why: str
    planned: bool = False  # the own view is not made yet: the next sync makes it (doctor)

    @property
    def by_search(self) -> bool:
        return self.view_id is None and not self.planned


def parse_stamp(text: str | None) -> dt.datetime | None:
    """A stamp from an API answer: None for a malformed one, UTC for one without a zone."""
    try:
        moment = parse_time(text)
    except ValueError:
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_view_body(user_id: int) -> dict[str, Any]:
    """The CreateView/UpdateView body of the tool's own feed, personal to `user_id`."""
    return {
        "view": {
            "title": FEED_TITLE,
            "description": FEED_DESCRIPTION,
            "active": True,
            "all": [dict(c) for c in FEED_CONDITIONS],
            "any": [],
            "output": {
                "columns": ["nice_id", "description", "status", "updated", "group", "assignee"],
                "group_by": None,
                "sort_by": "updated",
                "sort_order": "desc",
            },
            "restriction": {"type": "User", "id": user_id},
        }
    }


def is_own_feed(view: dict[str, Any], user_id: int) -> bool:
    """One of this agent's feed views: our marker, and personal to this agent."""
    restriction = view.get("restriction") or {}
    return (
        FEED_MARKER in str(view.get("description") or "")
        and isinstance(restriction, dict)
        and restriction.get("type") == "User"
        and str(restriction.get("id")) == str(user_id)
        and isinstance(view.get("id"), int)
    )


def _condition(c: Any) -> tuple[str, str, str]:
    c = c if isinstance(c, dict) else {}
    return (str(c.get("field")), str(c.get("operator")), str(c.get("value")))


def feed_is_intact(view: dict[str, Any]) -> bool:
    """Whether our feed view still has exactly the conditions and order it was made with
    (someone may have edited it in Zendesk's UI)."""
    conditions = view.get("conditions") or {}
    execution = view.get("execution") or {}
    return (
        view.get("active", True) is True
        and sorted(map(_condition, conditions.get("all") or [])) == sorted(map(_condition, FEED_CONDITIONS))
        and not (conditions.get("any") or [])
        and not execution.get("group_by")
    )


@dataclass(frozen=True)
class FeedPlan:
    """What to do with the agent's feed views as listed: keep one, delete the others,
    put its conditions back, or create it."""

    keep: int | None
    delete: tuple[int, ...] = ()
    repair: bool = False


def plan_feed(views: list[dict[str, Any]], user_id: int) -> FeedPlan:
    """Two copies starting together may each create one: the lowest id (the first made)
    is kept by every copy, the others deleted, so an agent ends with exactly one."""
    own = sorted((v for v in views if is_own_feed(v, user_id)), key=lambda v: v["id"])
    if not own:
        return FeedPlan(None)
    return FeedPlan(own[0]["id"], tuple(v["id"] for v in own[1:]), not feed_is_intact(own[0]))


def configured_feed(views: list[dict[str, Any]], configured: int) -> ChangeFeed:
    """`[zendesk] changes_view`: the user's choice, used as it is while it is active."""
    active = [v for v in views if v.get("active", True) and isinstance(v.get("id"), int)]
    if any(v["id"] == configured for v in active):
        return ChangeFeed(configured, f"view {configured} from [zendesk] changes_view")
    return ChangeFeed(None, f"[zendesk] changes_view = {configured} is not an active view you can see; using search")


def own_feed(view_id: int, made: bool = False) -> ChangeFeed:
    how = "created for you" if made else "found by its marker"
    return ChangeFeed(
        view_id,
        f"view {view_id}, triage-tui's own personal view ({how}): changed in 24 h, solved included, "
        "newest first, ungrouped; no title, language, grouping or admin's edit involved",
    )


def is_newer(candidate: str | None, cached: str | None) -> bool:
    """Whether a listed ticket's updated_at says the cached copy is out of date."""
    new, old = parse_stamp(candidate), parse_stamp(cached)
    if new is None:
        return True
    return old is None or new > old


def describe_mode(
    role: str | None,
    feed: ChangeFeed,
    zendesk_seconds: float,
    deletions_seconds: float,
    reconcile: str = "",
    deletions_refused: str | None = None,
) -> str:
    """What `doctor` says about how this copy keeps its queue current, and why."""
    who = {"admin": "admin token", "agent": "agent token"}.get(role or "", f"{role or 'unknown'} role")
    export = (
        "the incremental export is not used: it allows 10 requests a minute for the whole account"
        if role == "admin"
        else "the incremental export is admin-only"
    )
    source = f"changes from {feed.why}" if not feed.by_search else f"changes by search ({feed.why})"
    deletions = (
        f"deletions listed every {deletions_seconds:g}s"
        if deletions_refused is None
        else f"deletions may not be listed ({deletions_refused}): reconciliation finds them"
    )
    parts = [who, source, f"polled every {zendesk_seconds:g}s ±20%", deletions, reconcile, export]
    return "; ".join(part for part in parts if part)


# Reconciliation: tickets leave a queue without "changing" for it (merged: closed; moved to
# a group out of a restricted agent's reach; deleted without permission to list deletions).
# One pass every RECONCILE_SECONDS, its requests spread evenly over it, one a step. A small
# queue is read again whole through show_many (100 ids a request: exact, as tickets are now).
# A larger one is listed through search export (1000 ids a request: every unsolved ticket the
# token may see), and only the tickets shown that the listing leaves out, or lists newer than
# cached, are read through show_many: 5,000 shown cost 5 pages and one show_many, not 50.
RECONCILE_SECONDS = 600.0
SHOW_MANY = 100
EXPORT_PAGE = 1000
# A listing's requests come this far apart, then the pass waits out the rest of its time: a
# ghost waits for the next listing, not for one spread over a whole pass (spread, a simulated
# hour over 5,000 shown saw ghosts leave after a median 11 min, the worst 18). One copy asks
# search export at most 4 times in a minute, 4% of the 100 a minute the account has for it.
LISTING_STEP = 15.0
# A listing's cursor "expires after one hour" (spec ExportSearchResults): a listing begun
# longer ago than this (a laptop shut mid-pass) is begun again rather than continued.
LISTING_EXPIRES = dt.timedelta(minutes=50)


def reconcile_by_listing(shown: int) -> bool:
    """Whether listing (its pages, then one show_many of what it left out) costs fewer
    requests a pass than reading every ticket shown: from 201 tickets on."""
    return math.ceil(shown / EXPORT_PAGE) + 1 < math.ceil(shown / SHOW_MANY)


def reconcile_requests(shown: int) -> int:
    """Requests (and steps) one pass over `shown` tickets costs. Listing: its pages and one
    show_many, which asks nothing when the listing left nothing out."""
    if reconcile_by_listing(shown):
        return math.ceil(shown / EXPORT_PAGE) + 1
    return max(1, math.ceil(shown / SHOW_MANY))


def reconcile_step(shown: int, seconds: float = RECONCILE_SECONDS, *, listing: bool = False) -> float:
    """Seconds until the next step of a pass, so that a pass takes `seconds`. A small queue's
    reads are spread evenly over it; a listing's requests (`listing`: one is under way) come
    LISTING_STEP apart, and the wait after its last is the rest of the pass."""
    if not reconcile_by_listing(shown):
        return seconds / reconcile_requests(shown)
    if listing:
        return LISTING_STEP
    return max(LISTING_STEP, seconds - LISTING_STEP * (reconcile_requests(shown) - 1))


def describe_reconcile(shown: int, seconds: float = RECONCILE_SECONDS) -> str:
    requests = reconcile_requests(shown)
    cost = f"({requests} request{'s' if requests != 1 else ''} a pass, {requests * 60 / seconds:.1f} a minute)"
    once = seconds * (1 + JITTER) / 60
    if reconcile_by_listing(shown):
        listing = (requests - 1) * LISTING_STEP * (1 + JITTER) / 60
        return (
            f"reconciliation lists the unsolved tickets through search export every {seconds / 60:g} min and "
            f"re-reads the ones of the {shown:,} shown it leaves out through show_many {cost}: merged, closed, "
            f"moved-out-of-reach and deleted tickets leave within {once + listing:g} min of search indexing "
            "the change"
        )
    return (
        f"reconciliation re-reads the {shown:,} tickets shown through show_many every {seconds / 60:g} min "
        f"{cost}: merged, closed, moved-out-of-reach and deleted tickets leave within {once:g} min"
    )
