"""Writes take a small ticket reference, not the stored ticket: what a write depends on is
in its signature, and a stored record passed by mistake is a type error (issue 25)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import FROZEN_NOW
from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.sync.writes import Writes
from triage_tui.triage.macros import ChangeSet

ROOT = Path(__file__).resolve().parents[2]

# A ticket as the store keeps it: Zendesk's fields, most of which no write reads.
STORED = {
    "id": 41001,
    "subject": "Events missing since Tuesday",
    "description": "Hi, our events stopped.",
    "status": "open",
    "priority": "high",
    "tags": ["enterprise", "escalated"],
    "requester_id": 7000001001,
    "assignee_id": None,
    "group_id": 360001,
    "organization_id": 9001,
    "custom_fields": [{"id": 1, "value": "x"}],
    "created_at": "2026-12-01T09:00:00Z",
    "updated_at": "2026-12-07T10:15:00Z",
}


def test_a_reference_holds_what_writes_read_and_nothing_else():
    ref = TicketRef.of(STORED)
    assert ref == TicketRef(
        id=41001,
        updated_at="2026-12-07T10:15:00Z",
        tags=("enterprise", "escalated"),
        requester_id=7000001001,
        group_id=360001,
        organization_id=9001,
        priority="high",
    )


def test_a_reference_does_not_change_with_the_record_it_was_taken_from():
    tags = ["enterprise"]
    ref = TicketRef.of({**STORED, "tags": tags})
    tags.append("added later")
    assert ref.tags == ("enterprise",)


def test_a_sparse_record_gives_a_reference_without_the_missing_fields():
    ref = TicketRef.of({"id": 5, "tags": None})
    assert ref == TicketRef(id=5)
    assert ref.updated_at is None and ref.tags == () and ref.requester_id is None


def test_a_write_from_a_reference_carries_its_stamp_and_whole_tag_list(tmp_path):
    store, outbox = Store(tmp_path / "c"), Outbox(tmp_path / "c")
    try:
        writes = Writes(outbox, store, lambda: FROZEN_NOW)
        change = ChangeSet(comment="Hey, fixed", set_tags=("solved-by-us",))
        entry = writes.update_ticket(TicketRef.of(STORED), change, "reply")
    finally:
        store.close()
        outbox.close()
    assert entry["target"] == "zendesk:ticket:41001"
    assert entry["seen_updated_at"] == "2026-12-07T10:15:00Z"
    sent = entry["payload"]["ticket"]
    assert sent["updated_stamp"] == "2026-12-07T10:15:00Z" and sent["safe_update"] is True
    assert sent["tags"] == ["solved-by-us"]


def test_mypy_refuses_a_stored_ticket_dict_where_a_write_wants_a_reference(tmp_path):
    """The point of the reference: passing the stored record is caught before it runs."""
    program = tmp_path / "passes_a_dict.py"
    program.write_text(
        textwrap.dedent(
            """
            from triage_tui.sync.writes import Writes
            from triage_tui.triage.macros import ChangeSet

            def reply(writes: Writes, ticket: dict) -> None:
                writes.update_ticket(ticket, ChangeSet(comment="hi"), "reply")
                writes.update_tickets([ticket], ChangeSet(status="open"), "open")
                writes.follow_up(ticket, subject="s", text="t", public=True)
            """
        )
    )
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", str(program)],
        cwd=ROOT,
        env={**os.environ, "MYPYPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in checked.stdout.splitlines() if "error:" in line]
    assert len(errors) == 3, checked.stdout + checked.stderr
    assert all("incompatible type" in line and '"TicketRef"' in line for line in errors), checked.stdout
