"""The pure parts of issue 26 part B: handover history, field edits, guards, texts."""

from __future__ import annotations

import datetime as dt

import pytest

from triage_tui.triage.corrections import parse_follow_up, real_org_choices
from triage_tui.triage.field_edits import change_for, options, severity_field
from triage_tui.triage.guards import reply_guard
from triage_tui.triage.handover import Done, QueueItem, done_since, hero_handover, rotation_start
from triage_tui.triage.incident_text import IncidentDraft, parse_incident_text

NOW = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC)  # a Wednesday


def sent(kind: str, target: str, payload: dict, when: dt.datetime = NOW) -> dict:
    return {"kind": kind, "target": target, "payload": payload, "status": "sent", "sent_at": when.isoformat()}


def test_what_i_did_reads_the_sent_history_of_this_rotation_only():
    entries = [
        sent("ticket_update", "zendesk:ticket:1", {"ticket": {"comment": {"body": "hi", "public": True}}}),
        sent("ticket_update", "zendesk:ticket:1", {"ticket": {"comment": {"body": "again", "public": True}}}),
        sent(
            "ticket_update", "zendesk:ticket:2", {"ticket": {"comment": {"body": "n", "public": False}, "group_id": 5}}
        ),
        sent("github_labels", "github:issue:PostHog/posthog-js#9", {"labels": ["x"]}),
        sent("ticket_update", "zendesk:ticket:3", {"ticket": {"comment": {"body": "old"}}}, NOW - dt.timedelta(days=7)),
        {**sent("ticket_update", "zendesk:ticket:4", {"ticket": {"status": "open"}}), "status": "pending"},
    ]
    done = done_since(entries, rotation_start(NOW))
    assert done == [Done("Replied", "#1"), Done("Escalated", "#2"), Done("Labelled", "PostHog/posthog-js#9")]
    assert rotation_start(NOW) == dt.datetime(2026, 11, 16, tzinfo=dt.UTC)


def test_hero_handover_keeps_tiers_1_to_4_and_asks_for_a_next_step_where_none_is_written():
    items = [
        QueueItem(5, "b", "open", 4),
        QueueItem(4, "a", "new", 2, "me", "wait for Replay"),
        QueueItem(6, "c", "open", 5),
    ]
    text = hero_handover(items, [], engineer="Sam", groups=["Support"], now=NOW, since=rotation_start(NOW))
    lines = text.splitlines()
    assert lines[3] == "• #4 [New, tier 2: escalated, High; me] a" and lines[4] == "  next: wait for Replay"
    assert lines[5].startswith("• #5 [Open, tier 4") and "unassigned" in lines[5] and "add one" in lines[6]
    assert "#6" not in text and "Nothing sent from triage-tui" in text


def test_field_edits_build_safe_single_field_changes():
    fields = [{"id": 7, "title": "Severity", "custom_field_options": [{"name": "Sev 1", "value": "sev_1"}]}]
    severity = severity_field(fields, "severity")
    assert severity is not None
    assert change_for("severity", "sev_1", severity=severity).to_payload(updated_stamp="t", me=1, current_tags=[]) == {
        "ticket": {"custom_fields": [{"id": 7, "value": "sev_1"}], "safe_update": True, "updated_stamp": "t"}
    }
    assert [o.key for o in options("assignee", severity=None, groups={}, agents={2: "Ann", 1: "Zed"}, me=1)] == [
        "1",
        "2",
    ]
    with pytest.raises(ValueError):
        change_for("priority", "sky-high", severity=None)


def test_guards_and_texts():
    for tags, texts in ((["legal"], ["x"]), ([], ["you useless morons"])):
        guard = reply_guard(1, tags, texts)
        assert guard is not None and guard.action == "ask"
    community = reply_guard(1, [], ["see https://posthog.com/questions/abc please"])
    assert (
        community is not None
        and community.action == "refuse"
        and community.question_url == "https://posthog.com/questions/abc"
    )
    assert reply_guard(1, ["billing"], ["invoice"]) is None
    assert parse_incident_text("\nbody") == "Not raised: the first line is the incident's name, and it is empty."
    assert parse_incident_text("Name\n\nbody\n") == IncidentDraft("Name", "body")
    assert isinstance(parse_follow_up("Subject\n\nHey Ada,\n\n"), str)  # a greeting alone is not a message
    assert parse_follow_up("Subject\nHey Ada,\n\nfixed") == ("Subject", "Hey Ada,\n\nfixed")
    orgs = [
        {"id": 1, "name": "Gmail user - please assign to correct org"},
        {"id": 2, "name": "Zeta", "domain_names": ["z.io"]},
        {"id": 3, "name": "Acme"},
    ]
    assert [(c.id, c.hint) for c in real_org_choices(orgs, "a@z.io")] == [(2, "matches their email"), (3, "")]


def test_my_last_internal_note_per_ticket_is_the_next_step_where_the_conversation_is_not_cached():
    from triage_tui.triage.handover import my_last_notes

    entries = [
        sent("ticket_update", "zendesk:ticket:7", {"ticket": {"comment": {"body": "\nfirst idea", "public": False}}}),
        sent(
            "ticket_update",
            "zendesk:ticket:7",
            {"ticket": {"comment": {"body": "ask Replay\nmore", "public": False}}},
            NOW + dt.timedelta(minutes=1),
        ),
        sent("ticket_update", "zendesk:ticket:8", {"ticket": {"comment": {"body": "public", "public": True}}}),
    ]
    assert my_last_notes(entries) == {7: "ask Replay"}
