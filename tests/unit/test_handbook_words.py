"""The handbook's words live in triage/ as pure functions: the seven tiers as one type with
every word the app says of them, why `n` chose a ticket, the escalation note, the SLA
sentences, the SDK issues' routing order. The UI only places them."""

from __future__ import annotations

import pytest

from triage_tui.triage.escalation import ESCALATION_TEMPLATE, escalation_gaps, escalation_refusal, escalation_title
from triage_tui.triage.ranking import RankRules, TicketFacts, rank, tier_of
from triage_tui.triage.sdk_issues import is_mobile_issue, issue_order, issue_rank
from triage_tui.triage.sdk_tickets import breach_order, rotation_tickets
from triage_tui.triage.sla_words import breach_phrase, detail_sla, sla_placeholder
from triage_tui.triage.status_words import GREETING, SOLVED_NOTE, STATUS_TITLES, status_title
from triage_tui.triage.tiers import Tier, tier_column, why_next


def test_the_seven_tiers_are_one_type_in_the_handbooks_order():
    assert [int(t) for t in Tier] == [1, 2, 3, 4, 5, 6, 7]
    assert Tier(2) is Tier.ESCALATED_HIGH and Tier.WAITING == 7


@pytest.mark.parametrize(
    ("tier", "label", "reason", "meaning", "brief"),
    [
        (
            1,
            "CS",
            "Customer Success tagged the team",
            "Customer Success tagged the team (urgent)",
            "CS tagged the team",
        ),
        (2, "Esc High", "escalated, High priority", "escalated, High or Urgent priority", "escalated, High"),
        (3, "Escalated", "escalated, Normal priority", "escalated, Normal priority", "escalated, Normal"),
        (
            4,
            "SLA <3h",
            "nearing or past its SLA breach",
            "New or Open, less than 3h to breach",
            "nearing or past breach",
        ),
        (5, "Low pri", "open, Low priority", "Open, Low priority", ""),
        (6, "Queue", "in the queue", "the rest that awaits us", ""),
        (7, "Waiting", "waiting on the customer", "waiting on the customer", ""),
    ],
)
def test_each_tier_carries_every_word_the_app_says_of_it(tier, label, reason, meaning, brief):
    assert Tier(tier).words == (label, reason, meaning, brief)


def test_the_tier_column_says_breached_once_a_tier_4_clock_has_run_out():
    assert tier_column(4, breached=True) == "Breached"
    assert tier_column(4, breached=False) == "SLA <3h"
    assert tier_column(2, breached=True) == "Esc High"
    assert tier_column(8, breached=False) == ""  # a search result that left the queue has no tier


def test_ranking_answers_with_the_tier_type():
    facts = TicketFacts(1, "pending", tags=frozenset({"cs_tagged"}))
    import datetime as dt

    now = dt.datetime(2026, 11, 18, 12, tzinfo=dt.UTC)
    assert tier_of(facts, now, RankRules()) is Tier.WAITING
    assert rank([facts], now, RankRules())[0].tier is Tier.WAITING


def test_why_next_says_the_tier_its_reason_and_the_clock():
    text = why_next(123, 2, 40 * 60)
    assert text == (
        "#123: tier 2, escalated, High priority; 40m to breach "
        "(tiers first, then closest to breach; nothing unassigned or yours awaiting a reply ranks above it)"
    )
    assert "tier 4, nearing or past its SLA breach; breached 10h00m ago" in why_next(5, 4, -10 * 3600)
    assert "no SLA clock (Free plan)" in why_next(5, 3, None, "Free")
    assert "tier 3, escalated, Normal priority; no SLA clock (" in why_next(5, 3, None)


def test_the_clock_in_words():
    assert breach_phrase(None) == "no SLA clock"
    assert breach_phrase(None, "Free") == "no SLA clock (Free plan)"
    assert breach_phrase(-3600) == "breached 1h00m ago"
    assert breach_phrase(2400) == "40m to breach"


def test_an_escalation_note_states_the_sla_in_business_hours():
    assert sla_placeholder("idle", None) == "no SLA clock"
    assert sla_placeholder("paused", 600) == "paused (pending or on-hold)"
    assert sla_placeholder("running", None) == "no SLA clock"
    assert sla_placeholder("running", -7200) == "breached 2h00m ago (business hours)"
    assert sla_placeholder("running", 5400) == "1h30m to breach (business hours)"


def test_the_detail_says_the_clock_and_where_it_comes_from():
    assert (
        detail_sla("pending", "paused", 7200, None, None, from_zendesk=True) == "paused (Pending, 2h00m left) · Zendesk"
    )
    assert detail_sla("hold", "running", None, 60, "1h", from_zendesk=False) == "paused (On-hold) · handbook"
    assert detail_sla("open", "idle", None, None, None, from_zendesk=False) == "no clock"
    assert detail_sla("open", "running", None, 1800, "1h", from_zendesk=False) == "30m (1h) · handbook"
    assert detail_sla("new", "running", None, -60, None, from_zendesk=True) == "-1m · Zendesk"


def test_the_escalation_note_and_what_refuses_an_untouched_one():
    assert ESCALATION_TEMPLATE.startswith("Found: \nNeeded: \n\nCustomer: ")
    assert escalation_gaps(ESCALATION_TEMPLATE) == ["Found:", "Needed:"]
    assert escalation_gaps("Found: crash\nNeeded: \n\nTicket: x") == ["Needed:"]
    assert escalation_refusal([], "Replay") is None
    assert escalation_refusal(["Found:", "Needed:"], "Replay") == (
        "Not sent: nothing under Found: and Needed: yet. Say what you found and what "
        "Replay needs to do (the rest is filled in)."
    )
    assert escalation_title("Replay") == "Escalate to Replay: what you found, what is needed"


def test_the_composer_is_titled_by_the_status_it_sets():
    assert GREETING == "Hey {{ticket.requester.first_name | default: 'there'}},\n\n"
    assert STATUS_TITLES["hold"] == "On-hold: tell the customer why (use sparingly)"
    assert status_title("pending", "Macro") == STATUS_TITLES["pending"]
    assert status_title(None, "Macro") == "Macro"
    assert status_title("new", "Macro") == "Macro"  # no title of its own: the flow's stays
    assert SOLVED_NOTE == "The customer can reopen within 20 days; a CSAT survey follows after 3 days."


def _issue(repo, *labels, created="2026-11-01"):
    return {"repo": repo, "labels": [{"name": n} for n in labels], "created_at": created}


def test_sdk_issues_needing_a_label_come_first_then_the_heros_then_the_teams():
    teams, hero = ["team/replay"], "SDK Support Hero"
    assert issue_rank(_issue("PostHog/posthog-js", "bug"), teams, hero) == 0  # "bug" routes nowhere
    assert issue_rank(_issue("PostHog/posthog-js", hero), teams, hero) == 1
    assert issue_rank(_issue("PostHog/posthog-js", "team/anything"), teams, hero) == 2
    mobile = ["PostHog/posthog-ios"]
    issues = [
        _issue("PostHog/posthog-js", "team/replay", created="2026-10-01"),
        _issue("PostHog/posthog-js", created="2026-10-02"),
        _issue("PostHog/posthog-ios", created="2026-10-03"),
    ]
    ordered = sorted(issues, key=lambda i: issue_order(i, teams, hero, mobile))
    assert [i["created_at"] for i in ordered] == ["2026-10-03", "2026-10-02", "2026-10-01"]


def test_a_mobile_sdk_issue_is_one_in_a_mobile_repo_or_labelled_team_mobile():
    mobile = ["PostHog/posthog-ios"]
    assert is_mobile_issue(_issue("PostHog/posthog-ios"), mobile)
    assert is_mobile_issue(_issue("PostHog/posthog-js", "team/mobile"), mobile)
    assert not is_mobile_issue(_issue("PostHog/posthog-js", "bug"), mobile)


def test_the_rotations_zendesk_tickets_are_each_shown_once_mobile_if_a_mobile_view_holds_it():
    one, two, three = {"id": 1}, {"id": 2}, {"id": 3}
    views = [
        {"title": "Escalated SDK tickets", "tickets": [one, two]},
        {"title": "Mobile SDK tickets", "mobile": True, "tickets": [two, three]},
        {"title": "Broken view", "error": "403"},
    ]
    assert rotation_tickets(views) == [(one, False), (two, True), (three, True)]


def test_the_rotations_zendesk_tickets_closest_to_breach_first_mobile_first_at_a_tie_no_clock_last():
    rows = [(None, True, {"id": 1}), (600.0, False, {"id": 2}), (-60.0, False, {"id": 3}), (600.0, True, {"id": 4})]
    assert [t["id"] for _, _, t in sorted(rows, key=breach_order)] == [3, 4, 2, 1]
