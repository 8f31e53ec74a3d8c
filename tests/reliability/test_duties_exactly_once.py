"""Issue 26 part B's creates survive kill -9 mid-send: exactly one of each after a restart."""

from __future__ import annotations

import pytest

from tests.reliability.killed_sync import kill_mid_send, stalling, sync_process
from triage_tui.sync.ticket_ref import TicketRef


@pytest.mark.slow
async def test_kill_9_mid_incident_create_leaves_one_incident_with_its_ticket_attached_once(dataset, tmp_path):
    """The create left, the process died before recording it: the restart sends the same
    idempotency key, incident.io answers the same incident, and its ticket is attached once."""
    async with stalling(dataset, tmp_path) as rig:
        sandbox, faults, running, cache_home = rig.sandbox, rig.faults, rig.running, rig.cache_home
        ticket = next(iter(running.store.unsolved().values()))
        entry = running.writes.raise_incident(
            [TicketRef.of(ticket)], name="Exports failing once", summary="s", severity_id="01SEVMINOR", watcher=None
        )
        process = rig.start_sync()

        def made() -> list[dict]:
            return [i for i in sandbox.state.incidents.values() if i["name"] == "Exports failing once"]

        await kill_mid_send(sandbox, faults, process, "incidentio POST /v2/incidents", made)
        assert len(made()) == 1
        again = sync_process(sandbox.url, cache_home, once=True)
        out, err = again.communicate(timeout=60)
        assert again.returncode == 0, out + err
        await running.restart()  # the cache as the next process finds it
        await running.drain()
        [incident] = made()
        attached = [a for a in sandbox.state.incident_attachments if a["incident_id"] == incident["id"]]
        assert [a["resource"]["external_id"] for a in attached] == [str(ticket["id"])]
        sent = running.outbox.get(entry["id"])
        assert sent is not None and sent["status"] == "sent"


@pytest.mark.slow
async def test_kill_9_mid_follow_up_create_leaves_one_follow_up_ticket(dataset, tmp_path):
    """The follow-up's POST left, the process died before recording it: the restart finds
    it among the requester's tickets (by the external_id the entry carries) and does not
    create a second one."""
    async with stalling(dataset, tmp_path) as rig:
        sandbox, faults, running, cache_home = rig.sandbox, rig.faults, rig.running, rig.cache_home
        closed = next(t for t in sandbox.state.tickets.values() if t["status"] == "closed")
        entry = running.writes.follow_up(TicketRef.of(closed), subject="Follow-up once", text="Hey, once.", public=True)
        process = rig.start_sync()

        def follow_ups() -> list[dict]:
            return [t for t in sandbox.state.tickets.values() if t.get("subject") == "Follow-up once"]

        await kill_mid_send(sandbox, faults, process, "zendesk POST /api/v2/tickets", follow_ups)
        assert len(follow_ups()) == 1
        again = sync_process(sandbox.url, cache_home, once=True)
        out, err = again.communicate(timeout=60)
        assert again.returncode == 0, out + err
        assert len(follow_ups()) == 1
        await running.restart()  # the cache as the next process finds it
        sent = running.outbox.get(entry["id"])
        assert (
            sent is not None
            and sent["status"] == "sent"
            and sent.get("note") == "found applied after an interrupted send"
        )
