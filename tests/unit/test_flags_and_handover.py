"""Flags the detail pane shows, the incident hint, and the handover texts."""

import datetime as dt

from triage_tui.triage.flags import ticket_flags
from triage_tui.triage.handover import HandoverTicket, incident_handover, rotation_handover
from triage_tui.triage.incidents import pattern_hint

NOW = dt.datetime(2026, 11, 18, 12, tzinfo=dt.UTC)


def keys(**kw):
    base = {"tags": [], "text": "", "org_name": "Acme"}
    return [flag.key for flag in ticket_flags(**(base | kw))]


def test_content_warning_tag_warns_before_showing_content():
    assert keys(tags=["content_warning"])[0] == "content_warning"


def test_free_email_temp_org_needs_the_real_org():
    assert "temp_org" in keys(org_name="Gmail user - please assign to correct org")
    assert "temp_org" in keys(org_name=None, requester_email="someone@gmail.com")
    assert "temp_org" not in keys(requester_email="someone@acme.com")


def test_self_hosted_users_get_the_open_source_docs():
    assert "self_hosted" in keys(text="We run a self-hosted instance with docker compose")


def test_billing_questions_go_to_billing():
    assert "billing" in keys(text="I was charged twice on my invoice")


def test_legal_and_abusive_messages_are_flagged_not_answered():
    assert "legal" in keys(text="Our lawyer will send a subpoena")
    assert "abusive" in keys(text="you useless morons")


def test_sales_lead_and_incident_and_cs_flags():
    found = keys(tags=["sf-lead", "incident/12", "cs_tagged"], sla_stage="2h")
    assert {"lead", "incident", "cs_tagged", "sla"} <= set(found)


def test_ordinary_ticket_has_no_flags():
    assert keys(text="How do I create a funnel?") == []


def test_several_similar_new_tickets_suggest_raising_an_incident():
    tickets = [
        (1, NOW - dt.timedelta(minutes=5), "Session replay recordings not loading", 5),
        (2, NOW - dt.timedelta(minutes=15), "replay recordings are not loading at all", 5),
        (3, NOW - dt.timedelta(minutes=25), "Recordings not loading in session replay", 5),
        (4, NOW - dt.timedelta(minutes=20), "How do I export a cohort", 5),
        (5, NOW - dt.timedelta(hours=5), "recordings not loading replay", 5),
    ]
    hint = pattern_hint(tickets, NOW)
    assert hint is not None and hint.ticket_ids == (1, 2, 3)
    assert "recordings" in hint.shared_words and "loading" in hint.shared_words


def test_no_hint_for_unrelated_tickets():
    tickets = [(i, NOW, text, 1) for i, text in enumerate(["funnel question", "billing invoice", "flags rollout"])]
    assert pattern_hint(tickets, NOW) is None


def test_incident_handover_has_status_counts_and_what_users_were_told():
    text = incident_handover(
        reference="INC-9",
        name="Ingestion delay",
        status="Monitoring",
        severity="Major",
        broken="ingestion",
        works="dashboards",
        tagged_tickets=14,
        told_users="Hey there,\nWe're on it",
        key_facts=["fix deployed 11:40"],
        now=NOW,
    )
    assert "INC-9" in text and "Monitoring" in text and "Tickets tagged: 14" in text
    assert "Users were told: Hey there," in text and "fix deployed 11:40" in text


def test_rotation_handover_lists_open_then_hold_then_pending():
    text = rotation_handover(
        [
            HandoverTicket(3, "c", "pending"),
            HandoverTicket(1, "a", "open", "waiting on Replay team"),
            HandoverTicket(2, "b", "hold"),
        ],
        engineer="Grace",
        now=NOW,
    )
    lines = text.splitlines()
    assert lines[1].startswith("• #1 [Open] a: waiting on Replay team")
    assert lines[2].startswith("• #2 [On-hold]") and lines[3].startswith("• #3 [Pending]")
