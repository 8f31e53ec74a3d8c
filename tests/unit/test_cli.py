"""The command line: help, version, and one-line errors with exit code 2."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "triage_tui", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def test_help_and_version():
    assert "demo" in run("--help").stdout
    assert run("--version").stdout.startswith("triage-tui ")


def test_bad_config_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[ui]\nmouse = 'sometimes'\n")
    result = run("--config", str(path), "doctor")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "ui.mouse" in result.stderr and "Traceback" not in result.stderr


def test_missing_zendesk_config_is_a_clear_message():
    result = run("sync", "--once")
    assert result.returncode == 2 and "no Zendesk configured" in result.stderr and "Traceback" not in result.stderr


def test_plain_http_to_a_remote_host_is_refused():
    env = {
        "TRIAGE_ZENDESK_URL": "http://zendesk.example.com",
        "TRIAGE_ZENDESK_EMAIL": "a@example.com",
        "TRIAGE_ZENDESK_TOKEN": "t",
    }
    result = run("sync", "--once", env=env)
    assert result.returncode == 2 and "only https is allowed" in result.stderr
    assert "TRIAGE_ZENDESK_TOKEN" not in result.stderr and "t\n" not in result.stderr.split(":")[-1]


def test_bad_fault_spec_is_one_line():
    result = run("sandbox", "--faults", "teapot:1", "--port", "0")
    assert result.returncode == 2 and "unknown fault kind" in result.stderr


def test_example_config_prints():
    assert "[zendesk]" in run("config", "--example").stdout


def test_unknown_key_binding_id_is_a_clear_message(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[keys]\n"ticket.slove" = "S"\n')
    result = run("--config", str(path), "--offline")
    assert result.returncode == 2 and "ticket.slove" in result.stderr and "unknown binding id" in result.stderr
    assert "Traceback" not in result.stderr
