"""Flags the detail pane shows and the handover texts."""

import datetime as dt

from triage_tui.triage.flags import ticket_flags
from triage_tui.triage.handover import HandoverTicket, Update, custom_field_text, incident_handover, rotation_handover

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


TEMPLATE = (
    "Hey {{ticket.requester.first_name | default: 'there'}},\n\n"
    "We're dealing with an incident affecting {{ticket.organization.name}} ingestion. "
    "You can follow along on our status page: https://status.posthog.com\n"
    "What is degraded: queries\nWhat works: capture\n\n"
    "{{current_user.first_name}}"
)


def _handover(**overrides) -> str:
    values = {
        "reference": "INC-9",
        "name": "Ingestion delay",
        "status": "Monitoring",
        "severity": "Major",
        "broken": "ingestion",
        "works": "dashboards",
        "degraded": "queries are slow",
        "tagged_tickets": 14,
        "macro_text": TEMPLATE,
        "summary": "Events arrive late; nothing is lost.",
        "updates": [Update(NOW.replace(hour=11, minute=40), "Fix deployed, monitoring")],
        "now": NOW,
    }
    return incident_handover(**{**values, **overrides})


def test_incident_handover_has_status_counts_key_facts_and_the_degraded_field():
    """support-handbook.md (Support Watcher): handovers carry status, ticket count, key facts,
    what users were told; the macro says "what's broken, what's working, what's degraded"."""
    text = _handover()
    assert "INC-9" in text and "Monitoring" in text and "Tickets tagged: 14" in text
    assert "• Degraded: queries are slow" in text
    assert "Events arrive late; nothing is lost." in text and "Fix deployed, monitoring (11:40 UTC)" in text


def test_users_were_told_what_the_macro_says_as_they_read_it_never_its_placeholders():
    told = next(line for line in _handover().splitlines() if line.startswith("• Users were told:"))
    assert "{{" not in told and "Hey" not in told
    assert "We're dealing with an incident affecting ingestion." in told
    assert "status page: https://status.posthog.com What is degraded: queries. What works: capture." in told
    assert told.endswith("(the incident macro)")


def test_without_a_macro_users_were_told_the_latest_update():
    told = next(line for line in _handover(macro_text=None).splitlines() if line.startswith("• Users were told:"))
    assert "Fix deployed, monitoring (latest update (11:40 UTC); no incident macro yet)" in told
    assert "nothing yet" in _handover(macro_text=None, updates=[])


def test_degraded_can_come_from_the_incidents_custom_field():
    """incident.io has no built-in "degraded" field (openapi3.json: IncidentV2); an organisation
    may add one, carried as CustomFieldEntryV2 {custom_field: {name}, values: [...]}."""
    entries = [
        {"custom_field": {"name": "Affected Team"}, "values": [{"value_option": {"value": "Product"}}]},
        {"custom_field": {"name": "What's degraded"}, "values": [{"value_text": "Insights load slowly"}]},
    ]
    assert custom_field_text(entries, "degraded") == "Insights load slowly"
    assert custom_field_text([], "degraded") == ""


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
