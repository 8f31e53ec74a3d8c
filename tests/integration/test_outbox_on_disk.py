"""Writes queued by an earlier version are sent by this one: the outbox on disk is the
contract between versions (a user upgrades with writes still queued).

The entries below are written straight into the outbox's cache, field for field as the
version before the typed write kinds stored them (kind and target as plain strings), not
through `Writes`: what this version builds must not be what the test reads back.
"""

from __future__ import annotations

from tests.conftest import FROZEN_NOW
from tests.helpers import Engine


def stored_entry(seq: int, kind: str, target: str, payload: dict, *, status: str = "pending", attempts: int = 0):
    """An outbox entry in its on-disk form as of December 2026."""
    return {
        "id": f"{seq:012d}",
        "seq": seq,
        "kind": kind,
        "target": target,
        "payload": payload,
        "summary": f"queued before the upgrade ({kind})",
        "created_at": FROZEN_NOW.isoformat(),
        "seen_updated_at": None,
        "status": status,
        "attempts": attempts,
        "last_error": None,
        "retry_at": None,
    }


def queue_on_disk(engine: Engine, entries: list[dict]) -> None:
    cache = engine.outbox.cache
    for entry in entries:
        cache.set(f"entry:{entry['id']}", entry)
    cache.set("meta:seq", max(entry["seq"] for entry in entries))


async def test_writes_queued_by_the_previous_version_are_sent_once(engine, strict):
    sandbox = strict
    first, second = list(engine.store.unsolved().values())[:2]
    incident = next(iter(sandbox.state.incidents.values()))
    repo, issues = next((repo, items) for repo, items in sandbox.state.issues.items() if items)
    number = issues[0]["number"]
    reply = {"comment": {"body": "Queued before the upgrade", "public": True}}
    already = {"comment": {"body": "Sent before the upgrade, answer lost", "public": False}}
    queue_on_disk(
        engine,
        [
            stored_entry(
                1,
                "ticket_update",
                f"zendesk:ticket:{first['id']}",
                {
                    "ticket_id": first["id"],
                    "ticket": {**reply, "updated_stamp": first["updated_at"], "safe_update": True},
                },
            ),
            stored_entry(
                2,
                "ticket_tags",
                f"zendesk:ticket:{first['id']}",
                {"ticket_id": first["id"], "action": "add", "ticket": {"tags": ["upgraded_tag"]}},
            ),
            # Left "sending" by a process killed after Zendesk had it: checked, not resent.
            stored_entry(
                3,
                "ticket_update",
                f"zendesk:ticket:{second['id']}",
                {"ticket_id": second["id"], "ticket": already},
                status="sending",
                attempts=1,
            ),
            stored_entry(
                4,
                "incident_attach",
                f"incidentio:incident:{incident['id']}",
                {"incident_id": incident["id"], "ticket_id": first["id"]},
            ),
            stored_entry(
                5,
                "github_labels",
                f"github:issue:{repo}#{number}",
                {"repo": repo, "number": number, "labels": ["upgraded-label"]},
            ),
        ],
    )
    await engine.clients.zendesk.update_ticket(second["id"], {"ticket": already})

    await engine.drain()

    assert {e["id"]: e["status"] for e in engine.outbox.entries()} == {f"{n:012d}": "sent" for n in range(1, 6)}
    bodies = [c["body"] for c in sandbox.state.comments[first["id"]]]
    assert bodies.count("Queued before the upgrade") == 1
    assert "upgraded_tag" in sandbox.state.tickets[first["id"]]["tags"]
    resent = [c["body"] for c in sandbox.state.comments[second["id"]]]
    assert resent.count("Sent before the upgrade, answer lost") == 1
    assert engine.outbox.get(f"{3:012d}")["note"] == "found applied after an interrupted send"
    attached = [a for a in sandbox.state.incident_attachments if a["incident_id"] == incident["id"]]
    assert [a["resource"]["external_id"] for a in attached].count(str(first["id"])) == 1
    issue = next(i for i in sandbox.state.issues[repo] if i["number"] == number)
    assert "upgraded-label" in [label["name"] for label in issue["labels"]]
    # The next write this version queues follows the ones on disk, never reusing their ids.
    assert int(engine.writes.label_issue(repo, number, ["after"])["id"]) == 6


async def test_queued_writes_that_rebuild_their_tickets_when_sent_still_send(engine, strict):
    """Two writes read their tickets back when they are sent, not when queued: an incident's
    create (its answer queues each ticket's tag and attachment) and a bug report's issue
    (its answer queues the reply, on the version the user saw). Queued by the version
    whose writes took the stored ticket dict, they send with this one."""
    sandbox = strict
    first, second = sorted(
        (t for t in engine.store.unsolved().values() if t["status"] in ("new", "open")), key=lambda t: t["id"]
    )[:2]
    report = {
        "kind": "bug",
        "ticket_id": second["id"],
        "ticket_url": f"https://example.zendesk.com/agent/tickets/{second['id']}",
        "first_name": "Ada",
        "title": "Queued before the upgrade: funnels at 0%",
        "notes": "Steps: open the funnel",
        "priority": "high",
    }
    queue_on_disk(
        engine,
        [
            stored_entry(
                1,
                "incident_create",
                "incidentio:incident:new-triage-tui-upgrade",
                {
                    "incident": {
                        "idempotency_key": "triage-tui-upgrade",
                        "name": "Raised before the upgrade",
                        "summary": "Exports failing",
                        "visibility": "public",
                        "mode": "standard",
                    },
                    "ticket_ids": [first["id"], second["id"]],
                },
            ),
            stored_entry(
                2,
                "github_issue_create",
                "github:issues:PostHog/posthog",
                {
                    "repo": "PostHog/posthog",
                    "title": report["title"],
                    "body": "Steps: open the funnel\n\n<!-- triage-tui:upgrade0000 -->",
                    "labels": ["bug"],
                    "marker": "upgrade0000",
                    "then": {
                        "ticket_id": second["id"],
                        "report": report,
                        "existing": False,
                        "seen_updated_at": second["updated_at"],
                        "channel": None,
                    },
                },
            ),
        ],
    )

    await engine.drain()
    await engine.drain()

    assert [e["status"] for e in engine.outbox.entries()] == ["sent"] * len(engine.outbox.entries())
    [incident] = [i for i in sandbox.state.incidents.values() if i["name"] == "Raised before the upgrade"]
    tag = f"incident/{incident['reference'].split('-')[-1]}"
    attached = [a["resource"]["external_id"] for a in sandbox.state.incident_attachments]
    for ticket in (first, second):
        assert tag in sandbox.state.tickets[ticket["id"]]["tags"]
        assert attached.count(str(ticket["id"])) == 1
    [issue] = [i for i in sandbox.state.issues["PostHog/posthog"] if i["title"] == report["title"]]
    replies = [c["body"] for c in sandbox.state.comments[second["id"]] if issue["html_url"] in c["body"]]
    assert len(replies) == 1 and replies[0].startswith("Hey Ada")
    assert sandbox.state.tickets[second["id"]]["status"] == "pending"
