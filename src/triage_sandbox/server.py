"""The loopback server: one base URL speaking Zendesk (/api/v2), incident.io (/v1, /v2) and
GitHub (/repos, /user), with real auth checks, rate-limit headers, 429 budgets and faults."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from triage_sandbox import auth, github_api, incidentio_api, limits, pages
from triage_sandbox.activity import Activity
from triage_sandbox.data import edit_default_view
from triage_sandbox.faults import Fault, FaultPlan
from triage_sandbox.http import Request, Response, Router
from triage_sandbox.settings import SandboxSettings
from triage_sandbox.state import SandboxState
from triage_sandbox.throttle import Throttle
from triage_sandbox.zendesk import api as zendesk_api
from triage_sandbox.zendesk.replies import NOT_FOUND


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
        self.throttle = Throttle(self.settings, lambda: self.clock())

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
        if not auth.authenticate(self.state, self.settings, service, request):
            return auth.unauthorised(service)
        fault = self.faults.draw()
        if fault is not None:
            early = self.inject(service, fault)
            if early is not None:
                return early
        limited = self.throttle.rate_limit(service, request)
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

    # -- roles and faults -----------------------------------------------------------------
    def is_admin(self, request: Request) -> bool:
        """The rule in `limits`: the persona, or the authenticated user's own role."""
        return self.settings.persona == "admin" or (request.user or {}).get("role") == "admin"

    def inject(self, service: str, fault: Fault) -> Response | None:
        if fault.kind == "429":
            return self.throttle.too_many(service, 1)
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
