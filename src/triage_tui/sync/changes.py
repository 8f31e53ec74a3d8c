"""Which view tells this copy what changed, and the high-water stamps of a poll.

Pure decisions, kept apart from the poller so they can be tested without a server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from triage_tui.triage.sla import parse_time

# Zendesk's default view of every ticket touched lately, solved ones included: what a
# poll needs to see a colleague's reply, reassignment or solve.
RECENTLY_UPDATED = "recently updated tickets"
# Views read tickets as they are now; a small overlap covers changes within the same
# second as the last one seen.
VIEW_OVERLAP = dt.timedelta(seconds=60)
# Search "can take up to a few minutes" to index a change (Zendesk's Search reference):
# whatever it returns is re-read from this far back.
SEARCH_LAG = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class ChangeFeed:
    """Where this copy reads changes from, and why (shown by `doctor`)."""

    view_id: int | None
    why: str

    @property
    def by_search(self) -> bool:
        return self.view_id is None


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


def _shows_solved(view: dict[str, Any]) -> bool:
    """A view whose status conditions let solved tickets through (status < closed, or none)."""
    conditions = view.get("conditions") or {}
    rules = [c for c in (conditions.get("all") or []) if isinstance(c, dict) and c.get("field") == "status"]
    if not rules:
        return False  # unknown shape: only a view we can reason about is trusted
    for rule in rules:
        operator, value = rule.get("operator"), str(rule.get("value") or "")
        if operator == "less_than" and value != "closed":
            return False
        if operator == "is" and value != "solved":
            return False
        if operator not in ("less_than", "is", "is_not", "greater_than"):
            return False
        if operator == "is_not" and value == "solved":
            return False
    return True


def choose_feed(views: list[dict[str, Any]], configured: int | None = None) -> ChangeFeed:
    """The configured view, else Zendesk's "Recently updated tickets", else any active view
    that includes solved tickets; with none, search (which indexes minutes late)."""
    active = [v for v in views if v.get("active", True) and isinstance(v.get("id"), int)]
    if configured is not None:
        if any(v["id"] == configured for v in active):
            return ChangeFeed(configured, f"view {configured} from [zendesk] changes_view")
        return ChangeFeed(
            None, f"[zendesk] changes_view = {configured} is not an active view you can see; using search"
        )
    for view in active:
        if str(view.get("title") or "").strip().lower() == RECENTLY_UPDATED:
            return ChangeFeed(view["id"], f"view {view['id']} {view.get('title')!r}")
    for view in active:
        if _shows_solved(view):
            return ChangeFeed(view["id"], f"view {view['id']} {view.get('title')!r} (shows solved tickets)")
    return ChangeFeed(None, "no view shows recently solved tickets; using search (changes arrive minutes late)")


def is_newer(candidate: str | None, cached: str | None) -> bool:
    """Whether a listed ticket's updated_at says the cached copy is out of date."""
    new, old = parse_stamp(candidate), parse_stamp(cached)
    if new is None:
        return True
    return old is None or new > old


def describe_mode(role: str | None, feed: ChangeFeed, zendesk_seconds: float, deletions_seconds: float) -> str:
    """What `doctor` says about how this copy keeps its queue current, and why."""
    who = {"admin": "admin token", "agent": "agent token"}.get(role or "", f"{role or 'unknown'} role")
    export = (
        "the incremental export is not used: it allows 10 requests a minute for the whole account"
        if role == "admin"
        else "the incremental export is admin-only"
    )
    source = f"changes from {feed.why}" if not feed.by_search else f"changes by search ({feed.why})"
    return f"{who}; {source} every {zendesk_seconds:g}s ±20%, deletions every {deletions_seconds:g}s; {export}"
