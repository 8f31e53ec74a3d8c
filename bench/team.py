"""A support team on one Zendesk account: N copies of triage-tui against one sandbox.

    .venv/bin/python bench/team.py                # 20 copies (19 `sync` + 1 TUI), then 50, 5 min each
    .venv/bin/python bench/team.py --copies 20 --minutes 2
    .venv/bin/python bench/team.py --relay        # 100 copies through a relay: bench/team_relay.py

Every copy holds an agent token and its own cache (one engineer's dev box each). The
sandbox enforces the real per-account budgets, shared by all copies, and is an account
unlike a fresh one (issue 23): the agents' views in German, "Recently updated tickets"
edited by an admin to leave the Support group out, the deleted tickets list refused to
agents, and agents restricted to three groups. While they run, colleagues change tickets
(reply, reassign, solve) every few seconds and make ghosts: tickets that leave a queue
without changing for it (merged into another, moved to a group out of reach, deleted). The
bench reads each copy's cache once a second to see when each change arrived and each ghost
left, and types an internal note into the TUI (tmux, 80x24) to time it from Enter to Zendesk.

Figures go to the "Team scale" section of bench/results.md.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import itertools
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import tmux_timing
from triage_sandbox.data import generate
from triage_sandbox.server import Sandbox, SandboxSettings
from triage_tui.store.cache import Store
from triage_tui.sync.changes import FEED_MARKER

BIN = Path(sys.executable).parent / "triage-tui"
SECTION = "## Team scale"
REACH = ("Support", "Product Analytics", "Replay")  # the groups the agents are restricted to
GHOSTS = ("merged", "moved", "deleted")  # ways a ticket leaves a queue without changing for it


def config_text(url: str, email: str, cache: Path) -> str:
    return (
        f'cache_dir = "{cache}"\n[zendesk]\nurl = "{url}"\nemail = "{email}"\n'
        f'[incidentio]\nurl = "{url}"\n[github]\nurl = "{url}"\n'
    )


class Colleagues(threading.Thread):
    """Changes a ticket every `every` seconds the way a team does, and remembers when."""

    def __init__(self, sandbox: Sandbox, every: float, ghosts_for: float, seed: int = 3) -> None:
        super().__init__(daemon=True)
        self.sandbox, self.every, self.rng = sandbox, every, random.Random(seed)
        # Ghosts are made in the first minutes only, so that the run can wait for them to
        # leave every copy (a reconciliation pass is 10 minutes) without making more.
        self.ghosts_until = time.time() + ghosts_for
        # (wall time, ticket id, the updated_at to be seen, or a ghost's kind: it must leave)
        self.changes: list[tuple[float, int, str]] = []
        self.stop = threading.Event()
        state = sandbox.state
        self.reach = {g["id"] for g in state.groups.values() if g["name"] in REACH}
        self.outside = sorted(set(state.groups) - self.reach)

    def run(self) -> None:
        while not self.stop.wait(self.every):
            self.change()

    def change(self) -> None:
        state = self.sandbox.state
        with state.lock:
            # Only what the agents can see: a change out of their reach is not theirs to see.
            unsolved = [
                t
                for t in state.tickets.values()
                if t["status"] in ("new", "open", "pending", "hold") and t.get("group_id") in self.reach
            ]
            roll = self.rng.random()
            moment = dt.datetime.now(dt.UTC)
            actor = next(u for u in state.users.values() if u.get("role") == "admin")
            if roll < 0.2 or len(unsolved) < 20:
                # A customer writes in (the pool of tickets in reach must not run dry).
                requester = self.rng.choice([u for u in state.users.values() if u.get("role") == "end-user"])
                support = next(g for g in state.groups.values() if g["name"] == "Support")["id"]
                fields = {"subject": f"Bench ticket {len(self.changes)}", "priority": "normal", "group_id": support}
                created = state.create_ticket(fields, requester, requester, "It is broken.", moment)
                self.changes.append((time.time(), created["id"], created["updated_at"]))
                return
            ticket = self.rng.choice(unsolved)
            # The TUI's note goes to the top of its queue (escalated, CS-tagged): never a ghost.
            safe = {"escalated", "cs_tagged"} & set(ticket.get("tags") or [])
            roll = roll if time.time() < self.ghosts_until and not safe else 0.2 + 0.8 * roll
            if roll < 0.25:
                state.delete_ticket(ticket["id"], actor, moment)
                self.changes.append((time.time(), ticket["id"], "deleted"))
                return
            if roll < 0.30:
                target = self.rng.choice([t for t in unsolved if t["id"] != ticket["id"]])
                state.merge_tickets(target["id"], [ticket["id"]], actor, moment)
                self.changes.append((time.time(), ticket["id"], "merged"))
                self.changes.append((time.time(), target["id"], target["updated_at"]))
                return
            if roll < 0.35:
                ticket["group_id"] = self.rng.choice(self.outside)
                state.touch(ticket, moment)
                self.changes.append((time.time(), ticket["id"], "moved"))
                return
            if roll < 0.5:
                ticket["status"] = "solved"
            elif roll < 0.7:
                ticket["priority"] = self.rng.choice(["low", "normal", "high", "urgent"])
            else:
                ticket["subject"] = f"{ticket.get('subject') or ''} (update {len(self.changes)})"[-120:]
            state.touch(ticket, moment)
            self.changes.append((time.time(), ticket["id"], ticket["updated_at"]))


def open_store(stores: dict[int, Store], index: int, cache: Path) -> Store | None:
    """Copy `index`'s cache, opened once it exists (None until its copy has made it)."""
    if index not in stores:
        if not (cache / "data").exists():
            return None
        try:
            stores[index] = Store(cache)
        except Exception:  # noqa: BLE001 - not created yet by its copy: next round
            return None
    return stores[index]


class Watcher(threading.Thread):
    """Reads every copy's cache once a second: poll completions and when changes arrive."""

    def __init__(self, caches: list[Path], colleagues: Colleagues) -> None:
        super().__init__(daemon=True)
        self.caches, self.colleagues = caches, colleagues
        self.polls: dict[int, list[float]] = {i: [] for i in range(len(caches))}
        self.seen: dict[tuple[int, int], float] = {}  # (copy, change index) -> wall time
        self.stop = threading.Event()

    def run(self) -> None:
        stores: dict[int, Store] = {}
        last_success: dict[int, str] = {}
        while not self.stop.wait(1.0):
            now = time.time()
            changes = list(self.colleagues.changes)
            for index, cache in enumerate(self.caches):
                store = open_store(stores, index, cache)
                if store is None:
                    continue
                state = store.sync_state("zendesk")
                success = state.get("last_success")
                if success and success != last_success.get(index):
                    last_success[index] = success
                    self.polls[index].append(now)
                for n, (_, ticket_id, wanted) in enumerate(changes):
                    if (index, n) in self.seen:
                        continue
                    cached = store.ticket(ticket_id)
                    if wanted in GHOSTS:
                        arrived = str(ticket_id) not in store.unsolved_rows()
                    else:
                        arrived = cached is not None and str(cached.get("updated_at") or "") >= wanted
                    if arrived:
                        self.seen[(index, n)] = now
        for store in stores.values():
            store.close()


def count_statuses(sandbox: Sandbox) -> Counter:
    statuses: Counter = Counter()
    handle = sandbox.app.handle

    def counted(request):
        response = handle(request)
        if request.path.startswith("/api/v2/"):
            statuses[response.status] += 1
        return response

    sandbox.app.handle = counted  # type: ignore[method-assign]  # counted, then answered as before
    return statuses


def note_from_tui(sandbox: Sandbox, config: Path) -> float | None:
    """Type an internal note into the TUI; seconds from Enter (ctrl+s) until Zendesk has it."""
    text = f"bench note {random.randint(1000, 9999)}"
    tmux_timing.tmux("send-keys", "-t", tmux_timing.SESSION, "i")
    time.sleep(1.0)
    tmux_timing.tmux("send-keys", "-t", tmux_timing.SESSION, "-l", text)
    time.sleep(0.5)
    sent = time.time()
    tmux_timing.tmux("send-keys", "-t", tmux_timing.SESSION, "C-s")
    deadline = sent + 120
    while time.time() < deadline:
        with sandbox.state.lock:
            if any(c.get("body") == text for comments in sandbox.state.comments.values() for c in comments):
                return time.time() - sent
        time.sleep(0.05)
    return None


def run(copies: int, minutes: float, tickets: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="triage-team-"))
    data = generate(seed=11, tickets=tickets)
    agents = [u["email"] for u in data["users"] if u.get("role") == "agent"]
    hostile = SandboxSettings(agent_locale="de", edit_default_view=True, deny_deleted=True, restrict_groups=REACH)
    with Sandbox(copy.deepcopy(data), settings=hostile) as sandbox:
        statuses = count_statuses(sandbox)
        caches, processes, logs = [], [], []
        env = {
            **os.environ,
            "TRIAGE_ZENDESK_TOKEN": "sandbox",
            "TRIAGE_INCIDENTIO_TOKEN": "sandbox",
            "TRIAGE_GITHUB_TOKEN": "sandbox",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
        for n in range(copies):
            cache = work / f"copy{n}" / "cache"
            cache.parent.mkdir(parents=True)
            config = work / f"copy{n}" / "config.toml"
            config.write_text(config_text(sandbox.url, agents[n % len(agents)], cache))
            caches.append(cache)
            if n == 0:
                continue  # the TUI, started in tmux below
            log = open(work / f"copy{n}" / "sync.log", "w")  # noqa: SIM115 - closed below
            logs.append(log)
            processes.append(
                subprocess.Popen(
                    [str(BIN), "--config", str(config), "sync"], env=env, stdout=log, stderr=subprocess.STDOUT
                )
            )
        exports = " ".join(f"{k}={v}" for k, v in env.items() if k.startswith(("TRIAGE_", "PYTHON_KEYRING")))
        tmux_timing.start(f"env {exports} {BIN} --config {work / 'copy0' / 'config.toml'}", (80, 24))
        colleagues = Colleagues(sandbox, every=3.0, ghosts_for=min(150.0, minutes * 30))
        watcher = Watcher(caches, colleagues)
        started = time.time()
        colleagues.start()
        watcher.start()
        note_seconds: list[float | None] = []
        end = started + minutes * 60
        while time.time() < end:
            time.sleep(5)
            if len(note_seconds) < 2 and time.time() - started > (minutes * 60) * (0.4 + 0.3 * len(note_seconds)):
                note_seconds.append(note_from_tui(sandbox, work / "copy0" / "config.toml"))
        colleagues.stop.set()
        time.sleep(3)  # a last look for changes made just before the end
        # Then the ghosts: the copies run on until each has left every copy's queue, or 15
        # minutes after it was made (what issue 23 promises), whichever comes first.
        ghosts = [(n, made) for n, (made, _, wanted) in enumerate(colleagues.changes) if wanted in GHOSTS]
        last = max((made for _, made in ghosts), default=time.time())
        while time.time() < last + 15 * 60 and any(
            (index, n) not in watcher.seen for n, _ in ghosts for index in range(copies)
        ):
            time.sleep(5)
        ended = time.time()
        print(tmux_timing.tmux("capture-pane", "-p", "-t", tmux_timing.SESSION), flush=True)
        watcher.stop.set()
        watcher.join(5)
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        tmux_timing.tmux("send-keys", "-t", tmux_timing.SESSION, "q")
        time.sleep(1)
        tmux_timing.stop()
        for log in logs:
            log.close()
        requests = dict(sandbox.state.requests)
        # One feed view per agent, however many copies each agent ran (they started together).
        owners = Counter(
            (v.get("restriction") or {}).get("id")
            for v in sandbox.state.views.values()
            if FEED_MARKER in str(v.get("description") or "")
        )
    # Gaps between completed Zendesk polls per copy (the first starts the clock at the launch).
    gaps = []
    for index in range(copies):
        times = [started] + watcher.polls[index] + [min(end, time.time())]
        gaps.append(max(b - a for a, b in itertools.pairwise(times)))
    changes = colleagues.changes
    latencies, deletions, missed, measured = [], [], 0, 0
    deletions_made = deletions_unseen = 0
    ghosted = {ticket_id: made for made, ticket_id, wanted in changes if wanted in GHOSTS}
    for n, (made, ticket_id, wanted) in enumerate(changes):
        if wanted in GHOSTS:
            # Ghosts leave by reconciliation (one pass of show_many every 10 minutes, the
            # first spread over the first 10): how long they took for the copies whose queue
            # they left before the end, and how many had not yet (due within 12 minutes).
            deletions_made += 1
            for index in range(copies):
                seen = watcher.seen.get((index, n))
                if seen is None:
                    deletions_unseen += 1
                else:
                    deletions.append(seen - made)
            continue
        if made > end - 120:  # made in the last two minutes: may still be on its way
            continue
        if ticket_id in ghosted:
            continue  # it left later (merged, moved, deleted): a copy may rightly never see this
        measured += 1
        for index in range(copies):
            seen = watcher.seen.get((index, n))
            if seen is None:
                missed += 1
            else:
                latencies.append(seen - made)
    zendesk_requests = sum(v for k, v in requests.items() if k.startswith("zendesk "))
    shutil.rmtree(work, ignore_errors=True)
    return {
        "copies": copies,
        "minutes": minutes,
        "max_gap": max(gaps),
        "median_gap": statistics.median(gaps),
        "latency_median": statistics.median(latencies) if latencies else float("nan"),
        "latency_max": max(latencies) if latencies else float("nan"),
        "missed": missed,
        "changes": measured,
        "tail_minutes": (ended - end) / 60,
        "deleted_median": statistics.median(deletions) if deletions else float("nan"),
        "deleted_max": max(deletions) if deletions else float("nan"),
        "deletions": deletions_made,
        "deletions_unseen": deletions_unseen,
        "answers_429": statuses.get(429, 0),
        "answers_403": statuses.get(403, 0),
        "zendesk_per_minute": zendesk_requests / ((ended - started) / 60),
        "note_seconds": note_seconds,
        "feed_views": f"{sum(owners.values())} for {len(owners)} agents",
    }


def table(results: list[dict]) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        SECTION,
        "",
        (
            f"Measured {dt.date.today().isoformat()} on {machine} by `bench/team.py`: "
            "one sandbox account (Enterprise budget,"
        ),
        "agent tokens restricted to 3 groups, views in German, the default view edited, deleted tickets refused),",
        "every copy with its own cache, colleagues changing a ticket every 3 s (a fifth new tickets; in the first",
        "2.5 minutes 5% deleted, 5% merged, 5% moved out of reach), then the copies left running until every",
        "ghost had left every copy's queue (minutes: changes + that wait; requests a minute over both).",
        "",
        (
            "| copies | minutes | Zendesk req/min (account) | 429s | 403s | longest gap between a copy's polls "
            "| change seen: median / worst | ghost left: median / worst (not yet left at the end) | changes missed "
            "| TUI note landed in | feed views |"
        ),
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        notes = ", ".join("never" if s is None else f"{s:.1f} s" for s in r["note_seconds"]) or "-"
        lines.append(
            f"| {r['copies']} | {r['minutes']:g} + {r['tail_minutes']:.1f} | {r['zendesk_per_minute']:.0f} | "
            f"{r['answers_429']} | {r['answers_403']} | "
            f"{r['max_gap']:.0f} s | {r['latency_median']:.0f} s / {r['latency_max']:.0f} s | "
            f"{r['deleted_median']:.0f} s / {r['deleted_max']:.0f} s "
            f"({r['deletions_unseen']} of {r['deletions'] * r['copies']}) | "
            f"{r['missed']} of {r['changes'] * r['copies']} | {notes} | {r['feed_views']} |"
        )
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    results = HERE / "results.md"
    existing = results.read_text() if results.exists() else ""
    kept = re.split(rf"^{re.escape(SECTION)}$", existing, maxsplit=1, flags=re.MULTILINE)[0].rstrip()
    results.write_text((kept + "\n\n" if kept else "") + text)


def main() -> None:
    if "--relay" in sys.argv[1:]:
        # The same team through a relay (issue 27's measurements): bench/team_relay.py, whose
        # flags follow (--copies N, --steady MIN, --outage S, --after S, --tickets N).
        import team_relay

        sys.argv.remove("--relay")
        team_relay.main()
        return
    # A tmux server of the bench's own: other people's sessions on this machine are not touched.
    os.environ["TMUX_TMPDIR"] = tempfile.mkdtemp(prefix="triage-team-tmux-")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="*", default=[20, 50])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--tickets", type=int, default=2000)
    args = parser.parse_args()
    if not shutil.which("tmux"):
        sys.exit("bench needs tmux")
    results = []
    for copies in args.copies:
        print(f"{copies} copies for {args.minutes:g} min…", flush=True)
        results.append(run(copies, args.minutes, args.tickets))
        print(results[-1], flush=True)
    text = table(results)
    write_section(text)
    print(text)


if __name__ == "__main__":
    main()
