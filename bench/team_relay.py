"""A support team of 100 on one Zendesk account through a relay (NATS JetStream).

    .venv/bin/python bench/team_relay.py                       # 100 copies (99 `sync` + 1 TUI)
    .venv/bin/python bench/team_relay.py --copies 20 --steady 2

One sandbox account (Enterprise budget, agent tokens), a real `nats-server` on loopback, two
`triage-tui relay` processes (one leads), N copies with `[relay] url`: N-1 headless
`triage-tui sync` and one TUI in tmux at 80x24 (a private tmux socket), each with its own
cache. Colleagues change a ticket every 3 s (bench/team.py's `Colleagues`). In turn:

1. steady: Zendesk requests a minute for the team, 429s, when each copy has each change, and
   how long a colleague's "replying" takes to show (in every copy's cache and on the TUI);
2. the leading relay is killed (SIGKILL): how long until the other leads, changes missed;
3. nats-server stopped for 2 minutes: how long until each copy reads Zendesk itself, the
   account's requests and 429s meanwhile; then started again: how long until each returns.

Figures are printed and go to the README's "Running a relay" section by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from team import Colleagues, config_text, count_statuses, open_store
from triage_sandbox.data import generate
from triage_sandbox.server import Sandbox
from triage_tui.relay.names import PATH_KEY, PRESENCE, PRESENCE_STORE_KEY
from triage_tui.relay.server import NatsServer
from triage_tui.store.cache import Store

BIN = Path(sys.executable).parent / "triage-tui"
SOCKET = "w3-relay27"
SESSION = "relay-bench"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=False).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def by_endpoint(counts: dict[str, int]) -> dict[str, int]:
    """Requests by endpoint (ids folded), most first: where the budget goes."""
    folded: dict[str, int] = {}
    for key, value in counts.items():
        if key.startswith("zendesk "):
            name = re.sub(r"/\d+", "/{id}", key.removeprefix("zendesk ").removesuffix(".json"))
            folded[name] = folded.get(name, 0) + value
    return dict(sorted(((k, v) for k, v in folded.items() if v), key=lambda kv: -kv[1]))


def refused_by_endpoint(sandbox: Sandbox) -> Counter:
    """The 429s, by endpoint (ids folded): which budget a burst runs into."""
    refused: Counter = Counter()
    handle = sandbox.app.handle

    def counted(request):
        response = handle(request)
        if response.status == 429:
            refused[re.sub(r"/\d+", "/{id}", f"{request.method} {request.path}")] += 1
        return response

    sandbox.app.handle = counted  # type: ignore[method-assign]  # counted, then answered as before
    return refused


def zendesk_requests(sandbox: Sandbox) -> int:
    return sum(v for k, v in dict(sandbox.state.requests).items() if k.startswith("zendesk "))


class Watcher(threading.Thread):
    """Reads every copy's cache twice a second: when each change arrived, which path feeds
    it (relay or Zendesk), and when a colleague's presence arrived."""

    def __init__(self, caches: list[Path], colleagues: Colleagues) -> None:
        super().__init__(daemon=True)
        self.caches, self.colleagues = caches, colleagues
        self.seen: dict[tuple[int, int], float] = {}
        self.paths: dict[int, list[tuple[float, str]]] = {i: [] for i in range(len(caches))}
        self.presence_wanted: str | None = None  # the marker of a presence entry to look for
        self.presence_seen: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        stores: dict[int, Store] = {}
        while not self.stop.wait(0.5):
            now = time.time()
            changes = list(self.colleagues.changes)
            for index, cache in enumerate(self.caches):
                store = open_store(stores, index, cache)
                if store is None:
                    continue
                path = str(store.sync_state("zendesk").get(PATH_KEY) or "")
                if not self.paths[index] or self.paths[index][-1][1] != path:
                    self.paths[index].append((now, path))
                wanted = self.presence_wanted
                if wanted and index not in self.presence_seen and wanted in json.dumps(store.get(PRESENCE_STORE_KEY)):
                    self.presence_seen[index] = now
                for n, (_, ticket_id, value) in enumerate(changes):
                    if (index, n) in self.seen:
                        continue
                    cached = store.ticket(ticket_id)
                    if value == "deleted":
                        arrived = cached is None
                    else:
                        arrived = cached is not None and str(cached.get("updated_at") or "") >= value
                    if arrived:
                        self.seen[(index, n)] = now
        for store in stores.values():
            store.close()


async def announce(url: str, ticket_id: int, name: str) -> None:
    """A colleague's copy saying "replying" on a ticket, as RelayFeed does."""
    import nats

    nc = await nats.connect(url)
    kv = await nc.jetstream().key_value(PRESENCE)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    await kv.put(f"t{ticket_id}.bench", json.dumps({"name": name, "doing": "replying", "at": at}).encode())
    await nc.close()


def latencies(colleagues: Colleagues, watcher: Watcher, copies: int, start: float, end: float) -> dict:
    seen, missed, deletions = [], 0, []
    unseen: dict[int, tuple[int, str, int]] = {}  # change -> (ticket, what was to be seen, copies missing it)
    for n, (made, ticket_id, value) in enumerate(colleagues.changes):
        if not start <= made < end:
            continue
        for index in range(copies):
            at = watcher.seen.get((index, n))
            if value in ("merged", "moved"):
                continue  # team.py's measure (a ghost leaves through reconciliation), not a change to see
            if value == "deleted":
                if at is not None:
                    deletions.append(at - made)
                continue
            if at is None:
                missed += 1
                unseen[n] = (ticket_id, value, unseen.get(n, (0, "", 0))[2] + 1)
            else:
                seen.append(at - made)
    return {
        "median": statistics.median(seen) if seen else float("nan"),
        "worst": max(seen) if seen else float("nan"),
        "missed": missed,
        "unseen": [f"#{t} {v} ({c} copies)" for t, v, c in list(unseen.values())[:10]],  # what to look into
        "measured": len(seen) + missed,
        "deletions": deletions,
    }


def wait_until(condition, timeout: float, step: float = 0.2) -> float | None:
    started = time.time()
    while time.time() - started < timeout:
        if condition():
            return time.time() - started
        time.sleep(step)
    return None


def run(
    copies: int, steady_minutes: float, tickets: int, work: Path, outage: float = 120.0, after: float = 60.0
) -> dict:
    data = generate(seed=11, tickets=tickets)
    agents = [u["email"] for u in data["users"] if u.get("role") == "agent"]
    results: dict = {"copies": copies}
    env = {
        **os.environ,
        "TRIAGE_ZENDESK_TOKEN": "sandbox",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    with Sandbox(copy.deepcopy(data)) as sandbox, NatsServer(work / "nats") as server:
        statuses = count_statuses(sandbox)
        refused = refused_by_endpoint(sandbox)
        env["TRIAGE_RELAY_URL"] = server.url
        processes: list[subprocess.Popen] = []
        logs = []

        def launch(args: list[str], config: Path, log: Path) -> subprocess.Popen:
            handle = open(log, "w")  # noqa: SIM115 - closed at the end
            logs.append(handle)
            process = subprocess.Popen(
                [str(BIN), "--config", str(config), *args], env=env, stdout=handle, stderr=subprocess.STDOUT
            )
            processes.append(process)
            return process

        def write_config(name: str, email: str) -> tuple[Path, Path]:
            folder = work / name
            folder.mkdir(parents=True)
            cache = folder / "cache"
            # Zendesk only: incident.io and GitHub are each copy's own business, not measured here.
            text = config_text(sandbox.url, email, cache).replace('[github]\nurl = "', '[github]\nrepos = []\nurl = "')
            (folder / "config.toml").write_text(text + f'[relay]\nurl = "{server.url}"\nname = "{name}"\n')
            return folder / "config.toml", cache

        relays = {}
        for name in ("relay-a", "relay-b"):
            config, _ = write_config(name, agents[0])
            relays[name] = launch(["relay", "--name", name], config, work / name / "relay.log")
            if name == "relay-a":  # the first leads; the second stands by
                wait_until(lambda: "relay-a leads" in (work / "relay-a" / "relay.log").read_text(), 60)
        caches = []
        tui_config = None
        for n in range(copies):
            config, cache = write_config(f"copy{n}", agents[n % len(agents)])
            caches.append(cache)
            if n == 0:
                tui_config = config
                continue
            launch(["sync"], config, work / f"copy{n}" / "sync.log")
            if n % 10 == 0:
                time.sleep(2)  # started over ~20 s: 99 Python start-ups at once would stall this box
        tmux("kill-session", "-t", SESSION)
        keys = " ".join(f"{k}={v}" for k, v in env.items() if k.startswith(("TRIAGE_", "PYTHON_KEYRING")))
        tmux("new-session", "-d", "-s", SESSION, "-x", "80", "-y", "24", f"env {keys} {BIN} --config {tui_config}")
        colleagues = Colleagues(sandbox, every=3.0, ghosts_for=0.0)  # no ghost phase: deletions come as they come
        watcher = Watcher(caches, colleagues)
        watcher.start()
        ready = wait_until(
            lambda: all(watcher.paths[i] and watcher.paths[i][-1][1] == "relay" for i in range(copies)), 300, 1.0
        )
        results["all_on_relay_after_start"] = ready
        print(f"all {copies} copies on the relay after {ready} s", flush=True)

        # 1. steady
        colleagues.start()
        time.sleep(20)  # the first changes settle; the minute counted starts clean
        start, requests0, errors0 = time.time(), zendesk_requests(sandbox), statuses.get(429, 0)
        endpoints0 = dict(sandbox.state.requests)
        presence = []
        for attempt in range(3):
            time.sleep(steady_minutes * 60 / 4)
            shown = screen()
            marker = f"Bench{attempt}"
            # The ticket in the TUI's detail (its first "#<id>" line), so the screen shows it.
            ids = [w[1:] for w in shown.split() if w.startswith("#") and w[1:].isdigit()]
            ticket_id = int(ids[0]) if ids else next(iter(data["tickets"]))["id"]
            watcher.presence_wanted, watcher.presence_seen = marker, {}
            said = time.time()
            asyncio.run(announce(server.url, ticket_id, marker))
            on_screen = wait_until(lambda marker=marker: f"{marker} is replying" in screen(), 15, 0.05)
            wait_until(lambda: len(watcher.presence_seen) >= copies - 1, 15)
            in_caches = [at - said for at in watcher.presence_seen.values()]
            presence.append(
                {
                    "tui": on_screen,
                    "median": statistics.median(in_caches) if in_caches else None,
                    "worst": max(in_caches) if in_caches else None,
                    "copies": len(in_caches),
                }
            )
        time.sleep(steady_minutes * 60 / 4)
        end = time.time()
        minutes = (end - start) / 60
        results["steady"] = {
            "minutes": minutes,
            "zendesk_per_minute": (zendesk_requests(sandbox) - requests0) / minutes,
            "answers_429": statuses.get(429, 0) - errors0,
            "requests_by_endpoint": by_endpoint(
                {k: v - endpoints0.get(k, 0) for k, v in dict(sandbox.state.requests).items()}
            ),
            "presence": presence,
            **latencies(colleagues, watcher, copies, start, end - 20),
        }
        print(results["steady"], flush=True)

        # 2. the leader killed
        relays["relay-a"].send_signal(signal.SIGKILL)
        killed = time.time()
        took = wait_until(lambda: "relay-b leads" in (work / "relay-b" / "relay.log").read_text(), 120)
        results["takeover_seconds"] = took
        print(f"relay-b leads {took} s after relay-a was killed", flush=True)
        time.sleep(after)
        results["after_takeover"] = latencies(colleagues, watcher, copies, killed - 5, time.time() - 20)
        print(results["after_takeover"], flush=True)

        # 3. nats-server stopped for 2 minutes
        requests0, errors0 = zendesk_requests(sandbox), statuses.get(429, 0)
        server.stop()
        stopped = time.time()
        time.sleep(min(75.0, outage / 2))  # every copy has fallen back (60 s, spread over 10)
        fallen, errors_fallen = zendesk_requests(sandbox), statuses.get(429, 0)
        time.sleep(outage - min(75.0, outage / 2))
        gone = time.time()
        fell_back = []
        for index in range(copies):
            moments = [at for at, path in watcher.paths[index] if at > stopped and path.startswith("zendesk")]
            fell_back.append(moments[0] - stopped if moments else None)
        results["outage"] = {
            "fell_back_median": statistics.median([f for f in fell_back if f is not None] or [float("nan")]),
            "fell_back_worst": max([f for f in fell_back if f is not None] or [float("nan")]),
            "never_fell_back": sum(f is None for f in fell_back),
            "zendesk_per_minute": (zendesk_requests(sandbox) - requests0) / ((gone - stopped) / 60),
            "answers_429": statuses.get(429, 0) - errors0,
            # Once every copy reads Zendesk itself: what 100 direct readers cost the account.
            "zendesk_per_minute_fallen_back": (zendesk_requests(sandbox) - fallen)
            / ((outage - min(75.0, outage / 2)) / 60),
            "answers_429_fallen_back": statuses.get(429, 0) - errors_fallen,
            "refused_by_endpoint": dict(refused),
            # Changes up to 40 s before the relay returns: a copy fallen back polls every 30 s ±20%.
            **latencies(colleagues, watcher, copies, stopped + 60, gone - 40),
        }
        print(results["outage"], flush=True)
        server.start()
        back = time.time()
        wait_until(
            lambda: all(watcher.paths[i] and watcher.paths[i][-1][1] == "relay" for i in range(copies)),
            180,
            1.0,
        )
        returned = []
        for index in range(copies):
            moments = [at for at, path in watcher.paths[index] if at > back and path == "relay"]
            returned.append(moments[0] - back if moments else None)
        results["return"] = {
            "median": statistics.median([r for r in returned if r is not None] or [float("nan")]),
            "worst": max([r for r in returned if r is not None] or [float("nan")]),
            "never": sum(r is None for r in returned),
        }
        print(results["return"], flush=True)
        requests0, errors0, resumed = zendesk_requests(sandbox), statuses.get(429, 0), time.time()
        time.sleep(after)
        results["after_return"] = {
            "zendesk_per_minute": (zendesk_requests(sandbox) - requests0) / ((time.time() - resumed) / 60),
            "answers_429": statuses.get(429, 0) - errors0,
        }
        print(results["after_return"], flush=True)

        colleagues.stop.set()
        watcher.stop.set()
        watcher.join(10)
        tmux("kill-session", "-t", SESSION)
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        for handle in logs:
            handle.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--steady", type=float, default=3.0, help="minutes of the steady phase")
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--outage", type=float, default=120.0, help="seconds nats-server is stopped")
    parser.add_argument("--after", type=float, default=60.0, help="seconds measured after the takeover and the return")
    args = parser.parse_args()
    if not shutil.which("tmux"):
        sys.exit("bench needs tmux")
    work = Path(tempfile.mkdtemp(prefix="triage-relay-bench-"))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine}, work in {work}", flush=True)
    random.seed(5)
    try:
        results = run(args.copies, args.steady, args.tickets, work, args.outage, args.after)
    finally:
        tmux("kill-server")
    print(json.dumps(results, indent=1, default=str))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
