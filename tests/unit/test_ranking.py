"""The Support Hero's queue order from the handbook, one test per rule."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from triage_tui.models.zendesk import Organization, Ticket
from triage_tui.triage.ranking import RankRules, TicketFacts, next_ticket, rank, tier_of
from triage_tui.triage.sla import BusinessCalendar
from triage_tui.triage.tickets import SlaRules, clock_for, facts_for, plan_of

NOW = dt.datetime(2026, 11, 18, 12, tzinfo=dt.UTC)  # a Wednesday
RULES = RankRules(escalation_tag="escalated", cs_tag="cs_tagged")


def facts(id, status="open", priority="normal", tags=(), breach_in=None, group_id=None, assignee_id=None):
    breach_at = NOW + dt.timedelta(hours=breach_in) if breach_in is not None else None
    warn_at = breach_at - dt.timedelta(hours=3) if breach_at else None
    return TicketFacts(id, status, priority, group_id, assignee_id, frozenset(tags), breach_at, warn_at)


def test_customer_success_tagged_tickets_come_first():
    queue = rank(
        [facts(1, priority="urgent", tags={"escalated"}), facts(2, tags={"cs_tagged"}, priority="low")], NOW, RULES
    )
    assert [r.facts.id for r in queue] == [2, 1]
    assert queue[0].tier == 1


def test_open_escalated_high_priority_before_escalated_normal():
    queue = rank([facts(1, tags={"escalated"}), facts(2, priority="high", tags={"escalated"})], NOW, RULES)
    assert [(r.facts.id, r.tier) for r in queue] == [(2, 2), (1, 3)]


def test_urgent_counts_as_high_priority():
    assert tier_of(facts(1, priority="urgent", tags={"escalated"}), NOW, RULES) == 2


def test_non_escalated_tickets_nearing_breach_come_fourth():
    near = facts(1, breach_in=2.5)
    breached = facts(2, status="new", breach_in=-1)
    comfortable = facts(3, breach_in=20)
    assert tier_of(near, NOW, RULES) == 4
    assert tier_of(breached, NOW, RULES) == 4
    assert tier_of(comfortable, NOW, RULES) == 6


def test_open_low_priority_tickets_come_fifth():
    assert tier_of(facts(1, priority="low", breach_in=30), NOW, RULES) == 5


def test_tickets_waiting_on_the_customer_come_last():
    queue = rank([facts(1, status="pending"), facts(2, breach_in=50), facts(3, status="hold")], NOW, RULES)
    assert [r.facts.id for r in queue] == [2, 1, 3]
    assert queue[-1].tier == 7


def test_solved_closed_and_deleted_tickets_leave_the_queue():
    queue = rank(
        [facts(1, status="solved"), facts(2, status="closed"), facts(3, status="deleted"), facts(4)], NOW, RULES
    )
    assert [r.facts.id for r in queue] == [4]


def test_within_a_tier_closest_to_breach_first_then_by_id():
    queue = rank(
        [facts(5, breach_in=2), facts(3, breach_in=-2), facts(4, breach_in=2), facts(1, breach_in=1)], NOW, RULES
    )
    assert [r.facts.id for r in queue] == [3, 1, 4, 5]


def test_escalated_only_counts_for_my_team_when_a_group_is_configured():
    rules = RankRules(my_group_ids=frozenset({10}))
    assert tier_of(facts(1, tags={"escalated"}, priority="high", group_id=10), NOW, rules) == 2
    assert tier_of(facts(2, tags={"escalated"}, priority="high", group_id=99), NOW, rules) == 6


def test_next_ticket_skips_tickets_held_by_someone_else():
    queue = rank(
        [facts(1, breach_in=1, assignee_id=77), facts(2, breach_in=2), facts(3, breach_in=3, assignee_id=5)], NOW, RULES
    )
    offered = next_ticket(queue, me=5)
    assert offered is not None and offered.facts.id == 2


def test_next_ticket_is_none_when_only_waiting_tickets_remain():
    assert next_ticket(rank([facts(1, status="pending")], NOW, RULES), me=5) is None


STATUSES = ["new", "open", "pending", "hold", "solved", "closed", "deleted"]
any_facts = st.builds(
    facts,
    id=st.integers(1, 10_000),
    status=st.sampled_from(STATUSES),
    priority=st.sampled_from(["low", "normal", "high", "urgent", None]),
    tags=st.sets(st.sampled_from(["escalated", "cs_tagged", "billing"])),
    breach_in=st.one_of(st.none(), st.floats(-50, 100)),
    group_id=st.sampled_from([None, 10, 99]),
)


@given(
    tickets=st.lists(any_facts, max_size=40, unique_by=lambda f: f.id),
    rules=st.sampled_from([RULES, RankRules(my_group_ids=frozenset({10}))]),
)
def test_rank_orders_by_tier_of_then_closeness_to_breach(tickets, rules):
    """One tier rule: the queue's tiers are `tier_of`'s, and the order within a tier is
    the breach moment (the paused time left for tickets waiting on the customer), then id."""
    queue = rank(tickets, NOW, rules)
    expected = {f.id: tier_of(f, NOW, rules) for f in tickets}
    assert {r.facts.id for r in queue} == {i for i, tier in expected.items() if tier is not None}
    assert all(r.tier == expected[r.facts.id] for r in queue)

    def key(r):
        moment = r.facts.paused_remaining if r.tier == 7 and r.facts.paused_remaining is not None else r.facts.breach_ts
        return (r.tier, moment, r.facts.id)

    assert [key(r) for r in queue] == sorted(key(r) for r in queue)


SLA = SlaRules(
    targets={"free": None, "pay_as_you_go": 72, "boost": 48, "scale": 24, "enterprise": 8},
    calendar=BusinessCalendar(),
)


def ticket(**kw):
    base = {"id": 1, "status": "open", "created_at": "2026-11-18T08:00:00Z", "updated_at": "2026-11-18T08:00:00Z"}
    return Ticket.model_validate(base | kw)


def test_plan_comes_from_the_organization_field():
    org = Organization(id=1, organization_fields={"plan": "scale"})
    assert plan_of(ticket(), org, SLA) == "scale"


def test_plan_tag_overrides_the_org_for_a_recent_enterprise_upgrade():
    org = Organization(id=1, organization_fields={"plan": "boost"})
    assert plan_of(ticket(tags=["plan_enterprise"]), org, SLA) == "enterprise"


def test_unknown_plan_falls_back_to_the_default():
    assert plan_of(ticket(), Organization(id=1, organization_fields={"plan": "???"}), SLA) == "pay_as_you_go"


def test_response_targets_by_plan():
    t = ticket()
    breach = {plan: clock_for(t, plan, SLA).breach_at for plan in ("enterprise", "scale", "boost", "pay_as_you_go")}
    start = t.created_at
    assert breach["enterprise"] == start + dt.timedelta(hours=8)
    assert breach["scale"] == start + dt.timedelta(hours=24)
    assert breach["boost"] == start + dt.timedelta(hours=48)
    # Wednesday 08:00 + 72 business hours crosses a weekend.
    assert breach["pay_as_you_go"] == start + dt.timedelta(hours=72 + 48)
    assert clock_for(t, "free", SLA).state == "idle"


def test_zendesk_policy_metrics_win_over_local_computation():
    t = ticket(
        slas={
            "policy_metrics": [{"metric": "first_reply_time", "stage": "active", "breach_at": "2026-11-18T09:00:00Z"}]
        }
    )
    clock = clock_for(t, "pay_as_you_go", SLA)
    assert clock.from_zendesk and clock.breach_at == dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC)


def test_clock_restarts_from_the_customers_last_reply():
    t = ticket(
        metric_set={"requester_updated_at": "2026-11-18T10:00:00Z", "assignee_updated_at": "2026-11-18T09:00:00Z"}
    )
    assert clock_for(t, "enterprise", SLA).breach_at == dt.datetime(2026, 11, 18, 18, tzinfo=dt.UTC)


def test_our_reply_after_the_customers_stops_the_clock():
    t = ticket(
        metric_set={"requester_updated_at": "2026-11-18T09:00:00Z", "assignee_updated_at": "2026-11-18T10:00:00Z"}
    )
    assert clock_for(t, "enterprise", SLA).state == "idle"


def test_pending_ticket_pauses_with_remaining_time():
    t = ticket(
        status="pending",
        metric_set={"requester_updated_at": "2026-11-18T08:00:00Z", "status_updated_at": "2026-11-18T10:00:00Z"},
    )
    clock = clock_for(t, "enterprise", SLA)
    assert clock.state == "paused" and clock.remaining_when_paused == 6 * 3600


def test_facts_carry_the_3h_warning_moment():
    t = ticket()
    f = facts_for(t, clock_for(t, "enterprise", SLA), SLA)
    assert f.warn_at == dt.datetime(2026, 11, 18, 13, tzinfo=dt.UTC)
    assert tier_of(f, dt.datetime(2026, 11, 18, 13, 30, tzinfo=dt.UTC), RULES) == 4
    assert tier_of(f, dt.datetime(2026, 11, 18, 12, 30, tzinfo=dt.UTC), RULES) == 6


def test_escalated_high_is_its_tier_whether_new_or_open():
    """Handbook (support-hero.md, "How do I prioritize?"): escalated High, then escalated
    Normal. A ticket escalated while still New (a Pylon ticket not yet touched, one escalated
    straight away) is no less escalated: it must not drop to the plain queue below Low."""
    assert tier_of(facts(1, status="new", priority="high", tags={"escalated"}), NOW, RULES) == 2
    assert tier_of(facts(2, status="new", priority="urgent", tags={"escalated"}), NOW, RULES) == 2
    assert tier_of(facts(3, status="new", priority="normal", tags={"escalated"}), NOW, RULES) == 3
    queue = rank(
        [facts(4, priority="low", breach_in=30), facts(5, status="new", priority="high", tags={"escalated"})],
        NOW,
        RULES,
    )
    assert [(r.facts.id, r.tier) for r in queue] == [(5, 2), (4, 5)]


def test_paused_tickets_wait_at_the_bottom_even_when_cs_tagged():
    """A CS tag means Customer Success asked for urgency on a request that awaits us; a
    Pending or On-hold ticket awaits the customer (its SLA is paused), so it waits with the
    others, below every escalated ticket."""
    on_hold = facts(1, status="hold", tags={"cs_tagged"})
    pending = facts(2, status="pending", tags={"cs_tagged"})
    escalated_high = facts(3, priority="high", tags={"escalated"})
    assert tier_of(on_hold, NOW, RULES) == 7
    assert tier_of(pending, NOW, RULES) == 7
    queue = rank([on_hold, pending, escalated_high, facts(4, tags={"cs_tagged"})], NOW, RULES)
    assert [(r.facts.id, r.tier) for r in queue] == [(4, 1), (3, 2), (1, 7), (2, 7)]


def test_next_ticket_skips_tickets_we_answered_last():
    """After our reply the customer's turn has come: `n` offers the next ticket, not the
    one just answered (it stays Open, in its tier, until the customer writes again)."""
    queue = rank([facts(1, breach_in=1), facts(2, breach_in=2), facts(3, breach_in=3)], NOW, RULES)
    offered = next_ticket(queue, me=5, answered=lambda ticket_id: ticket_id in {1, 2})
    assert offered is not None and offered.facts.id == 3
    assert next_ticket(queue, me=5, answered=lambda ticket_id: True) is None


def test_answered_last_reads_the_freshest_evidence_of_whose_turn_it_is():
    """Our public reply is the latest word: by the cached conversation when it is of this
    version of the ticket, else Zendesk's reply metric (fulfilled: `achieved`, none
    `active`), else the metric set (the agent's update after the requester's)."""
    from triage_tui.triage.tickets import answered_last

    base = {"id": 1, "requester_id": 7, "updated_at": "2026-11-18T10:00:00Z"}
    customer = {"author_id": 7, "public": True, "created_at": "2026-11-18T09:00:00Z"}
    agent = {"author_id": 99, "public": True, "created_at": "2026-11-18T10:00:00Z"}
    note = {"author_id": 99, "public": False, "created_at": "2026-11-18T10:00:00Z"}
    current = {"ticket_updated_at": "2026-11-18T10:00:00Z"}
    assert answered_last(base, {**current, "items": [customer, agent]})
    assert not answered_last(base, {**current, "items": [agent, customer]})
    assert not answered_last(base, {**current, "items": [customer, note]}), "an internal note answers nobody"
    achieved = {"policy_metrics": [{"metric": "next_reply_time", "stage": "achieved", "breach_at": None}]}
    active = {"policy_metrics": [{"metric": "next_reply_time", "stage": "active", "breach_at": "2026-11-18T12:00:00Z"}]}
    stale = {"ticket_updated_at": "2026-11-18T08:00:00Z", "items": [customer, agent]}
    assert answered_last({**base, "slas": achieved}, stale)
    assert not answered_last({**base, "slas": active}, stale), "an old conversation loses to Zendesk's metric"
    replied = {"requester_updated_at": "2026-11-18T09:00:00Z", "assignee_updated_at": "2026-11-18T10:00:00Z"}
    waiting = {"requester_updated_at": "2026-11-18T10:00:00Z", "assignee_updated_at": "2026-11-18T09:00:00Z"}
    assert answered_last({**base, "metric_set": replied}, None)
    assert not answered_last({**base, "metric_set": waiting}, None)
    assert not answered_last(base, None)
