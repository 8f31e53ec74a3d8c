"""`triage-tui relay` as a user runs it, `doctor`'s relay section, and the [relay] settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from tests.conftest import sandbox_config
from tests.waiting import eventually_blocking
from triage_tui.config import ConfigError, load_config


class Output:
    """A process's output, read by a thread as it comes (waiting on it needs no sleeps)."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        with self.changed:
            said = self.changed.wait_for(lambda: any(text in line for line in self.lines), timeout)
        assert said, f"{text!r} not said within {timeout} s: {self.lines}"


def doctor_output(config, capsys) -> str:
    from triage_tui.doctor import run_doctor

    run_doctor(config)
    return capsys.readouterr().out


def test_the_relay_command_leads_doctor_sees_it_and_ctrl_c_hands_the_lease_back(
    sandbox, nats_server, tmp_path, monkeypatch, capsys
):
    env = {
        **os.environ,
        "TRIAGE_ZENDESK_URL": sandbox.url,
        "TRIAGE_ZENDESK_EMAIL": "agent@example.com",
        "TRIAGE_ZENDESK_TOKEN": "sandbox",
        "TRIAGE_RELAY_URL": nats_server.url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "triage_tui", "relay", "--name", "desk-1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = Output(process)
        output.wait_for("desk-1 leads")
        output.wait_for("zendesk: ok")  # its first read of the account
        monkeypatch.setenv("TRIAGE_ZENDESK_TOKEN", "sandbox")
        config = sandbox_config(sandbox.url).replace(relay={"url": nats_server.url})
        said: list[str] = []

        def doctor_says_lag() -> bool:
            said.append(doctor_output(config, capsys))
            return "last read of Zendesk" in said[-1]

        # The cursor is published after the relay's first read.
        eventually_blocking(doctor_says_lag, timeout=30, what=lambda: said[-1])
        out = said[-1]
        assert f"[ok  ] relay: {nats_server.url} reachable" in out
        assert "[ok  ] relay leader: desk-1 since " in out
        assert "[ok  ] relay lag: last read of Zendesk" in out
        assert "[ok  ] queue fed by: the relay" in out
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(15) == 0
    out = doctor_output(config, capsys)
    assert "[FAIL] relay leader: no relay holds the lease: start `triage-tui relay`" in out  # released at once


def test_doctor_without_a_relay_says_zendesk_feeds_the_queue(sandbox, monkeypatch, capsys):
    monkeypatch.setenv("TRIAGE_ZENDESK_TOKEN", "sandbox")
    out = doctor_output(sandbox_config(sandbox.url), capsys)
    assert "[ok  ] queue fed by: Zendesk, polled by this copy (no [relay] url)" in out


def test_doctor_names_an_unreachable_relay(sandbox, monkeypatch, capsys):
    from triage_tui.relay.server import free_port

    monkeypatch.setenv("TRIAGE_ZENDESK_TOKEN", "sandbox")
    config = sandbox_config(sandbox.url).replace(relay={"url": f"nats://127.0.0.1:{free_port()}"})
    out = doctor_output(config, capsys)
    assert "[FAIL] relay: nats://127.0.0.1:" in out and "unreachable" in out
    assert "[warn] queue fed by: Zendesk directly while the relay is unreachable" in out


def test_a_copy_or_a_relay_pointed_off_this_machine_without_tls_stops_in_one_line(sandbox, tmp_path):
    env = {
        **os.environ,
        "TRIAGE_ZENDESK_URL": sandbox.url,
        "TRIAGE_ZENDESK_EMAIL": "agent@example.com",
        "TRIAGE_ZENDESK_TOKEN": "sandbox",
        "TRIAGE_RELAY_URL": "nats://relay.example.com:4222",
    }
    for command in ("relay", "sync"):
        done = subprocess.run(
            [sys.executable, "-m", "triage_tui", command],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2
        assert done.stderr.strip().count("\n") == 0
        assert "use tls://relay.example.com:4222" in done.stderr


def test_relay_settings_come_from_the_file_and_env_and_the_password_never_from_the_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[relay]\nurl = "tls://nats.example.com:4222"\nuser = "alex"\ngroups = ["Replay"]\n')
    config = load_config(path, environ={"TRIAGE_RELAY_FALLBACK_SECONDS": "90"})
    assert config.relay.url == "tls://nats.example.com:4222" and config.relay.user == "alex"
    assert config.relay.groups == ["Replay"] and config.relay.fallback_seconds == 90
    assert load_config(path, environ={"TRIAGE_RELAY_URL": "nats://127.0.0.1:4222"}).relay.url.startswith("nats://127")
    path.write_text('[relay]\npassword = "hunter2"\n')
    with pytest.raises(ConfigError, match="password"):
        load_config(path, environ={})
    path.write_text("[relay]\nlease_seconds = 0.1\n")
    with pytest.raises(ConfigError, match="lease_seconds"):
        load_config(path, environ={})


def test_the_relay_password_is_kept_like_the_tokens(monkeypatch):
    from triage_tui.secrets import RELAY, lookup

    monkeypatch.setenv("TRIAGE_RELAY_TOKEN", "s3cret")
    token = lookup(RELAY)
    assert token.value == "s3cret" and token.origin == "env TRIAGE_RELAY_TOKEN"
    assert "s3cret" not in repr(token)


async def test_the_demo_relay_feeds_a_copy_and_a_colleagues_presence_shows(sandbox, tmp_path, running):
    """`triage-tui demo --relay`'s team, without the screen: its nats-server, its relay
    reading the sandbox, and Sam; a copy with the config the demo gives the app gets the
    queue from the relay and sees Sam on a ticket."""
    from tests.relay.conftest import Copy
    from tests.waiting import eventually
    from triage_tui.cli.demo_relay import COLLEAGUE, DemoRelay
    from triage_tui.cli.sandbox import demo_config
    from triage_tui.relay.names import PATH_KEY, PRESENCE_STORE_KEY
    from triage_tui.secrets import Token

    tokens = {name: Token(name, "sandbox", "demo") for name in ("zendesk", "incidentio", "github")}
    team = DemoRelay(tmp_path, demo_config(sandbox.url, tmp_path / "cache"), tokens)
    with team:
        copy = Copy(running, team.config, tmp_path / "copy")
        await eventually(
            lambda: copy.store.sync_state("zendesk").get(PATH_KEY) == "relay" and copy.store.unsolved(),
            timeout=30,
            what="the copy reads the queue from the demo's relay",
        )
        await eventually(
            lambda: COLLEAGUE in str(copy.store.get(PRESENCE_STORE_KEY)),
            timeout=30,
            what="Sam's presence reaches the copy",
        )
    assert team.thread is not None and not team.thread.is_alive()  # the relay stopped with the demo


def test_a_nats_server_stops_when_the_process_that_started_it_is_killed(tmp_path):
    """A closed terminal ends `demo --relay` with SIGHUP before any cleanup runs (seen in
    tmux: three orphaned servers after three closed windows); a killed test or bench the
    same. The server goes with the process that started it."""
    script = (
        "import sys, time; from pathlib import Path\n"
        "from triage_tui.relay.server import NatsServer\n"
        "server = NatsServer(Path(sys.argv[1])); server.start()\n"
        "print(server.process.pid, flush=True); time.sleep(600)\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "nats")], stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    pid = int(owner.stdout.readline())
    owner.send_signal(signal.SIGKILL)
    owner.wait(10)

    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        with open(f"/proc/{pid}/stat") as stat:  # a zombie awaiting its new parent counts as gone
            return stat.read().split()[2] == "Z"

    eventually_blocking(gone, timeout=10, what="the orphaned nats-server stopped")
