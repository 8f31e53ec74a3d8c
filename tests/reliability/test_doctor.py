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


def test_doctor_names_the_feed_and_why_and_what_reconciliation_costs(sandbox, tmp_path):
    # Issue 23: "`doctor` names the feed, the reconciliation interval and its cost".
    before = doctor(sandbox.url, "sandbox", tmp_path).stdout
    line = next(text for text in before.splitlines() if "zendesk sync" in text)
    assert "own personal view, made by the next sync (not made yet)" in line
    assert "reconciliation re-reads the 0 tickets shown through show_many every 10 min" in line
    assert "leave within 12 min" in line
    with sandbox.state.lock:
        user = next(u for u in sandbox.state.users.values() if u["email"] == "agent@example.com")
        sandbox.state.views[5] = {
            "id": 5,
            "title": "Kürzlich geändert",
            "description": "[triage-tui:changes:v1]",
            "restriction": {"type": "User", "id": user["id"]},
            "conditions": {"all": [{"field": "status", "operator": "less_than", "value": "closed"}]},
        }
    after = doctor(sandbox.url, "sandbox", tmp_path).stdout
    line = next(text for text in after.splitlines() if "zendesk sync" in text)
    assert "changes from view 5, triage-tui's own personal view (found by its marker)" in line
    assert "no title, language, grouping or admin's edit involved" in line
    assert "sandbox" not in line
