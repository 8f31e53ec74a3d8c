"""The machine's own faults: a disk that fills up, a cache dir that turns read-only, a
reboot under a queued write. Nothing the user confirmed is lost, nothing is taken for
corruption, no traceback.

The filesystems are real (see machine.py: a tmpfs that is filled or remounted read-only,
or RLIMIT_FSIZE / chattr / chmod where mounting is not permitted).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FROZEN_NOW, Closing, sandbox_config
from tests.helpers import TOKENS, Engine
from tests.reliability.killed_sync import sandbox_env
from tests.reliability.machine import SmallDisk
from tests.waiting import eventually_blocking
from triage_sandbox.server import Sandbox
from triage_tui.store.cache import Store
from triage_tui.store.errors import OutboxUnavailable, StoreUnavailable
from triage_tui.store.outbox import NewWrite, Outbox, retry_due
from triage_tui.sync.clients import build_clients
from triage_tui.sync.sender import Sender
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.sync.writes import Writes
from triage_tui.targets import Target, WriteKind
from triage_tui.triage.macros import ChangeSet

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def disk(tmp_path):
    small = SmallDisk(tmp_path / "small", size="8m")
    yield small
    small.close()


def cache_on(disk: SmallDisk, filled_cache: Path) -> Path:
    directory = disk.dir / "triage-tui"
    shutil.copytree(filled_cache, directory)
    return directory


def queue_earlier(directory: Path, summary: str) -> dict:
    """A write queued in an earlier session; returns the cached queue rows. Closes both
    (a mount with files open for writing cannot be remounted read-only)."""
    store, outbox = Store(directory), Outbox(directory)
    write = NewWrite(WriteKind.TICKET_UPDATE, Target.ticket(1), {"ticket_id": 1, "ticket": {}}, summary)
    outbox.add(write, now=FROZEN_NOW)
    rows = store.unsolved_rows()
    store.close()
    outbox.close()
    return rows


def a_ticket(store: Store) -> dict:
    ticket = store.ticket(int(next(iter(store.unsolved_rows()))))
    assert ticket is not None
    return ticket


def cli(
    *args: str, cache_home: Path, url: str = "http://127.0.0.1:9", extra: dict | None = None
) -> subprocess.CompletedProcess:
    env = {**sandbox_env(url, cache_home), **(extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "triage_tui", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def one_clean_line(text: str) -> bool:
    return text.count("\n") == 1 and "Traceback" not in text


# -- disk full while running -------------------------------------------------------------
def test_a_write_on_a_full_disk_raises_one_typed_error_and_loses_nothing(disk, filled_cache):
    """mount -t tmpfs -o size=8m tmpfs DIR; copy a cache in; queue a note; fill DIR with
    dd if=/dev/zero of=DIR/filler; queue another: OutboxUnavailable("disk full"), the
    first note still there, nothing half-written; free the space: queuing works again."""
    directory = cache_on(disk, filled_cache)
    store, outbox = Store(directory), Outbox(directory)
    writes = Writes(outbox, store, lambda: FROZEN_NOW)
    ticket = a_ticket(store)
    first = writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="queued before the disk filled"), "note")
    incident = {"id": "01INC", "reference": "INC-231"}
    with disk.full():
        with pytest.raises(OutboxUnavailable) as error:
            writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="typed on a full disk"), "note")
        assert error.value.reason == disk.full_reason
        assert str(error.value) == f"not queued: {disk.full_reason} ({directory})"
        # Two entries for one action: neither is kept when the second cannot be.
        with pytest.raises(OutboxUnavailable):
            writes.attach_to_incident(TicketRef.of(ticket), incident)
        assert [e["id"] for e in outbox.entries()] == [first["id"]]
        # The cache takes no more writes, without raising into the caller.
        assert store.set("alerts", {"1": [3]}) is False
        assert store.read_only and store.read_only_reason == disk.full_reason
        assert store.get("alerts") is None
        assert store.unsolved_rows()  # reads still work
    outbox.close()
    store.close()
    # Space again: the persisted entry is intact, and the next write goes in after it.
    store, outbox = Store(directory), Outbox(directory)
    assert not store.read_only
    assert outbox.get(first["id"]) == first
    again = Writes(outbox, store, lambda: FROZEN_NOW).update_ticket(
        TicketRef.of(ticket), ChangeSet(comment="typed on a full disk"), "note"
    )
    assert again["seq"] == first["seq"] + 1
    assert [e["payload"]["ticket"]["comment"]["body"] for e in outbox.entries()] == [
        "queued before the disk filled",
        "typed on a full disk",
    ]
    store.close()
    outbox.close()


def test_after_a_failed_cache_write_no_later_write_lands_half_a_sync(disk, filled_cache):
    """Tickets that could not be stored must not be skipped by a cursor that could: once a
    write fails for a full disk, the store writes nothing more until it is reopened."""
    directory = cache_on(disk, filled_cache)
    store = Store(directory)
    cursor = store.get("cursor:zendesk")
    ticket = a_ticket(store)
    with disk.full():
        changed = store.put_tickets([{**ticket, "subject": "changed " + "x" * 200_000}])
        assert changed == [] and store.read_only
    store.set("cursor:zendesk", {"after_cursor": "past the lost tickets"})  # there is room now
    store.close()
    reopened = Store(directory)
    assert reopened.get("cursor:zendesk") == cursor
    kept = reopened.ticket(ticket["id"])
    assert kept is not None and kept["subject"] == ticket["subject"]
    reopened.close()


async def test_on_a_full_disk_nothing_is_sent_unrecorded(sandbox, disk, filled_cache, closing: Closing):
    """The sender records "sending" before any HTTP call; when it cannot, it stops with
    OutboxUnavailable and the write goes out once, after there is room again."""
    directory = disk.dir / "triage-tui"
    shutil.copytree(filled_cache, directory)
    running = closing(Engine(sandbox.url, directory))
    await running.engine.poll("zendesk")
    ticket = a_ticket(running.store)
    running.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="waits for room"), "note")
    with disk.full(), pytest.raises(OutboxUnavailable):
        await running.engine.send()
    assert not [key for key in sandbox.state.requests if key.startswith("zendesk PUT")]
    assert running.outbox.counts()["queued"] == 1
    await running.drain()
    assert [c["body"] for c in sandbox.state.comments[ticket["id"]]].count("waits for room") == 1


def test_start_up_on_a_full_disk_is_not_corruption(disk, filled_cache):
    """A full disk at start (diskcache writes its settings on open: SQLITE_FULL) used to be
    taken for corruption and the cache moved aside as data.corrupt-*. Now: read-only."""
    directory = cache_on(disk, filled_cache)
    expected = queue_earlier(directory, "kept")
    with disk.full():
        with pytest.raises(StoreUnavailable) as error:
            Store(directory)
        assert error.value.reason == disk.full_reason
        store = Store(directory, read_only_ok=True)
        outbox = Outbox(directory, read_only_ok=True)
        assert store.read_only and store.read_only_reason == disk.full_reason
        assert store.unsolved_rows() == expected  # paints from the cache
        notice = store.read_only_notice()
        assert notice is not None and "read-only cache" in notice
        assert [e["summary"] for e in outbox.entries()] == ["kept"]
        with pytest.raises(OutboxUnavailable):
            outbox.add(NewWrite(WriteKind.TICKET_UPDATE, Target.ticket(1), {}, "refused"), now=FROZEN_NOW)
        store.close()
        outbox.close()
        assert not list(directory.glob("*.corrupt-*"))
    assert Store(directory).unsolved_rows() == expected


def test_sync_on_a_full_disk_says_so_in_one_line(disk, filled_cache):
    """`triage-tui sync --once` with the cache on a full tmpfs: exit 2, one line."""
    cache_on(disk, filled_cache)
    if disk.mounted:
        with disk.full():
            result = cli("sync", "--once", cache_home=disk.dir)
    else:
        result = _sync_under_fsize_limit(disk.dir)
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        one_clean_line(result.stderr) and "cannot use the cache" in result.stderr and disk.full_reason in result.stderr
    )
    assert not list((disk.dir / "triage-tui").glob("*.corrupt-*"))


def _sync_under_fsize_limit(cache_home: Path) -> subprocess.CompletedProcess:
    """The fallback: the same command with RLIMIT_FSIZE=1 set in the child only."""
    import resource
    import signal

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    env = {
        **os.environ,
        "TRIAGE_ZENDESK_URL": "http://127.0.0.1:9",
        "TRIAGE_ZENDESK_EMAIL": "a@example.com",
        "TRIAGE_ZENDESK_TOKEN": "t",
        "XDG_CACHE_HOME": str(cache_home),
    }
    return subprocess.run(
        [sys.executable, "-m", "triage_tui", "sync", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=limit,
    )


# -- read-only cache dir -----------------------------------------------------------------
def test_a_read_only_cache_dir_opens_read_only_and_refuses_writes_in_one_line(disk, filled_cache):
    """mount -o remount,ro DIR under a filled cache: every command stays on its feet."""
    directory = cache_on(disk, filled_cache)
    expected = queue_earlier(directory, "queued earlier")
    reason = disk.make_read_only()
    with pytest.raises(StoreUnavailable) as error:
        Store(directory)
    assert error.value.reason == reason
    store, outbox = Store(directory, read_only_ok=True), Outbox(directory, read_only_ok=True)
    assert store.read_only_reason == reason and store.unsolved_rows() == expected
    assert outbox.counts()["queued"] == 1
    with pytest.raises(OutboxUnavailable) as refused:
        Writes(outbox, store, lambda: FROZEN_NOW).update_ticket(
            TicketRef.of(a_ticket(store)), ChangeSet(comment="x"), "note"
        )
    assert str(refused.value) == f"not queued: {reason} ({directory})"
    assert store.save_draft(1, "note", "kept in memory by the UI") is False  # no raise: the UI keeps it
    assert (
        outbox.quit_message() == f"1 write stays queued; it goes once the cache is writable again ({reason}): "
        "then start triage-tui or run `triage-tui sync --once`"
    )
    store.close()
    outbox.close()
    for command in (["sync", "--once"], ["sync"]):
        result = cli(*command, cache_home=disk.dir)
        assert result.returncode == 2 and one_clean_line(result.stderr), result.stderr
        assert f"cannot use the cache: {reason} ({directory})" in result.stderr
    doctor = cli("doctor", cache_home=disk.dir, extra={"TRIAGE_ZENDESK_URL": "http://127.0.0.1:9"})
    assert "Traceback" not in doctor.stdout + doctor.stderr
    assert f"[FAIL] cache: {reason}: the app can only show what is cached" in doctor.stdout
    disk.make_writable()
    assert not list(directory.glob("*.corrupt-*"))


def test_a_cache_dir_that_cannot_be_created_is_one_line(disk):
    """A read-only parent and no cache yet: nothing to paint, so one line and exit 2."""
    reason = disk.make_read_only()
    result = cli("sync", "--once", cache_home=disk.dir)
    assert result.returncode == 2 and one_clean_line(result.stderr), result.stderr
    assert "cannot use the cache" in result.stderr and reason in result.stderr


async def test_the_app_paints_a_read_only_cache_and_says_so(disk, filled_cache):
    directory = cache_on(disk, filled_cache)
    rows = len(queue_earlier(directory, "queued earlier"))
    disk.make_read_only()
    from triage_tui.ui.app import TriageApp

    store, outbox = Store(directory, read_only_ok=True), Outbox(directory, read_only_ok=True)
    config = sandbox_config("http://127.0.0.1:9").replace(cache_dir=directory)
    app = TriageApp(config, store, outbox, now=lambda: FROZEN_NOW, offline=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert len(app.queue_table.rows) == rows > 0
    notice = store.read_only_notice()
    assert notice is not None and notice.startswith("read-only cache: ")


# -- reboots: retry times on disk are wall-clock -----------------------------------------
def dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


async def test_a_write_in_backoff_is_due_after_a_reboot_and_not_before(sandbox, tmp_path, closing: Closing):
    """Process A backs a write off at uptime 10 days; the machine reboots (monotonic
    restarts near 0). Before its wall-clock retry time it waits (even in a process whose
    monotonic clock is far ahead); after it, it is sent once."""
    directory = tmp_path / "cache"
    running = closing(Engine(sandbox.url, directory))
    await running.engine.poll("zendesk")
    ticket = a_ticket(running.store)
    entry = running.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="sent after the reboot"), "note")

    t0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    offline = closing(build_clients(sandbox_config(dead_url()), TOKENS, max_retries=0, timeout=2))
    before_reboot = Sender(running.outbox, running.store, offline, now=lambda: t0, monotonic=lambda: 864_000.0)
    report = await before_reboot.send_due()
    assert report.waiting == 1 and not report.sent
    stored = running.outbox.get(entry["id"])
    assert stored is not None and "not_before" not in stored
    retry_at = dt.datetime.fromisoformat(stored["retry_at"])
    assert t0 < retry_at <= t0 + dt.timedelta(seconds=2)  # first backoff: 1-2 s, on the wall clock

    live = closing(build_clients(sandbox_config(sandbox.url), TOKENS, max_retries=0, timeout=5))
    too_early = Sender(running.outbox, running.store, live, now=lambda: t0, monotonic=lambda: 1e12)
    assert (await too_early.send_due()).waiting == 1
    after_reboot = Sender(
        running.outbox, running.store, live, now=lambda: t0 + dt.timedelta(seconds=3), monotonic=lambda: 5.0
    )
    assert (await after_reboot.send_due()).sent == [entry["id"]]
    assert [c["body"] for c in sandbox.state.comments[ticket["id"]]].count("sent after the reboot") == 1


def test_old_monotonic_entries_and_clocks_set_back_are_due_now():
    now = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    assert retry_due({"not_before": 9e9}, now)  # written by an older version: due at once
    assert retry_due({"retry_at": None}, now)
    assert not retry_due({"retry_at": (now + dt.timedelta(seconds=30)).isoformat()}, now)
    assert retry_due({"retry_at": (now - dt.timedelta(seconds=1)).isoformat()}, now)
    # Further away than any backoff: the clock was set back since; not stuck for a day.
    assert retry_due({"retry_at": (now + dt.timedelta(days=1)).isoformat()}, now)


def time_namespace_works() -> bool:
    probe = subprocess.run(
        ["unshare", "--time", "--monotonic=864000", sys.executable, "-c", "import time; print(time.monotonic())"],
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.returncode == 0 and float(probe.stdout or 0) > 864000


async def _queue_a_write(url: str, directory: Path, text: str) -> dict:
    running = Engine(url, directory)
    try:
        await running.engine.poll("zendesk")
        ticket = a_ticket(running.store)
        running.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment=text), "note")
    finally:
        await running.aclose()
    return ticket


def test_a_reboot_between_two_processes_with_a_time_namespace(dataset, tmp_path):
    """The bug as reported, reproduced with a real second monotonic clock:

        unshare --time --monotonic=864000 python -m tests.reliability.backoff_child URL DIR
        triage-tui sync --once      # a fresh boot: monotonic near 0

    Before the fix the second printed "outbox: 0 sent, 1 waiting" on every run. Without
    time namespaces (no root), the child shifts its own time.monotonic by the same amount.
    """
    import asyncio

    with Sandbox(copy.deepcopy(dataset)) as sandbox:
        cache_home = tmp_path / "xdg-cache"
        ticket = asyncio.run(_queue_a_write(sandbox.url, cache_home / "triage-tui", "queued before the reboot"))
        child = [sys.executable, "-m", "tests.reliability.backoff_child", dead_url(), str(cache_home / "triage-tui")]
        if time_namespace_works():
            child = ["unshare", "--time", "--monotonic=864000", *child]
        else:
            child.append("864000")
        first = subprocess.run(child, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
        assert first.returncode == 0, first.stderr
        monotonic, retry_at = first.stdout.split()
        assert float(monotonic) > 864000
        # The one wait on the clock left in the tests: the second process is the real
        # command, which reads the wall clock itself, and its retry time (1-2 s ahead) has to
        # pass on that clock. Injecting a clock would test a process the user never runs.
        due = dt.datetime.fromisoformat(retry_at)
        eventually_blocking(lambda: dt.datetime.now(dt.UTC) > due, timeout=10, what="the retry time")
        second = cli("sync", "--once", cache_home=cache_home, url=sandbox.url)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "outbox: 1 sent, 0 waiting" in second.stdout
        assert [c["body"] for c in sandbox.state.comments[ticket["id"]]].count("queued before the reboot") == 1


def run_in_a_terminal(args: list[str], env: dict, painted: bytes) -> tuple[int, str]:
    """The real command in a pseudo-terminal: once the screen shows `painted`, press q;
    collect everything."""
    import pty
    import select
    import signal

    pid, fd = pty.fork()
    if pid == 0:  # the child: never returns
        os.execve(sys.executable, [sys.executable, "-m", "triage_tui", *args], env)
    output = b""
    deadline, pressed = time.monotonic() + 60, False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child exited and closed the terminal
                break
            if not chunk:
                break
            output += chunk
        if not pressed and painted in output:
            os.write(fd, b"q")
            pressed = True
    if not pressed:  # it never painted: end it, and let the test show what it did print
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


@pytest.mark.parametrize("args", [["--offline"], []], ids=["offline", "run"])
def test_the_app_command_on_a_read_only_cache_paints_and_exits_cleanly(disk, filled_cache, args):
    """XDG_CACHE_HOME on a tmpfs remounted read-only; `triage-tui [--offline]` in a pty:
    the queue paints from the cache, q quits, and the reason is printed once the screen
    is gone. (It used to be an OSError traceback from making the private dir.)"""
    directory = cache_on(disk, filled_cache)
    queue_earlier(directory, "queued earlier")
    reason = disk.make_read_only()
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(disk.dir),
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "40",
        "TRIAGE_ZENDESK_URL": "http://127.0.0.1:9",
        "TRIAGE_ZENDESK_EMAIL": "agent@example.com",
        "TRIAGE_ZENDESK_TOKEN": "t",
    }
    code, output = run_in_a_terminal(args, env, painted=b"cache only")
    assert code == 0 and "Traceback" not in output, output[-2000:]
    assert "cache only" in output  # the status line of a painted queue: no sync, no queueing
    assert f"triage-tui: read-only cache: {reason} ({directory}); showing what is cached" in output
    assert "1 write stays queued; it goes once the cache is writable again" in output
