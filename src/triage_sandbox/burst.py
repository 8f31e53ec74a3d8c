"""An incident-like burst for the demo: new tickets from different organizations in the
last hour, each customer describing the same breakage in their own words.

A separate block from the seeded dataset (`data.generate`), added by `triage-tui demo`
only: the tests' dataset and its snapshots stay as they were, and a user of the demo
sees "Possible incident" shortly after the first sync.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from triage_sandbox.data import iso

# (minutes ago, subject, first message)
REPORTS = [
    (
        52,
        "Live events not showing up",
        (
            "Our live events tab has been empty for the past half hour even though the site is busy. "
            "Requests to https://us.i.posthog.com/e/ return 200."
        ),
    ),
    (
        41,
        "Events delayed?",
        "Events we sent 40 minutes ago still aren't in the events list. Is ingestion delayed? Live events is empty.",
    ),
    (
        30,
        "dashboards not updating",
        "None of our dashboards have data for the last 45 minutes and live events is empty too. Is something down?",
    ),
    (
        19,
        "No events in the last half hour",
        "Ingestion seems stuck: no new events for 30 minutes, live events shows nothing.",
    ),
    (
        8,
        "Still no events arriving",
        "Events are still not arriving, the live events tab is empty and our dashboards are frozen.",
    ),
]


def add_burst(data: dict[str, Any], now: dt.datetime) -> list[int]:
    """Add the burst's tickets (and their first comments) to a generated dataset."""
    first_id = max((t["id"] for t in data["tickets"]), default=40000) + 1
    users = {u["id"]: u for u in data["users"]}
    orgs = [o for o in data["organizations"] if "temp_org" not in (o.get("tags") or [])]
    customers_by_org: dict[int, dict] = {}
    for user in users.values():
        org_id = user.get("organization_id")
        if user.get("role") == "end-user" and org_id is not None:
            customers_by_org.setdefault(org_id, user)
    requesters = [customers_by_org[o["id"]] for o in orgs if o["id"] in customers_by_org]
    support = next((g["id"] for g in data["groups"] if g["name"] == "Support"), None)
    ids: list[int] = []
    for n, (minutes, subject, body) in enumerate(REPORTS):
        requester = requesters[(n * 3) % len(requesters)]  # a different organization each
        moment = (now - dt.timedelta(minutes=minutes)).replace(microsecond=0)
        ticket_id = first_id + n
        data["tickets"].append(
            {
                "url": f"https://example.zendesk.com/api/v2/tickets/{ticket_id}.json",
                "id": ticket_id,
                "via": {"channel": "email", "source": {"from": {}, "to": {}, "rel": None}},
                "created_at": iso(moment),
                "updated_at": iso(moment),
                "type": "incident",
                "subject": subject,
                "raw_subject": subject,
                "description": body,
                "priority": "high",
                "status": "new",
                "requester_id": requester["id"],
                "submitter_id": requester["id"],
                "assignee_id": None,
                "organization_id": requester["organization_id"],
                "group_id": support,
                "tags": ["product"],
                "custom_fields": [],
                "metric_set": {
                    "ticket_id": ticket_id,
                    "requester_updated_at": iso(moment),
                    "status_updated_at": iso(moment),
                    "latest_comment_added_at": iso(moment),
                },
            }
        )
        data["comments"][str(ticket_id)] = [
            {
                "id": 9900000000 + n,
                "type": "Comment",
                "author_id": requester["id"],
                "body": body,
                "plain_body": body,
                "html_body": f"<p>{body}</p>",
                "public": True,
                "attachments": [],
                "created_at": iso(moment),
            }
        ]
        ids.append(ticket_id)
    return ids
