"""Poll scheduling for a team on one account: jitter, the shared budget, 429s, floors."""

from __future__ import annotations

import random

import pytest

from triage_tui.config import Config, ConfigError
from triage_tui.sources.http import Budget
from triage_tui.sync.changes import (
    FeedPlan,
    configured_feed,
    describe_reconcile,
    feed_view_body,
    is_newer,
    plan_feed,
    reconcile_by_listing,
    reconcile_requests,
    reconcile_step,
)
from triage_tui.sync.schedule import JITTER, MAX_STRETCHED, Schedule, budget_stretch


def schedule(seed: int = 1) -> Schedule:
    return Schedule({"zendesk": 30.0, "github": 300.0}, rng=random.Random(seed))


def test_every_job_is_due_at_once_the_first_time():
    assert sorted(schedule().due(0.0)) == ["github", "zendesk"]


def test_copies_started_together_do_not_poll_in_lockstep():
    """Twenty copies that start in the same second spread their next polls over seconds."""
    waits = [schedule(seed).ran("zendesk", 0.0) for seed in range(20)]
    assert all(30 * (1 - JITTER) <= wait <= 30 * (1 + JITTER) for wait in waits)
    assert max(waits) - min(waits) > 5


def test_a_job_is_not_due_again_before_its_interval():
    plan = schedule()
    wait = plan.ran("zendesk", 100.0)
    assert "zendesk" not in plan.due(100.0 + wait - 0.01)
    assert "zendesk" in plan.due(100.0 + wait)


@pytest.mark.parametrize(("remaining", "stretch"), [(700, 1.0), (350, 1.0), (300, 1.5), (100, 2.0), (20, 3.0)])
def test_polls_slow_down_as_the_accounts_budget_runs_low(remaining, stretch):
    assert budget_stretch(Budget(limit=700, remaining=remaining)) == stretch


def test_a_budget_never_reported_does_not_slow_anything():
    assert budget_stretch(Budget()) == 1.0


def test_a_busy_account_stretches_the_wait_but_never_past_the_cap():
    plan = schedule()
    wait = plan.ran("zendesk", 0.0, budget=Budget(limit=700, remaining=10))
    assert 30 * 3 * 0.99 <= wait <= MAX_STRETCHED


def test_after_a_429_the_job_waits_for_retry_after_plus_a_spread():
    waits = [schedule(seed).ran("zendesk", 0.0, retry_after=12.0) for seed in range(20)]
    assert all(wait > 12.0 for wait in waits)
    assert max(waits) - min(waits) > 1.0  # the team's copies do not all come back at once


def test_refresh_makes_everything_due_now():
    plan = schedule()
    plan.ran("zendesk", 0.0)
    plan.ran("github", 0.0)
    plan.all_due_now()
    assert sorted(plan.due(0.0)) == ["github", "zendesk"]


# -- which view tells what changed (issue 23) ----------------------------------------------
ME = 42


def own(view_id: int, user: int = ME, **changes) -> dict:
    """A feed view as Zendesk lists it after `feed_view_body` made it."""
    body = feed_view_body(user)["view"]
    return {
        "id": view_id,
        "title": body["title"],
        "description": body["description"],
        "active": True,
        "restriction": body["restriction"],
        "conditions": {"all": body["all"], "any": []},
        "execution": {"group_by": None, "sort_by": "updated", "sort_order": "desc"},
        **changes,
    }


RECENT = {
    "id": 7,
    "title": "Recently updated tickets",
    "raw_title": "{{zd.recently_updated_tickets}}",
    "active": True,
    "restriction": None,
    "conditions": {"all": [{"field": "status", "operator": "less_than", "value": "closed"}]},
}


def test_the_feed_is_our_own_view_found_by_its_marker_and_owner_never_by_a_title():
    assert plan_feed([RECENT, own(9)], ME) == FeedPlan(9)
    assert plan_feed([RECENT], ME).keep is None  # "Recently updated tickets" is not ours
    renamed = own(9, title="Kürzlich geändert")
    assert plan_feed([renamed], ME).keep == 9  # a title in any language, or edited, is not what counts
    assert plan_feed([own(9, user=7)], ME).keep is None  # a colleague's is theirs


def test_two_copies_racing_keep_the_first_view_made_and_delete_the_others():
    assert plan_feed([own(12), own(10), own(11)], ME) == FeedPlan(10, (11, 12))


def test_an_edited_feed_view_is_put_back():
    grouped = own(9, execution={"group_by": "status"})
    narrowed = own(
        9, conditions={"all": [*own(9)["conditions"]["all"], {"field": "group_id", "operator": "is", "value": "1"}]}
    )
    assert plan_feed([grouped], ME).repair and plan_feed([narrowed], ME).repair
    assert plan_feed([own(9, active=False)], ME).repair
    assert not plan_feed([own(9)], ME).repair


def test_the_configured_view_wins_and_an_unknown_or_inactive_one_is_named():
    assert configured_feed([RECENT], 7).view_id == 7
    assert configured_feed([RECENT], 99).by_search and "changes_view = 99" in configured_feed([RECENT], 99).why
    assert configured_feed([{**RECENT, "active": False}], 7).by_search


def test_reconciliation_reads_a_small_queue_whole_and_lists_a_large_one():
    # Up to 200 shown, show_many of each (100 ids a request) is as cheap as listing and exact;
    # above, search export lists 1000 ids a request and one show_many asks about what it left
    # out (5,000 shown: 6 requests a pass, not the 50 of reading every ticket).
    assert reconcile_requests(0) == 1 and reconcile_requests(100) == 1 and reconcile_requests(200) == 2
    assert not reconcile_by_listing(200) and reconcile_by_listing(201)
    assert reconcile_requests(1000) == 2 and reconcile_requests(5000) == 6
    assert reconcile_step(80, 600) == 600.0 and reconcile_step(200, 600) == 300.0
    # A listing's 6 requests 15 s apart, then the rest of the pass: a ghost waits for the next
    # listing, not for one spread over the pass.
    assert reconcile_step(5000, 600, listing=True) == 15.0 and reconcile_step(5000, 600) == 525.0
    assert "6 requests a pass, 0.6 a minute" in describe_reconcile(5000, 600)
    assert "through search export" in describe_reconcile(5000, 600)
    assert "leave within 13.5 min of search indexing the change" in describe_reconcile(5000, 600)
    assert "re-reads the 80 tickets shown through show_many" in describe_reconcile(80, 600)


def test_a_step_of_a_pass_is_scheduled_sooner_than_the_pass():
    plan = Schedule({"reconcile": 600.0}, rng=random.Random(1))
    wait = plan.ran("reconcile", 0.0, every=12.0)
    assert 12.0 * (1 - JITTER) <= wait <= 12.0 * (1 + JITTER)


def test_a_listed_ticket_is_fetched_only_when_newer_than_the_cached_copy():
    assert is_newer("2026-11-18T14:00:01Z", "2026-11-18T14:00:00Z")
    assert not is_newer("2026-11-18T14:00:00Z", "2026-11-18T14:00:00Z")
    assert not is_newer("2026-11-18T13:00:00Z", "2026-11-18T14:00:00+00:00")
    assert is_newer("2026-11-18T14:00:00Z", None)


# -- floors -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "value", "floor"),
    [
        ("zendesk_seconds", 0, 15),
        ("zendesk_seconds", -5, 15),
        ("deletions_seconds", 60, 120),
        ("incidentio_seconds", 1, 10),
        ("github_seconds", 10, 60),
        ("reference_seconds", 60, 600),
    ],
)
def test_a_poll_interval_below_its_floor_is_a_one_line_error_naming_the_key(key, value, floor):
    with pytest.raises(ConfigError) as caught:
        Config.from_dict({"sync": {key: value}})
    message = str(caught.value)
    assert message.startswith(f"sync.{key}: expected at least {floor} seconds") and "\n" not in message


def test_the_default_intervals_are_above_their_floors():
    Config.from_dict({"sync": Config().sync.as_dict()})


def test_changes_view_is_a_positive_view_id():
    assert Config.from_dict({"zendesk": {"changes_view": 360}}).zendesk.changes_view == 360
    with pytest.raises(ConfigError, match="zendesk.changes_view"):
        Config.from_dict({"zendesk": {"changes_view": "recent"}})


def test_a_team_started_together_spreads_its_first_deletion_polls_over_the_interval():
    """deleted_tickets allows 10 requests a minute for the whole account: twenty copies
    starting in the same second must not all ask in it."""
    firsts = []
    for seed in range(20):
        plan = Schedule(
            {"zendesk": 30.0, "deletions": 300.0}, rng=random.Random(seed), spread_first=frozenset({"deletions"})
        )
        plan.start(0.0)
        assert plan.due(0.0) == ["zendesk"]  # the queue is still polled at once
        firsts.append(plan.next_at["deletions"])
    assert all(0 <= first <= 300 for first in firsts)
    assert sum(first < 60 for first in firsts) <= 10


# -- one 429 for the account holds every Zendesk job, an endpoint's own 429 does not ---
async def _refused(headers: dict[str, str]) -> float:
    import httpx

    from triage_tui.sources.errors import RateLimited
    from triage_tui.sources.zendesk import ZendeskClient

    answer = httpx.Response(429, text="Number of allowed API requests per minute exceeded", headers=headers)
    client = ZendeskClient(
        "https://acme.zendesk.com", "a@example.com", "t", transport=httpx.MockTransport(lambda r: answer)
    )
    try:
        with pytest.raises(RateLimited):
            await client.deleted_since("2026-11-18T00:00:00Z")
        return client.http.limited_for()
    finally:
        await client.aclose()


async def test_a_429_with_the_account_spent_holds_every_zendesk_call():
    assert await _refused({"Retry-After": "20", "x-rate-limit": "700", "x-rate-limit-remaining": "0"}) > 15


async def test_an_endpoints_own_429_leaves_the_account_free():
    """deleted_tickets has its own 10 a minute: its 429 must not stop the queue's polls."""
    assert await _refused({"Retry-After": "20", "x-rate-limit": "700", "x-rate-limit-remaining": "650"}) == 0
