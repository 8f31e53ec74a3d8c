"""The handbook's bug report and feature request texts ("How do I handle a bug report or
feature request?" in support-hero.md; the mobile escalation in sdk-support-rotation.md)."""

from __future__ import annotations

import pytest

from triage_tui.triage import bug_reports as br
from triage_tui.triage.bug_reports import repo_for

URL = "https://posthoghelp.zendesk.com/agent/tickets/41002"
ISSUE = "https://github.com/PostHog/posthog/issues/27200"


def report(kind: str = br.BUG, priority: str = "normal", notes: str = "Steps: open the funnel") -> br.BugReport:
    return br.BugReport(kind, 41002, URL, "Ada", "Funnel breaks", notes, priority)


def test_the_issue_body_carries_the_notes_the_from_line_and_a_hidden_marker():
    body = br.issue_body(report(), "abc123")
    assert body.startswith("Steps: open the funnel")
    assert f"From: {URL}" in body.split("### Additional context")[1]
    assert body.endswith("<!-- triage-tui:abc123 -->")
    assert f"From: {URL}" in br.plus_one_body(report(), "m") and br.plus_one_body(report(), "m").startswith("+1")


def test_labels_follow_the_handbook_forms():
    assert br.LABELS[br.BUG] == ["bug"] and br.LABELS[br.FEATURE] == ["enhancement", "feature"]


def test_the_reply_thanks_links_and_says_how_to_follow():
    new_bug = br.customer_reply(report(), ISSUE, existing=False)
    assert new_bug.startswith("Hey Ada, thanks") and ISSUE in new_bug and "follow it on GitHub" in new_bug
    known_feature = br.customer_reply(report(br.FEATURE), ISSUE, existing=True)
    assert '"+1"' in known_feature and "upvote" in known_feature and ISSUE in known_feature


def test_status_pending_after_a_bug_solved_when_the_link_is_all_they_need():
    assert br.status_after(report(br.BUG)) == "pending"
    assert br.status_after(report(br.FEATURE)) == "solved"


def test_low_priority_feature_requests_get_the_link_to_open_one():
    low = report(br.FEATURE, priority="low")
    assert low.low_priority_feature and not report(br.BUG, priority="low").low_priority_feature
    assert br.NEW_ISSUE_CHOOSER in br.low_priority_reply(low)


def test_the_team_alert_and_channel():
    assert br.team_alert(report(priority="high"), ISSUE) == f"New bug report from a high priority customer: {ISSUE}"
    assert br.team_alert(report(br.FEATURE), ISSUE) == f"New feature request from a customer: {ISSUE}"
    assert br.team_channel("Product Analytics") == "#team-product-analytics"
    assert br.team_channel("Support") is None and br.team_channel(None) is None


def test_search_words_drop_stop_words_and_punctuation():
    assert br.search_words("Funnel conversion drops to zero after step 3!") == "funnel conversion drops zero step"


def test_a_mobile_escalation_mentions_the_client_libraries_team():
    assert br.escalation_comment("crash on iOS 15") == "@PostHog/team-client-libraries crash on iOS 15"
    assert br.escalation_comment("").startswith("@PostHog/team-client-libraries ")


SDKS = [
    "PostHog/posthog-js",
    "PostHog/posthog-python",
    "PostHog/posthog-ios",
    "PostHog/posthog-android",
    "PostHog/posthog-react-native",
]


@pytest.mark.parametrize(
    ("text", "repo", "named"),
    [
        ("Since posthog-ios 3.x our app crashes at launch on iOS 15.", "PostHog/posthog-ios", "posthog-ios"),
        ("posthog.js autocapture misses clicks", "PostHog/posthog-js", "posthog.js"),
        ("Replay is blank in our React Native app (Expo)", "PostHog/posthog-react-native", "react native"),
        ("The Python SDK drops events on exit", "PostHog/posthog-python", "python sdk"),
        # A language the product is used from, not its SDK: the product's repository.
        ("We query the API from Python and get 500s", "PostHog/posthog", None),
        ("Funnel conversion drops to zero after step 3", "PostHog/posthog", None),
        # Whole words only.
        ("Biosphere dashboards load slowly", "PostHog/posthog", None),
    ],
)
def test_a_bug_report_goes_to_the_sdk_the_ticket_names(text, repo, named):
    assert repo_for(text, SDKS, "PostHog/posthog") == (repo, named)


def test_the_sdk_named_most_wins():
    text = "Works on Android. On iOS it crashes; iOS 17 and iOS 18 both."
    assert repo_for(text, SDKS, "PostHog/posthog")[0] == "PostHog/posthog-ios"
