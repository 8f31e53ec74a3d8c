"""What every API client shares: timeouts, retries with backoff and jitter, Retry-After,
pacing by rate-limit headers, typed errors, and never a token in an error message."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import ipaddress
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from triage_tui.sources.errors import (
    AmbiguousWrite,
    AuthFailed,
    BadResponse,
    Conflict,
    InsecureUrl,
    NotFound,
    Offline,
    RateLimited,
    Rejected,
    ServerError,
)

log = logging.getLogger("triage_tui.http")
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
READS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Budget:
    """The rate-limit budget the service last reported: for Zendesk, the whole account's,
    shared by every engineer's copy; so each copy can see how busy the team is."""

    limit: int = 0
    remaining: int = 0
    reset_seconds: float = 60.0
    seen_at: float = 0.0  # monotonic

    @property
    def known(self) -> bool:
        return self.limit > 0

    def share_left(self) -> float:
        """Fraction of the window's budget still unused (1.0 when the service never said)."""
        return self.remaining / self.limit if self.limit > 0 else 1.0


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(source: str, url: str) -> str:
    """HTTPS for every host but loopback: a token must never cross a network in clear."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureUrl(source, f"{url!r} is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InsecureUrl(source, f"{url} uses plain http: only https is allowed for non-loopback hosts")
    return url.rstrip("/")


def retry_after_seconds(response: httpx.Response, now: dt.datetime | None = None) -> float | None:
    """Retry-After as seconds or an HTTP date; incident.io puts an HTTP date in the body."""
    value = response.headers.get("retry-after")
    if value is None:
        try:
            value = response.json().get("rate_limit", {}).get("retry_after")
        except (ValueError, AttributeError):
            value = None
    if value is None:
        return None
    value = str(value).strip()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


class ServiceClient:
    """One service's HTTP session. `sleep` and `clock` are injectable for tests."""

    def __init__(
        self,
        source: str,
        base_url: str,
        headers: dict[str, str],
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 15.0,
        max_retries: int = 4,
        max_wait: float = 120.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.base_url = check_base_url(source, base_url)
        self.max_retries = max_retries
        self.max_wait = max_wait
        self._sleep = sleep
        self._clock = clock
        self._pace_until = 0.0
        self.requests_made = 0
        self.budget = Budget()
        self.rate_limited_until = 0.0  # monotonic: a 429 said to wait until then
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"User-Agent": "triage-tui", "Accept": "application/json", **headers},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def limited_for(self) -> float:
        """Seconds until the last 429's Retry-After runs out (0 when not limited)."""
        return max(0.0, self.rate_limited_until - self._clock())

    def _backoff(self, attempt: int) -> float:
        return min(30.0, 0.5 * 2**attempt) * (0.5 + random.random() / 2)

    def _pace(self, response: httpx.Response) -> bool:
        """Slow down before the limit, not after: spread what is left over the window.
        Returns whether the response reported the budget."""
        headers = response.headers
        limit = headers.get("x-rate-limit") or headers.get("ratelimit-limit") or headers.get("x-ratelimit-limit")
        remaining = (
            headers.get("x-rate-limit-remaining")
            or headers.get("ratelimit-remaining")
            or headers.get("x-ratelimit-remaining")
        )
        try:
            limit_n, remaining_n = int(limit or 0), int(remaining or 0)
        except ValueError:
            return False
        if limit_n <= 0 or remaining is None:
            return False
        try:
            reset = float(headers.get("ratelimit-reset") or 60)
        except ValueError:
            reset = 60.0
        self.budget = Budget(limit_n, remaining_n, reset, self._clock())
        if remaining_n < max(2, limit_n // 10):
            self._pace_until = self._clock() + reset / max(1, remaining_n + 1)
        return True

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        accept: tuple[int, ...] = (),
        retry_reads_when_limited: bool = True,
        retries: int | None = None,
        paced: bool = True,
    ) -> httpx.Response:
        """Send with retries. Statuses in `accept` (e.g. 304) are returned, not raised.

        A poll passes `retry_reads_when_limited=False`: its scheduler decides when to come
        back after a 429, with jitter, rather than holding a request open. Something a person
        waits on passes fewer `retries` and `paced=False`: an answer soon, even "failed",
        beats a minute of "searching", and one request does not empty the team's budget."""
        where = f"{method} {urlsplit(path).path}"
        last = self.max_retries if retries is None else min(retries, self.max_retries)
        for attempt in range(last + 1):
            # Reads slow down before the limit; a write goes at once, since what the user
            # did must not wait behind the team's polling (the account keeps headroom for it).
            wait = self._pace_until - self._clock()
            if wait > 0 and method in READS and paced:
                await self._sleep(min(wait, self.max_wait))
            try:
                self.requests_made += 1
                response = await self._client.request(method, path, params=params, json=json_body, headers=headers)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # Nothing reached the server: safe to retry any method.
                if attempt == last:
                    raise Offline(self.source, f"{where}: cannot connect ({type(exc).__name__})") from None
                await self._sleep(self._backoff(attempt))
                continue
            except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                if method not in IDEMPOTENT:
                    # The server may have acted: the caller must check before resending.
                    raise AmbiguousWrite(
                        self.source, f"{where}: no answer after sending ({type(exc).__name__})"
                    ) from None
                if attempt == last:
                    raise Offline(self.source, f"{where}: no answer ({type(exc).__name__})") from None
                await self._sleep(self._backoff(attempt))
                continue
            except httpx.HTTPError as exc:
                raise Offline(self.source, f"{where}: {type(exc).__name__}") from None
            budget_seen = self._pace(response)
            status = response.status_code
            if status < 300 or status in accept:
                return response
            if status == 429:
                delay = retry_after_seconds(response)
                delay = self._backoff(attempt) if delay is None else delay
                if not (budget_seen and self.budget.remaining > 0):
                    # The account's budget is spent. (A 429 whose headers show the account
                    # still has requests left is one endpoint's own limit, such as deleted
                    # tickets' 10 a minute: the other endpoints may go on.)
                    self.rate_limited_until = self._clock() + delay
                if attempt == last or delay > self.max_wait or (method in READS and not retry_reads_when_limited):
                    raise RateLimited(self.source, f"{where}: rate limited", retry_after=delay)
                # Spread the retries: every copy of a team told "wait 12 s" must not come
                # back in the same second and empty the next window at once.
                delay += random.uniform(0.0, min(5.0, 0.25 * delay + 0.5))
                log.info("%s rate limited; waiting %.1fs", self.source, delay)
                await self._sleep(delay)
                continue
            if status >= 500:
                if attempt == last:
                    raise ServerError(self.source, f"{where}: server error {status}", status=status)
                await self._sleep(self._backoff(attempt))
                continue
            raise self._client_error(where, response)
        raise ServerError(self.source, f"{where}: gave up", status=0)  # pragma: no cover - loop always returns

    def _client_error(self, where: str, response: httpx.Response) -> Exception:
        status = response.status_code
        detail = _short_detail(response)
        if status in (401, 403):
            return AuthFailed(self.source, f"{where}: not authorised ({status}){detail}")
        if status == 404:
            return NotFound(self.source, f"{where}: not found")
        if status == 409:
            return Conflict(self.source, f"{where}: conflict{detail}")
        return Rejected(self.source, f"{where}: rejected ({status}){detail}", status=status)

    async def get_json(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        poll: bool = False,
        retries: int | None = None,
        paced: bool = True,
    ) -> Any:
        response = await self.request(
            "GET", path, params=params, retry_reads_when_limited=not poll, retries=retries, paced=paced
        )
        return decode_json(self.source, response)


def _short_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("description", "message", "error"):
            if isinstance(body.get(key), str):
                return ": " + body[key][:160]
    return ""


def decode_json(source: str, response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError, UnicodeDecodeError):
        kind = response.headers.get("content-type", "unknown content")
        raise BadResponse(source, f"{response.request.method} {response.request.url.path}: not JSON ({kind})") from None
