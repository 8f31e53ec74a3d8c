"""`triage-tui doctor` says what is wrong, and its exit code says whether all is well."""

from __future__ import annotations

import os
import subprocess
import sys


def doctor(url: str, token: str, tmp_path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "TRIAGE_ZENDESK_URL": url,
        "TRIAGE_ZENDESK_EMAIL": "agent@example.com",
        "TRIAGE_ZENDESK_TOKEN": token,
        "TRIAGE_INCIDENTIO_URL": url,
        "TRIAGE_INCIDENTIO_TOKEN": token,
        "TRIAGE_GITHUB_URL": url,
        "TRIAGE_GITHUB_TOKEN": token,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "COLUMNS": "120",
        "LINES": "40",
        "TERM": "screen-256color",
    }
    return subprocess.run(
        [sys.executable, "-m", "triage_tui", "doctor"], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_doctor_all_well_against_the_sandbox(sandbox, tmp_path):
    result = doctor(sandbox.url, "sandbox", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "[ok  ] zendesk" in out and "Sam Support <agent@example.com>" in out
    assert "[ok  ] token zendesk: env TRIAGE_ZENDESK_TOKEN" in out
    assert "[ok  ] cache" in out and "0o700" in out
    assert "256 colours" in out and "120x40" in out
    assert "sandbox" not in out.split("token zendesk")[1].split("\n")[0].replace("env TRIAGE", "")


def test_doctor_fails_on_a_bad_token_and_never_prints_it(sandbox, tmp_path):
    result = doctor(sandbox.url, "wrong-token-value", tmp_path)
    assert result.returncode == 1
    assert "[FAIL] zendesk" in result.stdout and "not authorised (401)" in result.stdout
    assert "wrong-token-value" not in result.stdout + result.stderr
