"""SLA policies, as Zendesk reports them in the `slas` sideload: the policy a ticket
meets, its reply target, and the time left, in weekday hours.

Written for the sandbox alone. The product has its own code for some of these; the fake
that judges the product must not share its bugs, so nothing here imports the product.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from triage_sandbox.zendesk.fields import parse_time


def business_after(moment: dt.datetime, seconds: float) -> dt.datetime:
    """`seconds` of weekday time (UTC, Monday to Friday) after `moment`."""
    remaining = dt.timedelta(seconds=seconds)
    start = moment.astimezone(dt.UTC)
    while True:
        end = start.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
        if start.weekday() < 5:
            available = end - start
            if remaining <= available:
                return start + remaining
            remaining -= available
        start = end


def sla_policy_for(ticket: dict, policies: list[dict]) -> dict | None:
    """The first policy (by position) whose filter the ticket meets."""
    for policy in sorted(policies, key=lambda p: p.get("position") or 0):
        conditions = policy.get("filter") or {}
        every = conditions.get("all") or []
        some = conditions.get("any") or []
        if all(_policy_condition(ticket, c) for c in every) and (
            not some or any(_policy_condition(ticket, c) for c in some)
        ):
            return policy
    return None


def _policy_condition(ticket: dict, condition: dict) -> bool:
    field = condition.get("field")
    actual = ticket.get(field)
    expected = condition.get("value")
    if condition.get("operator") == "is_not":
        return str(actual) != str(expected)
    return str(actual) == str(expected)


def ticket_slas(
    ticket: dict,
    policies: list[dict],
    metrics: dict | None,
    agent_replied: bool,
    now: dt.datetime,
    answered: bool = False,
) -> dict[str, Any]:
    """Zendesk's `slas` sideload of one ticket: `{"policy_metrics": [...]}`, empty without a policy.

    `answered`: the latest public comment is an agent's. Next reply time runs from the oldest
    unanswered end-user comment to the next public agent comment (Zendesk Help Center,
    "Defining and using SLA policies"): answered, it is achieved until the end user writes."""
    policy = sla_policy_for(ticket, policies)
    if policy is None:
        return {"policy_metrics": []}
    metric = "next_reply_time" if agent_replied else "first_reply_time"
    target = next(
        (
            m
            for m in policy.get("policy_metrics") or []
            if m.get("metric") == metric and m.get("priority") == (ticket.get("priority") or "normal")
        ),
        None,
    )
    if target is None:
        return {"policy_metrics": []}
    status = ticket.get("status")
    if status in ("solved", "closed") or answered:
        return {"policy_metrics": [{"breach_at": None, "stage": "achieved", "metric": metric}]}
    if status in ("pending", "hold"):
        return {"policy_metrics": [{"breach_at": None, "stage": "paused", "metric": metric}]}
    started = parse_time((metrics or {}).get("requester_updated_at")) or parse_time(ticket.get("created_at")) or now
    breach = business_after(started, float(target.get("target_in_seconds") or int(target.get("target") or 0) * 60))
    left = int((breach - now).total_seconds())
    sign = -1 if left < 0 else 1
    days, rest = divmod(abs(left), 86400)
    hours, rest = divmod(rest, 3600)
    entry: dict[str, Any] = {"breach_at": breach.strftime("%Y-%m-%dT%H:%M:%SZ"), "stage": "active", "metric": metric}
    # Time left (negative once breached), split the way Zendesk reports it.
    if days:
        entry["days"] = sign * days
    entry["hours"] = sign * hours
    entry["minutes"] = sign * (rest // 60)
    return {"policy_metrics": [entry]}
