"""Tokens never reach the cache, logs or dumps; the cache is owner-only."""

from __future__ import annotations

import copy
import os
import stat
import subprocess
import sys

from tests.conftest import FROZEN_NOW, Closing, sandbox_config
from triage_sandbox.server import Sandbox, SandboxSettings
from triage_tui.secrets import Token
from triage_tui.store.cache import Store
from triage_tui.store.outbox import NewWrite, Outbox
from triage_tui.sync.clients import build_clients
from triage_tui.sync.engine import SyncEngine
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.sync.writes import Writes
from triage_tui.targets import Target, WriteKind
from triage_tui.triage.macros import ChangeSet

SECRET = "tok-3f9a7c1e5b2d8e4f"


def every_byte(directory) -> bytes:
    found = b""
    for root, _, files in os.walk(directory):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                found += handle.read()
    return found


async def test_a_full_sync_and_send_leaves_no_token_on_disk(dataset, tmp_path, closing: Closing):
    with Sandbox(copy.deepcopy(dataset), settings=SandboxSettings(token=SECRET)) as sandbox:
        cache = tmp_path / "cache"
        store, outbox = Store(cache), Outbox(cache)
        tokens = {name: Token(name, SECRET, "test") for name in ("zendesk", "incidentio", "github")}
        clients = closing(build_clients(sandbox_config(sandbox.url), tokens))
        engine = SyncEngine(sandbox_config(sandbox.url), store, outbox, clients)
        for source in ("zendesk", "incidentio", "github"):
            assert (await engine.poll(source)).error is None
        ticket = next(iter(store.unsolved().values()))
        Writes(outbox, store, lambda: FROZEN_NOW).update_ticket(TicketRef.of(ticket), ChangeSet(comment="hi"), "reply")
        await engine.send()
        store.close()  # everything written to disk before it is read back byte by byte
        outbox.close()
    data = every_byte(cache)
    assert data and SECRET.encode() not in data
    assert b"Basic " not in data and b"Bearer " not in data


def test_cache_directory_and_files_are_owner_only(tmp_path):
    store = Store(tmp_path / "cache")
    Outbox(tmp_path / "cache").close()
    store.set("x", {"a": 1})
    store.close()
    for root, dirs, files in os.walk(tmp_path / "cache"):
        for name in dirs:
            assert stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode) == 0o700, name
        for name in files:
            assert stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode) & 0o077 == 0, name
    assert stat.S_IMODE(os.stat(tmp_path / "cache").st_mode) == 0o700


def test_a_loosened_cache_is_tightened_on_open(tmp_path):
    Store(tmp_path / "cache").close()
    os.chmod(tmp_path / "cache" / "data", 0o755)
    Store(tmp_path / "cache").close()
    assert stat.S_IMODE(os.stat(tmp_path / "cache" / "data").st_mode) == 0o700


def test_a_corrupt_cache_is_moved_aside_and_rebuilt(tmp_path):
    Store(tmp_path / "cache").close()
    (tmp_path / "cache" / "data" / "cache.db").write_bytes(b"this is not sqlite" * 100)
    store = Store(tmp_path / "cache")
    assert store.notice and "moved to" in store.notice
    assert store.unsolved() == {}
    assert list((tmp_path / "cache").glob("data.corrupt-*"))


def test_an_older_schema_is_rebuilt_but_the_outbox_survives(tmp_path):
    import datetime as dt

    store = Store(tmp_path / "cache")
    outbox = Outbox(tmp_path / "cache")
    write = NewWrite(WriteKind.TICKET_UPDATE, Target.ticket(1), {"ticket_id": 1, "ticket": {}}, "x")
    outbox.add(write, now=dt.datetime.now(dt.UTC))
    store.set("meta:schema", 1)
    store.set("list:groups", [{"id": 1}])
    store.close()
    outbox.close()
    store = Store(tmp_path / "cache")
    assert store.notice is not None and "schema" in store.notice and store.list("groups") == []
    assert len(Outbox(tmp_path / "cache").entries()) == 1


def test_sandbox_dump_carries_no_token(tmp_path):
    target = tmp_path / "dump.json"
    result = subprocess.run(
        [sys.executable, "-m", "triage_tui", "sandbox", "--token", SECRET, "--tickets", "50", "--dump", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert SECRET not in target.read_text()
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
