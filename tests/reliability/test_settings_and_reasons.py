"""Bad settings and rejected tokens say where the problem is and what fixes it; doctor
waits out one short 429; quitting with queued writes says they are kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from tests.conftest import FROZEN_NOW, Closing, sandbox_config
from tests.helpers import Engine
from triage_tui.secrets import Token
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox, queued_message
from triage_tui.sync.clients import build_clients
from triage_tui.sync.engine import SyncEngine
from triage_tui.sync.ticket_ref import TicketRef


def test_auth_set_without_a_keyring_says_so_before_asking_for_the_token():
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = subprocess.run(
        [sys.executable, "-m", "triage_tui", "auth", "set", "zendesk"],
        input="a-token\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "input hidden" not in result.stdout + result.stderr  # never prompted
    assert (
        result.stderr.count("\n") == 1 and "TRIAGE_ZENDESK_TOKEN" in result.stderr and "Traceback" not in result.stderr
    )


# -- a rejected token: the reason stays in the sync state ---------------------------------
async def test_a_rejected_token_leaves_a_reason_that_names_the_fix(sandbox, tmp_path, closing: Closing):
    directory = tmp_path / "cache"
    config = sandbox_config(sandbox.url)
    bad = {name: Token(name, "wrong-token-value", "test") for name in ("zendesk", "incidentio", "github")}
    store, outbox = Store(directory), Outbox(directory)
    clients = closing(build_clients(config, bad, max_retries=0, timeout=5))
    engine = SyncEngine(config, store, outbox, clients, now=lambda: FROZEN_NOW)
    report = await engine.poll("zendesk")
    assert report.error and "401" in report.error
    store.close()
    outbox.close()
    # Another process (the status line after the toast went, a restart) still knows why.
    again = Store(directory)
    reason = again.sync_reason("zendesk")
    assert reason == "401: token rejected; run `triage-tui auth set zendesk` (or fix TRIAGE_ZENDESK_TOKEN)"
    assert again.sync_state("zendesk")["reason"] == reason
    assert "wrong-token-value" not in json.dumps(again.sync_state("zendesk"))
    again.mark_synced("zendesk", FROZEN_NOW)
    assert again.sync_reason("zendesk") is None
    again.close()


def test_a_403_reason_and_other_errors_are_kept_as_they_are(tmp_path):
    store = Store(tmp_path / "cache")
    store.mark_failed("github", FROZEN_NOW, "GET /user: not authorised (403): Resource not accessible", offline=False)
    reason = store.sync_reason("github")
    assert reason is not None and reason.startswith("403: token lacks permission") and "auth set github" in reason
    store.mark_failed("incidentio", FROZEN_NOW, "GET /v2/incidents: cannot connect (ConnectError)", offline=True)
    assert store.sync_reason("incidentio") == "GET /v2/incidents: cannot connect (ConnectError)"
    store.close()


# -- doctor and a 429 ---------------------------------------------------------------------
class RateLimitedOnce(BaseHTTPRequestHandler):
    """A Zendesk (and GitHub /user) that answers 429 with Retry-After first, then 200."""

    retry_after = "1"
    limited: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        if self.path.startswith("/api/v2/users/me") and not self.limited:
            self.limited.append(self.path)
            self._send(429, {"error": "rate limited"}, {"Retry-After": self.retry_after})
        elif self.path.startswith("/api/v2/users/me"):
            self._send(200, {"user": {"id": 1, "name": "Sam Support", "email": "agent@example.com"}})
        else:
            self._send(200, {"login": "sam"})

    def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def limited_server():
    RateLimitedOnce.limited = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), RateLimitedOnce)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()
    RateLimitedOnce.retry_after = "1"


def doctor_with(server, monkeypatch, capsys) -> tuple[int, str, list[float]]:
    from triage_tui.doctor import run_doctor

    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("TRIAGE_ZENDESK_TOKEN", "t")
    monkeypatch.setenv("TRIAGE_GITHUB_TOKEN", "t")
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    config = sandbox_config(url)
    code = run_doctor(config, sleep=sleep)
    return code, capsys.readouterr().out, waits


def test_doctor_waits_out_one_short_retry_after(limited_server, monkeypatch, capsys):
    code, out, waits = doctor_with(limited_server, monkeypatch, capsys)
    assert waits == [1.0]
    assert "[ok  ] zendesk" in out and "Sam Support" in out
    assert code == 0, out


def test_doctor_reports_a_long_retry_after_as_a_warning(limited_server, monkeypatch, capsys):
    RateLimitedOnce.retry_after = "120"
    code, out, waits = doctor_with(limited_server, monkeypatch, capsys)
    assert waits == []  # not 2 minutes of a doctor that seems hung
    assert "[warn] zendesk: rate limited, retry after 120 s" in out
    assert code == 0, out


def test_doctor_names_the_fix_for_a_rejected_token(sandbox, tmp_path):
    env = {
        **os.environ,
        "TRIAGE_ZENDESK_URL": sandbox.url,
        "TRIAGE_ZENDESK_EMAIL": "agent@example.com",
        "TRIAGE_ZENDESK_TOKEN": "nope",
        "TRIAGE_GITHUB_URL": sandbox.url,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "triage_tui", "doctor"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("[FAIL] zendesk"))
    assert "not authorised (401)" in line and "run `triage-tui auth set zendesk`" in line


# -- quitting with queued writes ------------------------------------------------------------
def test_the_quit_message_counts_what_stays_queued():
    assert queued_message({"queued": 0, "conflicts": 0, "failed": 0}) is None
    assert (
        queued_message({"queued": 3})
        == "3 writes stay queued; they go next time you start triage-tui (or run `triage-tui sync --once`)"
    )
    said = queued_message({"queued": 1})
    assert said is not None and said.startswith("1 write stays queued; it goes next time")
    assert (
        queued_message({"queued": 0, "conflicts": 1, "failed": 1})
        == "2 need you (conflict or failed): press C in the app"
    )


async def test_the_cli_says_so_after_the_app_exits(sandbox, tmp_path, capsys, closing: Closing):
    from triage_tui.cli.wiring import after_app
    from triage_tui.triage.macros import ChangeSet

    running = closing(Engine(sandbox.url, tmp_path / "cache"))
    await running.engine.poll("zendesk")
    ticket = running.store.ticket(int(next(iter(running.store.unsolved_rows()))))
    assert ticket is not None
    running.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="one"), "note")
    running.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="two"), "note")
    said = running.writes.quit_message()
    assert said is not None and said.startswith("2 writes stay queued")
    after_app(running.store, running.outbox)
    assert (
        capsys.readouterr().err == "triage-tui: 2 writes stay queued; they go next time you start triage-tui "
        "(or run `triage-tui sync --once`)\n"
    )


def test_headless_sync_with_a_rejected_token_names_the_fix(sandbox, tmp_path):
    env = {
        **os.environ,
        "TRIAGE_ZENDESK_URL": sandbox.url,
        "TRIAGE_ZENDESK_EMAIL": "agent@example.com",
        "TRIAGE_ZENDESK_TOKEN": "wrong-token-value",
        "TRIAGE_GITHUB_URL": sandbox.url,
        "TRIAGE_GITHUB_REPOS": "PostHog/posthog-js",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "triage_tui", "sync", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "triage-tui: zendesk: 401: token rejected; run `triage-tui auth set zendesk`" in result.stderr
    assert "wrong-token-value" not in result.stdout + result.stderr and "Traceback" not in result.stderr
