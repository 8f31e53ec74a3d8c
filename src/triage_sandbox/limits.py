"""Who may call what, and how often: Zendesk's roles and per-account request budgets.

Roles. A Zendesk token belongs to a user; the sandbox treats the request as an **admin**
when `SandboxSettings.persona` is "admin" (every token is an admin's, as on a one-admin
account) or when the authenticated user's own `role` is "admin" (the seeded
`admin@example.com`). Everyone else is an **agent**, the default. Agents get 403 with
Zendesk's error body on the admin-only endpoints listed in `ADMIN_ONLY`.

Budgets. The sandbox is one Zendesk account: every client of it draws on the same budgets.
Each budget is a fixed window (`Window`) counted from its first request; a request is
allowed only when every budget it belongs to has room, and then it is counted in all of
them. A refused request is counted in none, so a client that honours `Retry-After` gets
its answer when the window turns. The global account budget is reported on every answer in
Zendesk's rate-limit headers.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

FORBIDDEN = {
    "error": "Forbidden",
    "description": "You do not have access to this page. "
    "Please contact the account owner of this help desk for further help.",
}

PLAN_PER_MINUTE = {"team": 200, "professional": 400, "enterprise": 700}

# Paths (without `.json`) that Zendesk's reference allows for admins only. Reads and writes
# alike: an agent token never reaches them.
ADMIN_ONLY = [
    re.compile(r"^/api/v2/incremental/.*$"),
    re.compile(r"^/api/v2/tickets$"),  # the account-wide list; per-user/org lists are for agents
    re.compile(r"^/api/v2/(group_)?slas/policies(/.*)?$"),
    re.compile(r"^/api/v2/ticket_audits$"),
    re.compile(r"^/api/v2/satisfaction_ratings(/.*)?$"),
    re.compile(r"^/api/v2/suspended_tickets(/.*)?$"),
    re.compile(r"^/api/v2/audit_logs(/.*)?$"),
]


def admin_only(method: str, path: str) -> bool:
    """True when an agent may not call `method path` (path without `.json`)."""
    if method == "POST" and path == "/api/v2/tickets":
        return False  # creating a ticket is for agents too; only the account-wide list is not
    return any(pattern.match(path) for pattern in ADMIN_ONLY)


# Ticket updates: "100 requests per minute per account, 30 updates per 10 minutes per user
# per ticket" (../shared/api/README.md). A single update and the tags endpoints (they update
# the ticket) count in both; `update_many` is one request in the account's ticket-update
# budget, whatever its ids (README, "Bulk": "One bulk request, not 100 updates").
BULK = "update_many"
_TICKET_WRITE = re.compile(r"^/api/v2/tickets/(?P<id>\d+)(?P<tags>/tags)?$")


def ticket_update(method: str, path: str) -> str | None:
    """Which ticket-update budget `method path` (without `.json`) counts in: the ticket id,
    BULK for update_many, None when it is no ticket update."""
    if method == "PUT" and path == "/api/v2/tickets/update_many":
        return BULK
    found = _TICKET_WRITE.match(path)
    if found is None:
        return None
    if method == "PUT" or (found["tags"] and method in ("POST", "DELETE")):
        return found["id"]
    return None


@dataclass
class Window:
    limit: int
    seconds: float
    start: float = 0.0
    used: int = 0
    started: bool = False

    def roll(self, now: float) -> None:
        if not self.started or now - self.start >= self.seconds:
            self.start, self.used, self.started = now, 0, True

    def reset_in(self, now: float) -> int:
        return max(1, int(self.seconds - (now - self.start) + 0.999))


class Budgets:
    """Named windows shared by every request; keys may carry a view, user or ticket id."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.windows: dict[tuple, Window] = {}
        self.lock = threading.Lock()

    def take(self, wanted: list[tuple[tuple, int, float]]) -> tuple[bool, int, dict[tuple, Window]]:
        """Count one request in every (key, limit, seconds) budget, or in none.

        Returns (allowed, retry_after seconds when refused, the windows by key).
        """
        with self.lock:
            now = self.clock()
            windows: dict[tuple, Window] = {}
            for key, limit, seconds in wanted:
                window = self.windows.get(key)
                if window is None or window.limit != limit or window.seconds != seconds:
                    window = self.windows[key] = Window(limit, seconds)
                window.roll(now)
                windows[key] = window
            full = [w for w in windows.values() if w.used >= w.limit]
            if full:
                return False, max(w.reset_in(now) for w in full), windows
            for window in windows.values():
                window.used += 1
            return True, 0, windows

    def snapshot(self, key: tuple) -> tuple[int, int, int]:
        """(limit, remaining, seconds to reset) of one budget, for the headers."""
        with self.lock:
            window = self.windows.get(key)
            if window is None:
                return 0, 0, 60
            now = self.clock()
            return window.limit, max(0, window.limit - window.used), window.reset_in(now)
