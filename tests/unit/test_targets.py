"""Outbox targets: one typed value, written and read back in one place."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from triage_tui.targets import Target, ticket_ids


def test_the_targets_the_outbox_has_always_stored():
    assert str(Target.ticket(123)) == "zendesk:ticket:123"
    assert str(Target.incident("01INC232")) == "incidentio:incident:01INC232"
    assert str(Target.macros()) == "zendesk:macros"
    assert str(Target.issue("PostHog/posthog-js", 12)) == "github:issue:PostHog/posthog-js#12"


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
