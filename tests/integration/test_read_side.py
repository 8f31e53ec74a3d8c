"""The read side's house rules: a ticket's queue fields are declared once and read back by
name from what the store keeps, and reading the cache never writes (what the UI keeps for
itself goes through `LocalWrites`)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import FROZEN_NOW, sandbox_config
from triage_tui.models.zendesk import Ticket
from triage_tui.read.local_writes import LocalWrites
from triage_tui.read.reads import Reads
from triage_tui.read.workspace import Workspace
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.store.queue_rows import EXCERPT, QueueRow
from triage_tui.triage.incidents import Impact


def stored(**fields) -> dict:
    """A ticket as the poller stores it: validated once, kept as its JSON."""
    return Ticket.model_validate({"created_at": "2026-12-01T09:00:00Z", **fields}).model_dump(mode="json")


def test_the_queue_row_is_derived_once_and_read_back_by_name(tmp_path):
    store, outbox = Store(tmp_path), Outbox(tmp_path)
    long = "The replay player stays blank. " * 20
    ticket = stored(id=7, raw_subject="Replay blank", description=long, status="open", tags=["replay"], group_id=3)
    solved = stored(id=8, subject="Thanks", status="solved")
    assert store.put_tickets([ticket, solved]) == [7, 8]

    row = QueueRow._make(store.unsolved_rows()["7"])
    assert (row.id, row.subject, row.status, row.tags, row.group_id) == (7, "Replay blank", "open", ["replay"], 3)
    assert row.excerpt == long[:EXCERPT]
    assert "8" not in store.unsolved_rows()  # solved: the record is kept, the queue row is not

    config = sandbox_config("http://127.0.0.1:9").replace(cache_dir=tmp_path)
    workspace = Workspace(store, outbox, config, lambda: FROZEN_NOW)
    workspace.load()
    entry = workspace.entries[7]
    assert (entry.ticket.title, entry.ticket.tags, entry.excerpt) == ("Replay blank", ("replay",), long[:EXCERPT])
    # The same entry comes from the stored record when a sync reports the ticket changed.
    workspace.update([7])
    assert workspace.entries[7].ticket == entry.ticket and workspace.entries[7].facts == entry.facts
    store.close()
    outbox.close()


def everything(store: Store) -> dict:
    return {key: store.get(key) for key in store.cache.iterkeys()}


def test_reading_never_writes_and_local_writes_read_back(tmp_path):
    store, outbox = Store(tmp_path), Outbox(tmp_path)
    writes = LocalWrites(store)
    assert writes.save_draft(7, "note", "Half a thought")
    writes.save_impact("01INC", Impact("exports", "ingestion", "the toolbar"))
    writes.save_fired_alerts({"7@2026-12-01T09:00:00+00:00": ["3h"]})

    before = everything(store)
    reads = Reads(store, outbox)
    assert not [name for name in dir(reads) if name.startswith("save_")]
    assert reads.draft(7, "note") == "Half a thought"
    assert reads.impact("01INC") == Impact("exports", "ingestion", "the toolbar")
    assert reads.fired_alerts() == {"7@2026-12-01T09:00:00+00:00": ["3h"]}
    reads.me(), reads.groups(), reads.derived_records(), reads.sync_states(), reads.queued_ticket_ids()
    assert everything(store) == before
    store.close()
    outbox.close()


def test_the_read_side_paints_without_the_models_or_the_http_clients():
    """First paint reads the queue rows as stored: importing the read side must not import
    pydantic (the models) or httpx (the sync's clients), which cost a first paint ~100 ms."""
    code = (
        "import sys; import triage_tui.read.workspace, triage_tui.read.search;"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'httpx'}); print(heavy);"
        "sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
