"""From a Zendesk ticket (plus its organization and, when known, its comments) to the
facts the handbook rules work on: plan, SLA clock, ranking facts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from triage_tui.triage.ranking import TicketFacts
from triage_tui.triage.sla import (
    HOUR,
    BusinessCalendar,
    ClockEvent,
    SlaClock,
    clock_from_policy,
    parse_time,
    run_clock,
)

if TYPE_CHECKING:  # models pull in pydantic, which start-up does without
    from triage_tui.models.zendesk import Comment, Organization, Ticket

PLANS = ("free", "pay_as_you_go", "boost", "scale", "enterprise")
PLAN_LABELS = {
    "free": "Free",
    "pay_as_you_go": "PAYG",
    "boost": "Boost",
    "scale": "Scale",
    "enterprise": "Ent",
}


@dataclass(frozen=True)
class SlaRules:
    targets: Mapping[str, float | None]
    calendar: BusinessCalendar
    default_plan: str = "pay_as_you_go"
    plan_field: str = "plan"
    plan_tag_prefix: str = "plan_"
    warn_hours: float = 3.0

    def target_for(self, plan: str) -> float | None:
        return self.targets.get(plan, self.targets.get(self.default_plan))


def normalise_plan(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    plan = value.strip().lower().replace("-", "_").replace(" ", "_")
    return {"payg": "pay_as_you_go", "pay_as_you_go": "pay_as_you_go"}.get(plan, plan)


def plan_of(ticket: Ticket, org: Organization | None, rules: SlaRules) -> str:
    """A `plan_<value>` ticket tag (set by hand for a recent upgrade) beats the org's field."""
    for tag in ticket.tags:
        if tag.startswith(rules.plan_tag_prefix):
            plan = normalise_plan(tag.removeprefix(rules.plan_tag_prefix))
            if plan in PLANS:
                return plan
    if org is not None:
        plan = normalise_plan(org.organization_fields.get(rules.plan_field))
        if plan in PLANS:
            return plan
    return rules.default_plan


def clock_events(ticket: Ticket, comments: Sequence[Comment] | None, agent_ids: Iterable[int] = ()) -> list[ClockEvent]:
    """The clock's history, from comments when we have them, else from the metric set."""
    events: list[ClockEvent] = []
    agents = set(agent_ids)
    if comments:
        for comment in comments:
            if comment.created_at is None or not comment.public:
                continue
            # Without a list of agents, anyone but the requester counts as us.
            by_us = comment.author_id in agents if agents else comment.author_id != ticket.requester_id
            events.append(ClockEvent(comment.created_at, "answered" if by_us else "awaiting"))
    else:
        metrics = ticket.metric_set
        customer = metrics.requester_updated_at if metrics else None
        agent = metrics.assignee_updated_at if metrics else None
        start = customer or ticket.created_at
        if start is not None:
            events.append(ClockEvent(start, "awaiting"))
        if agent is not None and start is not None and agent > start:
            events.append(ClockEvent(agent, "answered"))
    changed = (ticket.metric_set.status_updated_at if ticket.metric_set else None) or ticket.updated_at
    if changed is not None:
        if ticket.status in ("pending", "hold"):
            events.append(ClockEvent(changed, "paused"))
        elif ticket.status in ("solved", "closed", "deleted"):
            events.append(ClockEvent(changed, "stopped"))
    return events


def clock_for(
    ticket: Ticket,
    plan: str,
    rules: SlaRules,
    comments: Sequence[Comment] | None = None,
    agent_ids: Iterable[int] = (),
) -> SlaClock:
    if ticket.slas is not None:
        from_zendesk = clock_from_policy(ticket.slas.policy_metrics)
        if from_zendesk is not None:
            return from_zendesk
    return run_clock(clock_events(ticket, comments, agent_ids), rules.target_for(plan), rules.calendar)


def answered_last(ticket: Mapping[str, Any], comments: Mapping[str, Any] | None) -> bool:
    """Whether our public reply is the ticket's latest word, so the next move is the
    customer's (`n` passes it by, though it stays Open until they write back).

    The freshest evidence wins: the cached conversation when it was read for this version of
    the ticket; else Zendesk's reply metric (`achieved` with none `active`: the next reply
    is not owed yet); else the metric set (our update after the requester's, as the local
    clock reads it). `comments` is the cache's {"ticket_updated_at", "items"} record."""
    if comments and comments.get("ticket_updated_at") == ticket.get("updated_at"):
        public = [c for c in comments.get("items") or [] if c.get("public")]
        if public:
            return public[-1].get("author_id") != ticket.get("requester_id")
    metrics = (ticket.get("slas") or {}).get("policy_metrics") or []
    reply = [m for m in metrics if str(m.get("metric") or "").endswith("reply_time")]
    if reply:
        stages = {m.get("stage") for m in reply}
        return "active" not in stages and "achieved" in stages
    metric_set = ticket.get("metric_set") or {}
    ours, theirs = parse_time(metric_set.get("assignee_updated_at")), parse_time(metric_set.get("requester_updated_at"))
    return ours is not None and theirs is not None and ours > theirs


def facts_for(ticket: Ticket, clock: SlaClock, rules: SlaRules) -> TicketFacts:
    warn_at = None
    if clock.state == "running" and clock.breach_at is not None:
        warn_at = rules.calendar.add(clock.breach_at, -rules.warn_hours * HOUR)
    return TicketFacts(
        id=ticket.id,
        status=ticket.status,
        priority=ticket.priority,
        group_id=ticket.group_id,
        assignee_id=ticket.assignee_id,
        tags=frozenset(ticket.tags),
        breach_at=clock.breach_at if clock.state == "running" else None,
        warn_at=warn_at,
        paused_remaining=clock.remaining_when_paused,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
    )
