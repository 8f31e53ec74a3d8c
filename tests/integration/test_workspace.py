"""The workspace after a sync: updating only the changed tickets gives the same queue as
reading the whole cache again."""

from __future__ import annotations

import copy
import datetime as dt
import random
import shutil

from tests.conftest import FROZEN_NOW, sandbox_config
from triage_tui.read.workspace import Workspace
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox


def queue_of(workspace: Workspace) -> list[tuple]:
    return [(r.entry.id, r.tier, r.entry.plan, r.entry.requester, r.entry.ticket.title) for r in workspace.rows("all")]


def open_workspace(directory) -> tuple[Workspace, Store, Outbox]:
    store, outbox = Store(directory), Outbox(directory)
    config = sandbox_config("http://127.0.0.1:9").replace(cache_dir=directory)
    return Workspace(store, outbox, config, lambda: FROZEN_NOW), store, outbox


def test_updating_changed_tickets_matches_a_full_reload(filled_cache, tmp_path):
    directory = tmp_path / "cache"
    shutil.copytree(filled_cache, directory)
    workspace, store, outbox = open_workspace(directory)
    workspace.load()
    rng = random.Random(3)
    ids = sorted(workspace.entries)
    for round_number in range(5):
        changed = []
        for ticket_id in rng.sample(ids, 6):
            stored = store.ticket(ticket_id)
            assert stored is not None
            ticket = copy.deepcopy(stored)
            ticket["updated_at"] = (FROZEN_NOW + dt.timedelta(minutes=round_number + 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            ticket["priority"] = rng.choice(["low", "normal", "high", "urgent"])
            ticket["status"] = rng.choice(["open", "pending", "solved", "hold"])
            ticket["tags"] = sorted(set(ticket["tags"]) ^ {"escalated"})
            changed.append(ticket)
        brand_new = copy.deepcopy(changed[0])
        brand_new["id"] = 990_000 + round_number
        brand_new["status"] = "new"
        changed.append(brand_new)
        workspace.update(store.put_tickets(changed))

        fresh, fresh_store, fresh_outbox = open_workspace(directory)
        fresh.load()
        assert queue_of(workspace) == queue_of(fresh)
        assert brand_new["id"] in workspace.entries
        fresh_store.close()
        fresh_outbox.close()
    store.close()
    outbox.close()
