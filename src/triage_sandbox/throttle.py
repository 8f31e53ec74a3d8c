"""The services' rate limits: Zendesk's account and endpoint budgets (in `limits`), incident.io's
per-key minute, GitHub's hour and its search minute; the headers each sends, and its 429."""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from triage_sandbox import limits
from triage_sandbox.http import Request, Response
from triage_sandbox.settings import SandboxSettings

ACCOUNT = ("account",)  # the key of the account-wide Zendesk budget


@dataclass
class Budget:
    """A per-minute request budget (incident.io's per-key limit)."""

    limit: int
    window_start: float = 0.0
    used: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, clock: Callable[[], float]) -> tuple[bool, int, int]:
        """(allowed, remaining, seconds until the window resets)."""
        with self.lock:
            current = clock()
            if current - self.window_start >= 60:
                self.window_start, self.used = current, 0
            reset = max(1, int(60 - (current - self.window_start)))
            if self.used >= self.limit:
                return False, 0, reset
            self.used += 1
            return True, self.limit - self.used, reset


class Throttle:
    """Every budget of one sandbox, counted on `clock` (seconds), which the app may replace."""

    def __init__(self, settings: SandboxSettings, clock: Callable[[], float]) -> None:
        self.settings = settings
        self.clock = clock
        self.budgets = limits.Budgets(clock)
        self.incidentio_budget = Budget(settings.incidentio_per_minute)
        self.github_remaining = settings.github_per_hour
        self.github_search_budget = Budget(settings.github_search_per_minute)

    def too_many(self, service: str, retry_after: int) -> Response:
        if service == "zendesk":
            return Response(
                429, "Number of allowed API requests per minute exceeded", {"Retry-After": str(retry_after)}
            )
        if service == "incidentio":
            when = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=retry_after), usegmt=True)
            return Response(
                429,
                {
                    "type": "rate_limited",
                    "status": 429,
                    "rate_limit": {"name": "api_key", "limit": 1200, "remaining": 0, "retry_after": when},
                },
            )
        return Response(
            429, {"message": "API rate limit exceeded"}, {"Retry-After": str(retry_after), "x-ratelimit-remaining": "0"}
        )

    def zendesk_budgets(self, request: Request) -> list[tuple[tuple, int, float]]:
        """Every budget one Zendesk request counts in: the account's, and its endpoint's."""
        settings = self.settings
        path = request.path.removesuffix(".json")
        user_id = (request.user or {}).get("id")
        wanted: list[tuple[tuple, int, float]] = [(ACCOUNT, settings.account_per_minute, 60.0)]
        if path.startswith("/api/v2/incremental/"):
            wanted.append((("incremental",), settings.incremental_per_minute, 60.0))
        elif path == "/api/v2/search/export":
            wanted.append((("search_export",), settings.search_export_per_minute, 60.0))
        elif path == "/api/v2/views/count_many":
            wanted.append((("views_count_many",), settings.views_count_many_per_minute, 60.0))
        elif path == "/api/v2/deleted_tickets":
            wanted.append((("deleted_tickets",), settings.deleted_tickets_per_minute, 60.0))
        elif request.method == "GET" and path.startswith("/api/v2/views/") and path.endswith(("/count", "/execute")):
            view_id = path.split("/")[4]
            wanted.append((("view", view_id, user_id), settings.view_per_minute, 60.0))
        else:
            updated = limits.ticket_update(request.method, path)
            if updated is not None:
                wanted.append((("ticket_updates",), settings.ticket_updates_per_minute, 60.0))
            if updated not in (None, limits.BULK):
                wanted.append(
                    (
                        ("ticket_update", user_id, updated),
                        settings.ticket_updates_per_ticket,
                        settings.ticket_updates_per_ticket_seconds,
                    )
                )
        return wanted

    def account_headers(self) -> dict[str, str]:
        """Zendesk's rate-limit headers, about the account budget (as in the recorded answers)."""
        limit, remaining, reset = self.budgets.snapshot(ACCOUNT)
        limit = limit or self.settings.account_per_minute
        return {
            "x-rate-limit": str(limit),
            "x-rate-limit-remaining": str(remaining),
            "ratelimit-limit": str(limit),
            "ratelimit-remaining": str(remaining),
            "ratelimit-reset": str(reset),
        }

    def rate_limit(self, service: str, request: Request) -> Response:
        if service == "zendesk":
            allowed, retry_after, _ = self.budgets.take(self.zendesk_budgets(request))
            headers = self.account_headers()
            if allowed:
                return Response(200, headers=headers)
            refused = self.too_many(service, retry_after)
            refused.headers.update(headers)
            return refused
        if service == "incidentio":
            allowed, _, reset = self.incidentio_budget.take(self.clock)
            return Response(200) if allowed else self.too_many(service, reset)
        if request.path.startswith("/search/"):
            # GitHub's search has its own budget (30 a minute for a token), apart from the
            # 5,000 an hour; over it, GitHub answers 403 or 429: the sandbox says 429.
            allowed, remaining, reset = self.github_search_budget.take(self.clock)
            search_headers = {
                "x-ratelimit-limit": str(self.settings.github_search_per_minute),
                "x-ratelimit-remaining": str(remaining),
                "x-ratelimit-resource": "search",
            }
            if allowed:
                return Response(200, headers=search_headers)
            refused = self.too_many(service, reset)
            refused.headers["x-ratelimit-resource"] = "search"
            return refused
        conditional = "if-none-match" in request.headers
        if not conditional:  # GitHub: a conditional request answered 304 costs nothing; approximated
            self.github_remaining = max(0, self.github_remaining - 1)
        headers = {
            "x-ratelimit-limit": str(self.settings.github_per_hour),
            "x-ratelimit-remaining": str(self.github_remaining),
        }
        return Response(200, headers=headers) if self.github_remaining > 0 else self.too_many(service, 60)
