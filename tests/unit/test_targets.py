"""Outbox targets and write kinds: typed values, written and read back in one place."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from triage_tui.sync.sender import HANDLERS
from triage_tui.targets import Target, WriteKind, ticket_ids


def test_the_targets_the_outbox_has_always_stored():
    assert str(Target.ticket(123)) == "zendesk:ticket:123"
    assert str(Target.incident("01INC232")) == "incidentio:incident:01INC232"
    assert str(Target.macros()) == "zendesk:macros"
    assert str(Target.issue("PostHog/posthog-js", 12)) == "github:issue:PostHog/posthog-js#12"
    assert str(Target.new_ticket("triage-tui-followup-ab")) == "zendesk:ticket:new-triage-tui-followup-ab"
    assert str(Target.user(42)) == "zendesk:user:42"
    assert str(Target.new_incident("triage-tui-cd")) == "incidentio:incident:new-triage-tui-cd"
    assert str(Target.issues("PostHog/posthog")) == "github:issues:PostHog/posthog"
    assert Target.new_ticket("triage-tui-followup-ab").ticket_id is None


def test_the_write_kinds_the_outbox_has_always_stored():
    assert {kind.value for kind in WriteKind} == {
        "ticket_update",
        "ticket_tags",
        "ticket_bulk",
        "ticket_create",
        "user_update",
        "macro_create",
        "macro_update",
        "macro_delete",
        "incident_create",
        "incident_attach",
        "incident_role",
        "github_labels",
        "github_issue_create",
        "github_comment",
        "github_assign",
    }
    assert WriteKind("ticket_update") == "ticket_update"


def test_the_sender_has_a_handler_for_every_kind_but_bulk_which_goes_in_groups():
    assert set(HANDLERS) == set(WriteKind) - {WriteKind.TICKET_BULK}
    assert {handler.service for handler in HANDLERS.values()} == {"zendesk", "incidentio", "github"}


def test_parse_reads_them_back():
    assert Target.parse("zendesk:ticket:123") == Target.ticket(123)
    assert Target.parse("zendesk:ticket:123").ticket_id == 123
    assert Target.parse("zendesk:macros") == Target.macros()
    assert Target.parse("github:issue:PostHog/posthog-js#12").source == "github"
    assert Target.parse("incidentio:incident:01X").ticket_id is None
    with pytest.raises(ValueError):
        Target.parse("nonsense")


def test_ticket_ids_of_mixed_targets():
    found = ticket_ids(["zendesk:ticket:5", "zendesk:macros", "incidentio:incident:9", "zendesk:ticket:7"])
    assert found == {5, 7}


keys = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1).filter(lambda k: k.strip() == k)


@given(
    source=st.sampled_from(["zendesk", "incidentio", "github"]),
    kind=st.from_regex(r"[a-z_]+", fullmatch=True),
    key=keys,
)
def test_str_and_parse_round_trip(source, kind, key):
    target = Target(source, kind, key)
    assert Target.parse(str(target)) == target
