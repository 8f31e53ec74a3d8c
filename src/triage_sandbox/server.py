"""The loopback server: one base URL speaking Zendesk (/api/v2), incident.io (/v1, /v2) and
GitHub (/repos, /user), with real auth checks, rate-limit headers, 429 budgets and faults."""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from triage_sandbox import github_api, incidentio_api, limits, pages
from triage_sandbox.activity import Activity
from triage_sandbox.data import edit_default_view
from triage_sandbox.faults import Fault, FaultPlan
from triage_sandbox.http import Request, Response, Router
from triage_sandbox.settings import Budget, SandboxSettings
from triage_sandbox.state import SandboxState
from triage_sandbox.zendesk import api as zendesk_api
from triage_sandbox.zendesk.replies import NOT_FOUND

ACCOUNT = ("account",)  # the key of the account-wide Zendesk budget


class SandboxApp:
    """Dispatches a `Request` to the right API; no sockets here, so tests can call it too.

    `now` (wall-clock datetimes: data, search lag) and `clock` (seconds: budgets) can be
    replaced at any time; everything reads them through the app.
    """

    def __init__(
        self,
        state: SandboxState,
        settings: SandboxSettings | None = None,
        faults: FaultPlan | None = None,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.state = state
        self.settings = settings or SandboxSettings()
        if self.settings.edit_default_view:
            support = next((g["id"] for g in state.groups.values() if g.get("name") == "Support"), 0)
            edit_default_view(list(state.views.values()), support)
        self.faults = faults or FaultPlan([])
        self.now: Callable[[], dt.datetime] = now or (lambda: dt.datetime.now(dt.UTC))
        self.base_url = ""
        self.clock: Callable[[], float] = time.monotonic
        self.zendesk = zendesk_api.build(state, lambda: self.base_url, lambda: self.now(), self.settings)
        self.incidentio = incidentio_api.build(state, lambda: self.now(), self.links_url)
        self.github = github_api.build(state, lambda: self.base_url, lambda: self.now(), self.links_url)
        self.budgets = limits.Budgets(lambda: self.clock())
        self.incidentio_budget = Budget(self.settings.incidentio_per_minute)
        self.github_remaining = self.settings.github_per_hour
        self.github_search_budget = Budget(self.settings.github_search_per_minute)

    def links_url(self) -> str:
        """Where the records' web links point: the sandbox itself, or "" (as seeded)."""
        return self.base_url if self.settings.own_links else ""

    def service_of(self, path: str) -> str | None:
        if path.startswith("/api/v2/"):
            return "zendesk"
        if path.startswith(("/v1/", "/v2/")):
            return "incidentio"
        if path.startswith(("/repos/", "/search/")) or path == "/user":
            return "github"
        return None

    def handle(self, request: Request) -> Response:
        service = self.service_of(request.path)
        if request.path in ("/", "/health"):
            return Response(200, {"sandbox": "triage-tui", "apis": ["zendesk", "incidentio", "github"]})
        if request.method == "GET" and pages.is_page(request.path):
            return pages.page(self.state, request.path)  # the links the app copies (`u`)
        if service is None:
            return Response(404, {"error": "RecordNotFound", "description": "Not found"})
        with self.state.lock:
            self.state.requests[f"{service} {request.method} {request.path}"] += 1
        if not self.authenticate(service, request):
            return self.unauthorised(service)
        fault = self.faults.draw()
        if fault is not None:
            early = self.inject(service, fault)
            if early is not None:
                return early
        limited = self.rate_limit(service, request)
        if limited.status == 429:
            return limited
        if (
            service == "zendesk"
            and not self.is_admin(request)
            and limits.admin_only(request.method, request.path.removesuffix(".json"))
        ):
            return Response(403, dict(limits.FORBIDDEN), dict(limited.headers))
        router: Router = getattr(self, service)
        found = router.match(request.method, request.path)
        if found is None:
            return Response(404, NOT_FOUND if service == "zendesk" else {"message": "Not Found"}, dict(limited.headers))
        handler, params = found
        request.params = params
        try:
            response = handler(request)
        except (KeyError, ValueError, TypeError) as exc:
            response = Response(400, {"error": "InvalidValue", "description": f"bad request: {type(exc).__name__}"})
        response.headers.update(limited.headers)
        return response

    # -- auth ---------------------------------------------------------------------------
    def is_admin(self, request: Request) -> bool:
        """The rule in `limits`: the persona, or the authenticated user's own role."""
        return self.settings.persona == "admin" or (request.user or {}).get("role") == "admin"

    def authenticate(self, service: str, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        token = self.settings.token
        if service == "zendesk":
            if not header.startswith("Basic "):
                return False
            try:
                decoded = base64.b64decode(header[6:]).decode()
            except (ValueError, UnicodeDecodeError):
                return False
            user_part, _, secret = decoded.partition(":")
            if not user_part.endswith("/token") or secret != token:
                return False
            email_address = user_part.removesuffix("/token").lower()
            with self.state.lock:
                agent = next(
                    (
                        u
                        for u in self.state.users.values()
                        if (u.get("email") or "").lower() == email_address and u.get("role") in ("agent", "admin")
                    ),
                    None,
                )
            request.user = agent
            return agent is not None
        if service == "incidentio":
            return header == f"Bearer {token}"
        return header in (f"Bearer {token}", f"token {token}")

    def unauthorised(self, service: str) -> Response:
        if service == "zendesk":
            return Response(401, {"error": "Couldn't authenticate you"})
        if service == "incidentio":
            return incidentio_api.error(401, "authentication_error", "The API key you've provided is invalid")
        return Response(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})

    # -- limits and faults ----------------------------------------------------------------
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

    def inject(self, service: str, fault: Fault) -> Response | None:
        if fault.kind == "429":
            return self.too_many(service, 1)
        if fault.kind in ("500", "502", "503"):
            return Response(
                int(fault.kind), "<html><body><h1>Service Unavailable</h1></body></html>", {"Content-Type": "text/html"}
            )
        if fault.kind == "stall":
            time.sleep(fault.seconds)
            return None
        if fault.kind == "reset":
            return Response(0, reset=True)
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer (a killed process, a reset) is not news."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, OSError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    app: SandboxApp
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the demo owns the terminal
        pass

    def setup(self) -> None:
        super().setup()
        self.server.connections.add(self.connection)  # type: ignore[attr-defined]

    def finish(self) -> None:
        self.server.connections.discard(self.connection)  # type: ignore[attr-defined]
        super().finish()

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                body = None
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        multi: dict[str, list[str]] = {}
        for key, value in pairs:
            multi.setdefault(key, []).append(value)
        request = Request(
            method=self.command,
            path=parts.path,
            query=dict(pairs),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            multi=multi,
        )
        response = self.app.handle(request)
        if response.reset:
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass
            self.close_connection = True
            self.connection.close()
            return
        payload = response.encoded()
        self.send_response(response.status)
        headers = {"Content-Type": response.content_type, **response.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _dispatch


class Sandbox:
    """Runs the server in a background thread: `with Sandbox(data) as sandbox: sandbox.url`."""

    def __init__(
        self,
        data: dict[str, Any],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        settings: SandboxSettings | None = None,
        faults: FaultPlan | None = None,
        activity_seconds: float = 0.0,
    ) -> None:
        self.state = SandboxState(data)
        self.app = SandboxApp(self.state, settings, faults)
        handler = type("SandboxHandler", (_Handler,), {"app": self.app})
        self.server = _Server((host, port), handler)
        self.server.connections = set()  # type: ignore[attr-defined]
        host_name, bound_port = self.server.server_address[:2]
        if isinstance(host_name, bytes):  # AF_INET gives str; typeshed allows bytes
            host_name = host_name.decode()
        self.url = f"http://{host_name}:{bound_port}"
        self.app.base_url = self.url
        self._thread: threading.Thread | None = None
        self.activity = Activity(self.state, activity_seconds, lambda: self.app.now()) if activity_seconds > 0 else None

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox", daemon=True
        )
        self._thread.start()
        if self.activity:
            self.activity.start()
        return self

    def stop(self) -> None:
        if self.activity:
            self.activity.stop()
        self.server.shutdown()
        self.server.server_close()
        # A stopped sandbox is gone for real: kept-alive connections are cut too.
        for connection in list(self.server.connections):  # type: ignore[attr-defined]
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
