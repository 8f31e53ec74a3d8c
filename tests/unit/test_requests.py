"""What the UI asks of the sync loop: one small typed value per kind of ask, kept until a
loop takes them, in the order asked."""

from __future__ import annotations

import dataclasses

import pytest

from triage_tui.sync.requests import (
    FetchComments,
    Presence,
    ReadIssueComments,
    Refresh,
    Requests,
    SearchGithub,
    SearchZendesk,
    SendNow,
)


async def test_asks_wait_for_a_loop_and_reach_it_in_order_as_asked():
    requests = Requests()
    requests.ask(FetchComments(41001))
    requests.ask(SearchZendesk(3, "invoice"))
    queue = requests.attach()
    assert [queue.get_nowait(), queue.get_nowait()] == [FetchComments(41001), SearchZendesk(3, "invoice")]
    requests.ask(Presence(41001, "replying"))  # the loop is live: delivered on its thread
    assert await queue.get() == Presence(41001, "replying")
    requests.detach()
    requests.ask(Refresh())  # between two loops (a restart): kept for the next one
    requests.ask(SendNow())
    queue = requests.attach()
    assert [queue.get_nowait(), queue.get_nowait()] == [Refresh(), SendNow()]


def test_a_github_read_names_what_its_answer_carries():
    search, comments = SearchGithub("PostHog/posthog", "funnel zero"), ReadIssueComments("PostHog/posthog-js", 12)
    assert (search.kind, search.asked) == ("github_search", ("PostHog/posthog", "funnel zero"))
    assert (comments.kind, comments.asked) == ("issue_comments", ("PostHog/posthog-js", 12))


def test_an_ask_cannot_change_once_made():
    with pytest.raises(dataclasses.FrozenInstanceError):
        FetchComments(1).ticket_id = 2  # type: ignore[misc]
