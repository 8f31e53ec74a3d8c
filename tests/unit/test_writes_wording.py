"""The pure rules behind issue 12's writes: greetings, escalation gaps, incident wording."""

from __future__ import annotations

import pytest

from triage_tui.triage.escalation import ESCALATION_TEMPLATE, escalation_gaps
from triage_tui.triage.incidents import follow_up_text, is_resolved, says_resolved, update_text
from triage_tui.triage.macros import changes_from_actions, has_greeting, insertion_text, without_greeting

HEY = "Hey {{ticket.requester.first_name | default: 'there'}},\n\n"


@pytest.mark.parametrize("text", ["Hey Ada,\n\nthanks", "hi there,\nx", HEY + "body", "Hello Linus,"])
def test_greetings_are_recognised(text):
    assert has_greeting(text)


@pytest.mark.parametrize("text", ["Found: x", "Hey, so about that, thanks", "They said hey, later,"])
def test_a_comma_inside_a_sentence_is_not_a_greeting(text):
    assert not has_greeting(text)


def test_a_macro_inserted_into_a_greeted_reply_loses_its_own_greeting():
    assert insertion_text("Hey Edsger,\n\n", "Hey Edsger,\n\nI removed 2FA.") == "I removed 2FA."
    assert insertion_text("", "Hey Edsger,\n\nI removed 2FA.") == "Hey Edsger,\n\nI removed 2FA."
    assert insertion_text("Hey Edsger,\n\n", "Thanks!") == "Thanks!"
    assert without_greeting(HEY + "body") == "body"


def test_macro_text_can_keep_its_placeholders_for_per_ticket_rendering():
    actions = [{"field": "comment_value", "value": HEY + "ticket {{ticket.id}}"}]
    assert changes_from_actions(actions, None).comment == HEY + "ticket {{ticket.id}}"
    rendered = changes_from_actions(actions, {"ticket.requester.first_name": "Ada", "ticket.id": "7"}).comment
    assert rendered == "Hey Ada,\n\nticket 7"


def test_an_untouched_escalation_template_has_both_gaps():
    assert escalation_gaps(ESCALATION_TEMPLATE) == ["Found:", "Needed:"]
    assert escalation_gaps("Found: <what you checked>\nNeeded: <what the team should do>") == ["Found:", "Needed:"]
    assert escalation_gaps("Found: crash\nNeeded: \n\nTicket: x") == ["Needed:"]
    assert escalation_gaps("Found:\n  the SDK drops events\nNeeded: a fix") == []
    assert escalation_gaps("My own note without the fields") == []


@pytest.mark.parametrize(
    ("status", "category"),
    [("Triage", "triage"), ("Investigating", "live"), ("Fixing", "live"), ("Monitoring", "live"), ("Paused", "paused")],
)
def test_an_unresolved_incident_update_never_says_resolved(status, category):
    assert not is_resolved(category)
    text = update_text("INC-9", "Ingestion delays", status, category, "https://status.example.com")
    assert not says_resolved(text) and "not fixed yet" in text and "status.example.com" in text


def test_only_closed_incidents_are_resolved_and_their_follow_up_says_so():
    assert is_resolved("closed") and not is_resolved("live") and not is_resolved("declined")
    assert says_resolved(follow_up_text("INC-9", "Ingestion delays", "https://status.example.com"))


def test_why_next_says_the_tier_and_the_clock():
    from triage_tui.triage.tiers import why_next

    text = why_next(123, 2, 40 * 60)
    assert text.startswith("#123: tier 2, escalated, High priority; 40m to breach")
    assert "breached 10h00m ago" in why_next(5, 4, -10 * 3600)
    assert "no SLA clock (Free plan)" in why_next(5, 3, None, "Free")
