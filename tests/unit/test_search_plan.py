"""What "find in Zendesk" asks for what was typed (triage/search.py, pure).

Zendesk's "Searching with the Zendesk API": "Search for a ticket by id: 3245227"; the
search reference: `requester:` takes an email address, `organization:` a name (quoted
when it has spaces). An id is fetched directly instead: search indexes minutes late
(../shared/api/README.md, "Zendesk freshness").
"""

from __future__ import annotations

import pytest

from triage_tui.read.search import Found
from triage_tui.triage.search import plan_search

ORGS = ["Massive Dynamic", "Acme Analytics"]


@pytest.mark.parametrize("typed", ["41008", "#41008", "  41008 "])
def test_a_ticket_id_is_fetched_directly_not_searched(typed):
    plan = plan_search(typed, ORGS)
    assert plan is not None
    assert (plan.ticket_id, plan.query, plan.meaning) == (41008, None, "ticket #41008")


def test_an_email_means_the_requester():
    plan = plan_search("Jane.Doe@acme.example.com", ORGS)
    assert plan is not None and plan.query == "requester:Jane.Doe@acme.example.com"


@pytest.mark.parametrize("typed", ["massive dynamic", '"Massive Dynamic"', "MASSIVE   DYNAMIC"])
def test_a_known_organization_name_means_its_tickets(typed):
    plan = plan_search(typed, ORGS)
    assert plan is not None and plan.query == 'organization:"Massive Dynamic"'


def test_zendesk_syntax_goes_as_written():
    typed = 'status:solved requester:"Jane Doe" created>2026-11-01'
    plan = plan_search(typed, ORGS)
    assert plan is not None and plan.query == typed


def test_words_are_searched_as_words_even_with_a_colon_inside_quotes():
    for typed in ("export stuck", '"error: 502"'):
        plan = plan_search(typed, ORGS)
        assert plan is not None and plan.query == typed


def test_nothing_typed_is_nothing_to_search():
    assert plan_search("   ", ORGS) is None


def test_the_status_line_says_where_the_search_is_and_what_it_leaves_out():
    found = Found("acme")
    assert found.summary() == "searching Zendesk…"
    found.searching = False
    found.meaning = 'organization:"Acme"'
    assert found.summary() == 'nothing found for organization:"Acme"'
    found.ids, found.count = list(range(100)), 1234
    assert found.summary() == "newest of 1,234: narrow the search"
    found.count = 100
    assert found.summary() == ""
    found.error = "zendesk: cannot connect"
    assert found.summary() == "search failed: zendesk: cannot connect"


def test_a_custom_view_cannot_take_the_search_views_name():
    from triage_tui.config import Config, ConfigError

    with pytest.raises(ConfigError, match="ui.views: expected view names other than 'search'"):
        Config.from_dict({"ui": {"views": [{"name": "search", "filter": "billing"}]}})
