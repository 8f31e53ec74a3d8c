"""A seeded, realistic dataset for a support team, in the APIs' own object shapes.

Timestamps are relative to `now`, so the queue always has tickets that breached, tickets
1h, 2h and 3h from breach, and many that are comfortable. The same seed and `now` give
the same dataset, which is what the snapshot tests stand on.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

HOUR = 3600.0

AGENT_EMAIL = "agent@example.com"
# An admin of the account: a token with this address is treated as an admin (see server.py).
ADMIN_EMAIL = "admin@example.com"
# The handbook's escalation teams, then the SME product groups. The sandbox keeps its own
# copy of these facts (it never imports the product): tests/unit/test_sandbox_package.py
# checks that they agree with the product's defaults.
ESCALATION_GROUPS = [
    "Product Analytics",
    "Web Analytics",
    "Feature Success",
    "Replay",
    "CDP",
    "Infrastructure",
    "Growth",
    "Billing",
]
GROUPS = ["Support", *ESCALATION_GROUPS, "Flags", "Data", "Observability", "AI & client libraries"]
# The SDK repositories the rotation watches, each seeded with issues.
SDK_REPOS = [
    "PostHog/posthog-js",
    "PostHog/posthog-python",
    "PostHog/posthog-ios",
    "PostHog/posthog-android",
    "PostHog/posthog-flutter",
]
PLANS = ["free", "pay_as_you_go", "boost", "scale", "enterprise"]
PLAN_TARGET_HOURS = {"free": None, "pay_as_you_go": 72.0, "boost": 48.0, "scale": 24.0, "enterprise": 8.0}

# (product group, subject, first message)
TOPICS = [
    (
        "Product Analytics",
        "Funnel conversion drops to zero after step 3",
        "Our signup funnel shows 0% after the third step since yesterday, but we can see the events in the activity tab.",
    ),
    (
        "Product Analytics",
        "Trends insight shows duplicated events",
        "Every pageview appears twice in trends since we upgraded posthog-js.",
    ),
    (
        "Product Analytics",
        "Cohort not updating for 2 days",
        "A dynamic cohort of active users has not recalculated since Monday.",
    ),
    ("Web Analytics", "Web analytics bounce rate looks wrong", "Bounce rate shows 98% while our other tool says 40%."),
    ("Web Analytics", "UTM parameters missing from sessions", "Sessions from our campaign links have no utm_source."),
    (
        "Replay",
        "Session replay recordings not loading",
        "Recordings show a spinner forever and never load in the player.",
    ),
    (
        "Replay",
        "Replay masks inputs we want to see",
        "We disabled maskAllInputs but inputs are still masked in replays.",
    ),
    (
        "Flags",
        "Feature flag evaluates differently on server and client",
        "The flag is true in posthog-node and false in posthog-js for the same distinct id.",
    ),
    ("Flags", "Flag rollout percentage ignored", "We set 10% rollout but everyone gets the flag."),
    (
        "Feature Success",
        "Survey not showing on our site",
        "The popover survey never appears although targeting matches.",
    ),
    (
        "Feature Success",
        "Experiment results stuck at 0 exposures",
        "Our A/B test started 3 days ago and still shows 0 exposures.",
    ),
    (
        "CDP",
        "Destination to HubSpot failing",
        "The HubSpot destination shows errors for every event since this morning.",
    ),
    (
        "CDP",
        "Webhook destination timing out",
        "Our webhook destination logs timeouts although our endpoint answers fast.",
    ),
    ("Data", "Events delayed by several hours", "Events we send now show up in the app 3-4 hours later."),
    ("Data", "Batch export to S3 failing", "The S3 batch export fails with an access denied error since the weekend."),
    (
        "Infrastructure",
        "Ingestion API returning 503",
        "Our backend gets intermittent 503 responses from the capture endpoint.",
    ),
    (
        "Growth",
        "Cannot log in: 2FA device lost",
        "I lost my phone and cannot log in; please remove 2FA from my account.",
    ),
    (
        "Billing",
        "Charged twice on this month's invoice",
        "We were charged twice for November, please refund one charge.",
    ),
    ("Billing", "How to reduce our bill", "Our bill jumped this month; how can we set billing limits?"),
    ("Observability", "Error tracking not grouping exceptions", "Identical exceptions show up as separate issues."),
    (
        "AI & client libraries",
        "posthog-python capture blocks our worker",
        "Calls to capture() block for seconds when the network is slow.",
    ),
    (
        "AI & client libraries",
        "iOS SDK crashes on launch after update",
        "Since posthog-ios 3.x our app crashes at launch on iOS 15.",
    ),
    (
        "Support",
        "Self-hosted instance: upgrade failing",
        "We run a self-hosted instance with docker compose and the upgrade fails on migrations.",
    ),
    (
        "Support",
        "Pricing for enterprise plan",
        "We'd like pricing for the enterprise plan for 40 seats, can we talk to sales?",
    ),
    ("Support", "Request to delete all our data", "Under GDPR we request deletion of all data for our organization."),
]
FIRST_NAMES = [
    "Ada",
    "Linus",
    "Grace",
    "Alan",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "Guido",
    "Katherine",
    "Donald",
    "Sophie",
    "Yukihiro",
    "Anita",
    "Bjarne",
]
LAST_NAMES = [
    "Lovelace",
    "Torvalds",
    "Hopper",
    "Turing",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "van Rossum",
    "Johnson",
    "Knuth",
    "Wilson",
    "Matsumoto",
    "Borg",
    "Stroustrup",
]
COMPANIES = [
    "Acme Analytics",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Hooli",
    "Stark Logistics",
    "Wayne Retail",
    "Tyrell Labs",
    "Cyberdyne",
    "Soylent Foods",
    "Wonka Sweets",
    "Pied Piper",
    "Vandelay Imports",
    "Massive Dynamic",
    "Oscorp",
    "Aperture Science",
    "Black Mesa",
    "Dunder Mifflin",
    "Prestige Worldwide",
    "Monsters Inc",
]
AGENTS = [
    ("Sam Support", AGENT_EMAIL),
    ("Rosa Replay", "rosa@example.com"),
    ("Felix Flags", "felix@example.com"),
    ("Dana Data", "dana@example.com"),
    ("Cleo CDP", "cleo@example.com"),
    ("Cass CS", "cass@example.com"),
]
TEAM_LABELS = ["team/product-analytics", "team/replay", "team/feature-flags", "team/mobile", "team/cdp"]
ISSUE_TITLES = [
    "Events not sent when app goes to background",
    "TypeError: Cannot read properties of undefined (reading 'capture')",
    "Feature flags not reloaded after identify",
    "Session replay not recording on Android 14",
    "Crash on startup with Xcode 16",
    "Support for async capture in Django middleware",
    "getFeatureFlag returns undefined on first load",
    "Autocapture captures password fields in shadow DOM",
    "Flutter web: posthog not initialised",
    "Memory leak when sending large batches",
]


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def business_before(moment: dt.datetime, seconds: float) -> dt.datetime:
    """The moment `seconds` of weekday time (UTC, Monday to Friday, all day) before `moment`.

    The sandbox's own arithmetic, not the product's SLA clock: the fake that the product is
    tested against must not share the product's bugs.
    """
    remaining = dt.timedelta(seconds=seconds)
    end = moment.astimezone(dt.UTC)
    while True:
        start = end.replace(hour=0, minute=0, second=0, microsecond=0)
        if start == end:  # at midnight the span to use up is the whole day before
            start = end - dt.timedelta(days=1)
        if start.weekday() < 5:
            available = end - start
            if remaining <= available:
                return end - remaining
            remaining -= available
        end = start


class _Ids:
    def __init__(self, start: int) -> None:
        self.value = start

    def __call__(self) -> int:
        self.value += 1
        return self.value


def generate(seed: int = 7, tickets: int = 300, now: dt.datetime | None = None) -> dict[str, Any]:
    """The whole dataset: Zendesk, incident.io and GitHub objects, ready to serve or dump.

    Each step draws from one random generator in turn, so the order of the steps is part of
    the dataset: the same seed and `now` give the same bytes.
    """
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    rng = random.Random(seed)
    data: dict[str, Any] = {"generated_at": iso(now), "seed": seed}
    account = _account(rng, now, tickets)
    data["groups"] = account.groups
    data["organizations"] = account.organizations
    data["users"] = account.agents + account.customers + [account.admin]
    data["tickets"], data["comments"] = _tickets(rng, now, tickets, account)
    data["macros"] = _macros(account.group_ids)
    data["views"] = _views(now) + _sdk_views(now, account.group_ids["AI & client libraries"])
    data["sla_policies"] = _sla_policies(now, account.organizations)
    data["ticket_fields"] = _ticket_fields()
    _incidents(data, now, account.agents, data["tickets"])
    data["issues"], data["labels"] = _issues(now, rng)
    _main_repo(data, now)
    return data


@dataclass
class _Account:
    """The Zendesk account the tickets are written in: its groups, organizations and people."""

    group_ids: dict[str, int]
    groups: list[dict[str, Any]]
    organizations: list[dict[str, Any]]
    temp_org: dict[str, Any]  # the free-email catch-all ("Gmail user - please assign ...")
    warned_org: dict[str, Any]  # tagged content_warning
    agents: list[dict[str, Any]]
    customers: list[dict[str, Any]]
    admin: dict[str, Any]
    org_by_id: dict[int, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.org_by_id = {org["id"]: org for org in self.organizations}

    @property
    def me(self) -> dict[str, Any]:
        return self.agents[0]

    @property
    def cs_agent(self) -> dict[str, Any]:
        return self.agents[-1]


def _account(rng: random.Random, now: dt.datetime, tickets: int) -> _Account:
    group_ids = {name: 360000000 + i * 101 for i, name in enumerate(GROUPS, start=1)}
    organizations, temp_org, warned_org = _organizations(now)
    user_ids = _Ids(7000000000)
    agents = _agents(user_ids, group_ids)
    customers = _customers(rng, user_ids, organizations, temp_org, tickets)
    # The admin comes last so that adding it moved no other user's id.
    admin = _admin(user_ids, group_ids)
    return _Account(group_ids, _groups(now, group_ids), organizations, temp_org, warned_org, agents, customers, admin)


def _groups(now: dt.datetime, group_ids: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "id": gid,
            "name": name,
            "description": f"{name} team",
            "deleted": False,
            "created_at": iso(now - dt.timedelta(days=900)),
            "updated_at": iso(now - dt.timedelta(days=30)),
        }
        for name, gid in group_ids.items()
    ]


def _organizations(now: dt.datetime) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """The customers' companies, then the free-email catch-all and a content-warned forum."""
    org_ids = _Ids(5000000000)
    organizations: list[dict[str, Any]] = []
    for index, company in enumerate(COMPANIES):
        plan = PLANS[index % len(PLANS)]
        organizations.append(
            {
                "id": org_ids(),
                "name": company,
                "domain_names": [company.lower().replace(" ", "") + ".example.com"],
                "tags": [],
                "organization_fields": {"plan": plan},
                "created_at": iso(now - dt.timedelta(days=400)),
                "updated_at": iso(now - dt.timedelta(days=3)),
            }
        )
    temp_org = {
        "id": org_ids(),
        "name": "Gmail user - please assign to correct org",
        "domain_names": ["gmail.com"],
        "tags": ["temp_org"],
        "organization_fields": {"plan": "free"},
    }
    warned_org = {
        "id": org_ids(),
        "name": "Nightshade Forums",
        "domain_names": ["nightshade.example.com"],
        "tags": ["content_warning"],
        "organization_fields": {"plan": "scale"},
    }
    organizations += [temp_org, warned_org]
    return organizations, temp_org, warned_org


def _agents(user_ids: _Ids, group_ids: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "id": user_ids(),
            "name": name,
            "email": email,
            "role": "agent",
            "organization_id": None,
            "default_group_id": group_ids["Support"],
            "time_zone": "UTC",
            "tags": [],
            "user_fields": {},
        }
        for name, email in AGENTS
    ]


def _customers(
    rng: random.Random, user_ids: _Ids, organizations: list[dict[str, Any]], temp_org: dict[str, Any], tickets: int
) -> list[dict[str, Any]]:
    customers: list[dict[str, Any]] = []
    for i in range(max(40, min(tickets // 2, 4000))):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        org = rng.choice(organizations)
        domain = "gmail.com" if org is temp_org else org["domain_names"][0]
        customers.append(
            {
                "id": user_ids(),
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower().replace(' ', '')}{i}@{domain}",
                "role": "end-user",
                "organization_id": org["id"],
                "default_group_id": None,
                "time_zone": "Europe/London",
                "tags": [],
                "user_fields": {},
            }
        )
    return customers


def _admin(user_ids: _Ids, group_ids: dict[str, int]) -> dict[str, Any]:
    return {
        "id": user_ids(),
        "name": "Alex Admin",
        "email": ADMIN_EMAIL,
        "role": "admin",
        "organization_id": None,
        "default_group_id": group_ids["Support"],
        "time_zone": "UTC",
        "tags": [],
        "user_fields": {},
    }


# Stages to seed among the first unsolved tickets (hours left before breach) so that every
# SLA colour shows up.
SEEDED_REMAINING = [-5.0, -0.5, 0.6, 1.5, 2.4, 2.9]


def _tickets(
    rng: random.Random, now: dt.datetime, count: int, account: _Account
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """`count` tickets, the first few hundredths unsolved, and their conversations."""
    unsolved = min(count, max(80, count // 20))
    ticket_ids = _Ids(41000)
    conversations = _Conversations()
    out_tickets: list[dict[str, Any]] = []
    for n in range(count):
        is_unsolved = n < unsolved
        ticket, requester, created, customer_at = _ticket(rng, now, n, ticket_ids(), is_unsolved, account)
        out_tickets.append(ticket)
        if is_unsolved:
            _open_conversation(conversations, ticket, requester, created, customer_at, account)
        else:
            _closed_conversation(conversations, ticket, requester, created, account)
    return out_tickets, conversations.comments


def _ticket(
    rng: random.Random, now: dt.datetime, n: int, tid: int, is_unsolved: bool, account: _Account
) -> tuple[dict[str, Any], dict[str, Any], dt.datetime, dt.datetime]:
    """The `n`th ticket, its requester, when it was created and when the customer last wrote."""
    group_name, subject, body = TOPICS[n % len(TOPICS)] if n < len(TOPICS) * 2 else rng.choice(TOPICS)
    requester = rng.choice(account.customers)
    requester_org = account.org_by_id.get(requester["organization_id"])
    plan = requester_org["organization_fields"]["plan"] if requester_org else "free"
    priority = rng.choices(["low", "normal", "high", "urgent"], weights=[3, 8, 3, 1])[0]
    status, created, customer_at, updated = _moments(rng, now, n, plan, is_unsolved)
    group_id = account.group_ids[group_name] if status != "new" else account.group_ids["Support"]
    assignee = None
    if status in ("open", "pending", "hold", "solved", "closed") and rng.random() < 0.6:
        assignee = rng.choice(account.agents)["id"]
    tags = _tags(n, is_unsolved, group_name, subject, requester_org is account.warned_org)
    if "escalated" in tags:
        # An escalated ticket is open; its group and assignee were drawn for the status it
        # had before, and stay so: the seeded data must not move.
        status = "open"
    ticket = {
        "url": f"https://example.zendesk.com/api/v2/tickets/{tid}.json",
        "id": tid,
        "external_id": None,
        "via": {"channel": "email", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": iso(created),
        "updated_at": iso(updated),
        "type": "question",
        "subject": subject,
        "raw_subject": subject,
        "description": body,
        "priority": priority,
        "status": status,
        "recipient": "support@example.com",
        "requester_id": requester["id"],
        "submitter_id": requester["id"],
        "assignee_id": assignee,
        "organization_id": requester["organization_id"],
        "group_id": group_id,
        "collaborator_ids": [],
        "follower_ids": [],
        "forum_topic_id": None,
        "problem_id": None,
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": tags,
        "custom_fields": [],
        "satisfaction_rating": None,
        "ticket_form_id": 360000001,
        "brand_id": 360000002,
        "allow_attachments": True,
        "metric_set": {
            "ticket_id": tid,
            "requester_updated_at": iso(customer_at),
            "assignee_updated_at": iso(customer_at - dt.timedelta(hours=2)) if created < customer_at else None,
            "status_updated_at": iso(updated),
            "latest_comment_added_at": iso(customer_at),
        },
    }
    return ticket, requester, created, customer_at


def _moments(
    rng: random.Random, now: dt.datetime, n: int, plan: str, is_unsolved: bool
) -> tuple[str, dt.datetime, dt.datetime, dt.datetime]:
    """(status, created, when the customer last wrote, updated). An unsolved ticket is placed
    somewhere in its plan's reply target (the first few at the seeded stages); a solved one
    anywhere in the last two years."""
    if is_unsolved:
        status = rng.choices(["new", "open", "pending", "hold"], weights=[3, 6, 3, 1])[0]
        target = PLAN_TARGET_HOURS[plan]
        if n < len(SEEDED_REMAINING) and target is not None:
            remaining = SEEDED_REMAINING[n]
            status = "open" if n % 2 else "new"
        elif target is not None:
            remaining = rng.uniform(-0.3 * target, target)
        else:
            remaining = 0.0
        if target is not None:
            customer_at = business_before(now, (target - remaining) * HOUR)
        else:
            customer_at = now - dt.timedelta(hours=rng.uniform(1, 120))
        created = customer_at - dt.timedelta(hours=rng.choice([0, 0, 0, 5, 30, 70]))
        return status, created, customer_at, customer_at
    status = rng.choices(["solved", "closed"], weights=[1, 3])[0]
    created = now - dt.timedelta(days=rng.uniform(3, 700))
    updated = created + dt.timedelta(days=rng.uniform(0.1, 3))
    return status, created, created, updated


def _tags(n: int, is_unsolved: bool, group_name: str, subject: str, content_warned: bool) -> list[str]:
    tags: list[str] = [group_name.lower().split(" ")[0].replace("&", "and")]
    if group_name == "AI & client libraries" and ("iOS" in subject or "Android" in subject):
        tags.append("mobile")  # what the SDK rotation's mobile filter looks for
    if is_unsolved and n % 11 == 4:
        tags.append("escalated")
    if is_unsolved and n == 7:
        tags.append("cs_tagged")
    if is_unsolved and content_warned:
        tags.append("content_warning")
    if "enterprise" in subject.lower():
        tags.append("sales_question")
    if is_unsolved and n in (9, 10):
        tags.append("plan_enterprise")
    return tags


class _Conversations:
    """Every ticket's comments, numbered in the order they are written."""

    def __init__(self) -> None:
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self._ids = _Ids(9000000000)

    def add(self, ticket_id: int, author: int, body: str, public: bool, at: dt.datetime) -> None:
        self.comments.setdefault(str(ticket_id), []).append(
            {
                "id": self._ids(),
                "type": "Comment",
                "author_id": author,
                "body": body,
                "plain_body": body,
                "html_body": f"<p>{body}</p>",
                "public": public,
                "attachments": [],
                "created_at": iso(at),
            }
        )


def _open_conversation(
    conversations: _Conversations,
    ticket: dict[str, Any],
    requester: dict[str, Any],
    created: dt.datetime,
    customer_at: dt.datetime,
    account: _Account,
) -> None:
    """The customer's question; for a ticket the customer wrote again on, an internal note, the
    agent's reply and the customer's answer; and CS's note on the ticket CS tagged."""
    tid, body = ticket["id"], ticket["description"]
    add = conversations.add
    add(tid, requester["id"], f"Hi there,\n\n{body}\n\nThanks,\n{requester['name'].split(' ')[0]}", True, created)
    if created < customer_at:
        agent_id = ticket["assignee_id"] or account.me["id"]
        add(
            tid,
            agent_id,
            "Checked the project: ingestion looks healthy, events arrive with correct timestamps. Asking for their snippet.",
            False,
            created + dt.timedelta(hours=1),
        )
        add(
            tid,
            agent_id,
            f"Hey {requester['name'].split(' ')[0]}, thanks for the details! Could you share the snippet you use to initialise PostHog? See https://github.com/PostHog/posthog-js/issues/1234 for a similar report.",
            True,
            customer_at - dt.timedelta(hours=2),
        )
        add(
            tid,
            requester["id"],
            "Here is our init code. Still seeing the problem today. Slack thread: https://posthog.slack.com/archives/C01/p123",
            True,
            customer_at,
        )
    if "cs_tagged" in ticket["tags"]:
        add(
            tid,
            account.cs_agent["id"],
            "CS here: this is a top-10 account up for renewal next week, please prioritise.",
            False,
            customer_at,
        )


def _closed_conversation(
    conversations: _Conversations,
    ticket: dict[str, Any],
    requester: dict[str, Any],
    created: dt.datetime,
    account: _Account,
) -> None:
    """Closed conversations keep their history too, internal notes included: served oldest
    first, these are the first tickets a client pages through."""
    tid, body = ticket["id"], ticket["description"]
    agent_id = ticket["assignee_id"] or account.me["id"]
    first = requester["name"].split(" ")[0]
    conversations.add(tid, requester["id"], f"Hi there,\n\n{body}\n\nThanks,\n{first}", True, created)
    conversations.add(
        tid,
        agent_id,
        "Internal: reproduced on our side; the fix shipped in the latest release.",
        False,
        created + dt.timedelta(minutes=40),
    )
    conversations.add(
        tid,
        agent_id,
        f"Hey {first}, this is fixed now: please update to the latest version and let us know.",
        True,
        created + dt.timedelta(hours=1),
    )


def _ticket_fields() -> list[dict[str, Any]]:
    return [
        {
            "id": 360200001,
            "title": "Priority",
            "type": "priority",
            "key": None,
            "system_field_options": [
                {"name": name.title(), "value": name} for name in ("low", "normal", "high", "urgent")
            ],
        },
        {
            "id": 360200002,
            "title": "Severity",
            "type": "tagger",
            "key": None,
            "custom_field_options": [{"name": f"Sev {i}", "value": f"sev_{i}"} for i in range(1, 4)],
        },
    ]


# The product's own repository, where bug reports and feature requests from tickets go
# (the handbook's "Open a bug report"): a few open issues, one of them matching a seeded
# ticket so a duplicate search finds it. Built without the rng: the rest of the data stays.
MAIN_REPO = "PostHog/posthog"
MAIN_REPO_ISSUES = [
    ("Funnel conversion drops to zero after step 3 with breakdown", ["bug", "team/product-analytics"]),
    ("Session replay recordings not loading in Safari", ["bug", "team/replay"]),
    ("Export dashboards to PDF", ["enhancement", "feature"]),
    ("Cohort recalculation stuck for dynamic cohorts", ["bug"]),
]


def _main_repo(data: dict[str, Any], now: dt.datetime) -> None:
    labels = [
        {"id": 900 + i, "node_id": f"LA_kwDO{900 + i:08d}", "name": name, "color": "ededed", "description": None}
        | {"default": name in ("bug", "enhancement")}
        for i, name in enumerate(["bug", "enhancement", "feature", *TEAM_LABELS])
    ]
    items = []
    for index, (title, names) in enumerate(MAIN_REPO_ISSUES):
        number = 27100 + index * 7
        created = now - dt.timedelta(days=3 + index * 5)
        items.append(
            {
                "id": 2700000000 + number,
                "node_id": f"I_kwDO{2700000000 + number}",
                "number": number,
                "title": title,
                "state": "open",
                "state_reason": None,
                "locked": False,
                "active_lock_reason": None,
                "html_url": f"https://github.com/{MAIN_REPO}/issues/{number}",
                "body": "### Bug description\n\nReported by several users.\n\n### Additional context\n\n",
                "user": {
                    "login": "posthog-dev",
                    "id": 990,
                    "node_id": "U_kgDO990",
                    "type": "User",
                    "site_admin": False,
                },
                "labels": [label for label in labels if label["name"] in names],
                "assignee": None,
                "assignees": [],
                "milestone": None,
                "closed_at": None,
                "author_association": "MEMBER",
                "comments": 2 + index,
                "created_at": iso(created),
                "updated_at": iso(created + dt.timedelta(hours=5)),
            }
        )
    data["issues"][MAIN_REPO] = items
    data["labels"][MAIN_REPO] = labels


# Default views are dynamic content: `raw_title` is a placeholder and `title` is rendered in
# the agent's language (README "Facts found ... 2026-12-07"; recorded
# TestViews.test_get_active_views.json). English and German, the sandbox's two locales.
VIEW_TITLES: dict[str, dict[str, str]] = {
    "en": {
        "{{zd.your_unsolved_tickets}}": "Your unsolved tickets",
        "{{zd.unassigned_tickets}}": "Unassigned tickets",
        "{{zd.all_unsolved_tickets}}": "All unsolved tickets",
        "{{zd.recently_updated_tickets}}": "Recently updated tickets",
        "{{zd.new_tickets_in_your_groups}}": "New tickets in your groups",
        "{{zd.pending_tickets}}": "Pending tickets",
        "{{zd.recently_solved_tickets}}": "Recently solved tickets",
    },
    "de": {
        "{{zd.your_unsolved_tickets}}": "Ihre ungelösten Tickets",
        "{{zd.unassigned_tickets}}": "Nicht zugewiesene Tickets",
        "{{zd.all_unsolved_tickets}}": "Alle ungelösten Tickets",
        "{{zd.recently_updated_tickets}}": "Kürzlich aktualisierte Tickets",
        "{{zd.new_tickets_in_your_groups}}": "Neue Tickets in Ihren Gruppen",
        "{{zd.pending_tickets}}": "Wartende Tickets",
        "{{zd.recently_solved_tickets}}": "Kürzlich gelöste Tickets",
    },
}
RECENTLY_UPDATED_VIEW = 360100004


def view_title(raw_title: str, locale: str) -> str:
    """A view's title as an agent with `locale` reads it: placeholders rendered, text as is."""
    return VIEW_TITLES.get(locale, VIEW_TITLES["en"]).get(raw_title, raw_title)


def view_execution(
    sort_by: str | None, sort_order: str = "desc", group_by: str | None = None, group_order: str = "asc"
) -> dict[str, Any]:
    """A view's `execution`, as Zendesk answers it (recorded TestViews.test_get_active_views)."""
    columns = [
        {"id": c, "title": t}
        for c, t in (
            ("subject", "Subject"),
            ("requester", "Requester"),
            ("created", "Requested"),
            ("updated", "Updated"),
            ("group", "Group"),
            ("assignee", "Assignee"),
        )
    ]
    return {
        "group_by": group_by,
        "group_order": group_order,
        "sort_by": sort_by,
        "sort_order": sort_order,
        "group": {"id": group_by, "order": group_order} if group_by else None,
        "sort": {"id": sort_by, "order": sort_order} if sort_by else None,
        "columns": columns,
        "fields": columns,
        "custom_fields": [],
    }


def _views(now: dt.datetime) -> list[dict[str, Any]]:
    """Zendesk's default views as a real account lists them (recorded
    TestViews.test_get_active_views): dynamic-content titles, `"default": false`, and the
    conditions, grouping and sort a new account ships with."""
    stamp = iso(now - dt.timedelta(days=900))

    def view(
        vid: int,
        raw_title: str,
        position: int,
        conditions: list[dict[str, str]],
        sort_by: str,
        group_by: str | None = None,
    ) -> dict[str, Any]:
        return {
            "url": f"https://example.zendesk.com/api/v2/views/{vid}.json",
            "id": vid,
            "title": view_title(raw_title, "en"),
            "raw_title": raw_title,
            "active": True,
            "default": False,
            "position": position,
            "description": None,
            "restriction": None,
            "created_at": stamp,
            "updated_at": stamp,
            "execution": view_execution(sort_by, "desc", group_by),
            "conditions": {"all": conditions, "any": []},
        }

    unsolved = {"field": "status", "operator": "less_than", "value": "solved"}
    return [
        view(
            360100001,
            "{{zd.your_unsolved_tickets}}",
            0,
            [unsolved, {"field": "assignee_id", "operator": "is", "value": "current_user"}],
            "nice_id",
            "status",
        ),
        view(
            360100002,
            "{{zd.unassigned_tickets}}",
            1,
            [{"field": "assignee_id", "operator": "is", "value": ""}, unsolved],
            "created",
        ),
        view(360100003, "{{zd.all_unsolved_tickets}}", 2, [unsolved], "nice_id", "assignee"),
        view(
            RECENTLY_UPDATED_VIEW,
            "{{zd.recently_updated_tickets}}",
            3,
            [
                {"field": "updated_at", "operator": "less_than", "value": "24"},
                {"field": "status", "operator": "less_than", "value": "closed"},
            ],
            "updated",
            "status",
        ),
        view(
            360100005,
            "{{zd.new_tickets_in_your_groups}}",
            4,
            [
                {"field": "status", "operator": "is", "value": "new"},
                {"field": "group_id", "operator": "is", "value": "current_groups"},
            ],
            "created",
        ),
        view(
            360100006,
            "{{zd.pending_tickets}}",
            9999,
            [{"field": "status", "operator": "is", "value": "pending"}],
            "nice_id",
            "updated",
        ),
        view(
            360100007,
            "{{zd.recently_solved_tickets}}",
            9999,
            [{"field": "status", "operator": "is", "value": "solved"}],
            "solved",
            "assignee",
        ),
    ]


def _sdk_views(now: dt.datetime, sdk_group: int) -> list[dict[str, Any]]:
    """The SDK rotation page's two filters (its ids): escalated SDK tickets, and mobile ones."""
    stamp = iso(now - dt.timedelta(days=200))
    unsolved = {"field": "status", "operator": "less_than", "value": "solved"}
    group = {"field": "group_id", "operator": "is", "value": str(sdk_group)}

    def view(vid: int, title: str, extra: list[dict[str, str]]) -> dict[str, Any]:
        return {
            "url": f"https://example.zendesk.com/api/v2/views/{vid}.json",
            "id": vid,
            "title": title,
            "raw_title": title,
            "active": True,
            "default": False,
            "position": 20,
            "description": "SDK support rotation",
            "restriction": None,
            "created_at": stamp,
            "updated_at": stamp,
            "execution": {"group_by": None, "group_order": "asc", "sort_by": "updated", "sort_order": "desc"},
            "conditions": {"all": [unsolved, group, *extra], "any": []},
        }

    return [
        view(33118780890267, "Escalated SDK tickets", []),
        view(
            42222680081819, "Mobile SDK tickets", [{"field": "current_tags", "operator": "includes", "value": "mobile"}]
        ),
    ]


def edit_default_view(views: list[dict[str, Any]], group_id: int) -> None:
    """An admin's edit of "Recently updated tickets": one group's tickets left out (what
    `--edit-default-view` does; admins may edit or deactivate default views)."""
    for view in views:
        if view.get("raw_title") == "{{zd.recently_updated_tickets}}":
            view["conditions"]["all"].append({"field": "group_id", "operator": "is_not", "value": str(group_id)})


def _sla_policies(now: dt.datetime, organizations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """SLA policies for the Enterprise and Scale organisations; the other plans have none,
    so a client sees both a ticket with Zendesk's own SLA and one without."""
    stamp = iso(now - dt.timedelta(days=300))

    def targets(hours: float) -> list[dict[str, Any]]:
        minutes = int(hours * 60)
        return [
            {
                "priority": priority,
                "metric": metric,
                "target": minutes,
                "target_in_seconds": minutes * 60,
                "business_hours": True,
            }
            for priority in ("low", "normal", "high", "urgent")
            for metric in ("first_reply_time", "next_reply_time")
        ]

    policies = []
    for position, (plan, hours) in enumerate((("enterprise", 8.0), ("scale", 24.0)), start=1):
        org_ids = [o["id"] for o in organizations if (o.get("organization_fields") or {}).get("plan") == plan]
        policies.append(
            {
                "url": f"https://example.zendesk.com/api/v2/slas/policies/{360400000 + position}.json",
                "id": 360400000 + position,
                "title": f"{plan.title()} plan",
                "description": f"Organizations on the {plan} plan",
                "position": position,
                "filter": {
                    "all": [],
                    "any": [{"field": "organization_id", "operator": "is", "value": oid} for oid in org_ids],
                },
                "policy_metrics": targets(hours),
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
    return policies


def _macros(group_ids: dict[str, int]) -> list[dict[str, Any]]:
    def macro(mid: int, title: str, actions: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": mid,
            "title": title,
            "raw_title": title,
            "active": True,
            "description": None,
            "actions": actions,
            "position": mid % 100,
            "restriction": None,
        }

    hey = "Hey {{ticket.requester.first_name | default: 'there'}},\n\n"
    sign = "\n\n{{current_user.first_name}}"
    return [
        macro(
            360300001,
            "Incident information",
            [
                {
                    "field": "comment_value",
                    "value": hey
                    + "We're currently dealing with an incident affecting <AREA>. What is broken: <BROKEN>. What is degraded: <DEGRADED>. What works: <WORKS>. You can follow along on our status page: https://status.posthog.com"
                    + sign,
                },
                {"field": "status", "value": "pending"},
                {"field": "current_tags", "value": "incident"},
            ],
        ),
        macro(
            360300002,
            "Create a lead",
            [
                {
                    "field": "comment_value",
                    "value": hey
                    + "Thanks for your interest in {{ticket.organization.name}} moving to Enterprise! I've passed this to our sales team, who will reach out within a day."
                    + sign,
                },
                {"field": "current_tags", "value": "sf-lead"},
                # Pending, not Solved: nobody has confirmed anything yet (support-hero.md,
                # Ticket Status); it auto-solves after 7 days without a reply.
                {"field": "status", "value": "pending"},
            ],
        ),
        macro(
            360300003,
            "Self-hosted: open-source support",
            [
                {
                    "field": "comment_value",
                    "value": hey
                    + "Self-hosted deployments are community supported. The open-source support docs cover upgrades and troubleshooting, and the community forum is the best place for questions."
                    + sign,
                },
                {"field": "status", "value": "pending"},
                {"field": "current_tags", "value": "self_hosted"},
            ],
        ),
        macro(
            360300004,
            "Feature request logged",
            [
                {
                    "field": "comment_value",
                    "value": hey
                    + "Thanks for the suggestion! I've logged it as a feature request with the team: https://github.com/PostHog/posthog/issues/<NUMBER> You can follow it there for updates, and add a +1 to show your interest."
                    + sign,
                },
                # The link is shared, so Solved (support-hero.md: "Solved ... you've created a
                # bug report or feature request and shared the link with the user").
                {"field": "status", "value": "solved"},
                {"field": "current_tags", "value": "feature_request"},
            ],
        ),
        macro(
            360300005,
            "Bug report opened",
            [
                {
                    "field": "comment_value",
                    "value": hey
                    + "Thanks for letting us know! I could reproduce this and opened a bug report for the team: https://github.com/PostHog/posthog/issues/<NUMBER> You can follow it on GitHub for updates."
                    + sign,
                },
                # support-hero.md, bug reports step 6: "change the ticket from Open to Pending";
                # "If you've opened a bug ticket or feature request, On-Hold isn't needed".
                {"field": "status", "value": "pending"},
                {"field": "current_tags", "value": "bug_reported"},
            ],
        ),
        macro(
            360300006,
            "2FA removal confirmation",
            [
                {
                    "field": "comment_value",
                    "value": hey
                    + "According to ticket #{{ticket.id}}, you mentioned wanting to remove the current 2FA method on your PostHog account. Could you please confirm this by replying here? If you haven't requested this change, please let me know immediately."
                    + sign,
                },
                # support-hero.md, "How should I handle 2FA removal?": ask first; the TOTP
                # device is deleted only after the user confirms. So: waiting on them.
                {"field": "status", "value": "pending"},
                {"field": "group_id", "value": str(group_ids["Growth"])},
            ],
        ),
        macro(
            360300007,
            "Pending: need more information",
            [
                {
                    "field": "comment_value",
                    "value": hey
                    + "Could you share the project ID and an example event or URL where you see this?"
                    + sign,
                },
                {"field": "status", "value": "pending"},
            ],
        ),
        macro(
            360300008,
            "Escalate: internal note template",
            [
                {
                    "field": "comment_value",
                    "value": "Found: <what you checked>\nNeeded: <what the team should do>\nCustomer plan: {{ticket.organization.name}}",
                },
                {"field": "comment_mode_is_public", "value": "false"},
            ],
        ),
    ]


def _incidents(data: dict[str, Any], now: dt.datetime, agents: list[dict], tickets: list[dict]) -> None:
    """incident.io's catalogue (severities, statuses, roles), three incidents (two live, one
    with a Support Watcher), their updates, and tickets already attached to the live ones."""
    severities, statuses, roles = _incident_catalogue(now)
    incidents = _incident_records(now, agents, severities, statuses, roles)
    data["incidents"] = incidents
    data["severities"] = severities
    data["incident_statuses"] = statuses
    data["incident_roles"] = roles
    data["incident_updates"] = _incident_updates(now, agents, incidents, statuses)
    data["incident_attachments"] = _incident_attachments(agents, incidents, tickets)


def _incident_user(agent: dict) -> dict[str, Any]:
    return {
        "id": f"01USER{agent['id']}",
        "name": agent["name"],
        "email": agent["email"],
        "role": "responder",
        "slack_user_id": f"U{agent['id']}",
        "organisation_id": "01ORG",
    }


def _incident_catalogue(now: dt.datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    stamp = iso(now - dt.timedelta(days=200))
    severities = [
        {
            "id": "01SEVMINOR",
            "name": "Minor",
            "rank": 1,
            "description": "Issues with low impact.",
            "created_at": stamp,
            "updated_at": stamp,
        },
        {
            "id": "01SEVMAJOR",
            "name": "Major",
            "rank": 2,
            "description": "Issues causing significant impact.",
            "created_at": stamp,
            "updated_at": stamp,
        },
        {
            "id": "01SEVCRIT",
            "name": "Critical",
            "rank": 3,
            "description": "Issues causing very high impact.",
            "created_at": stamp,
            "updated_at": stamp,
        },
    ]
    statuses = [
        {
            "id": "01STTRIAGE",
            "name": "Triage",
            "description": "Is this an incident?",
            "rank": 1,
            "category": "triage",
            "created_at": stamp,
            "updated_at": stamp,
        },
        {
            "id": "01STINVEST",
            "name": "Investigating",
            "description": "Working out what is wrong.",
            "rank": 2,
            "category": "live",
            "created_at": stamp,
            "updated_at": stamp,
        },
        {
            "id": "01STFIXING",
            "name": "Fixing",
            "description": "Fix in progress.",
            "rank": 3,
            "category": "live",
            "created_at": stamp,
            "updated_at": stamp,
        },
        {
            "id": "01STMONITOR",
            "name": "Monitoring",
            "description": "Fix deployed, watching.",
            "rank": 4,
            "category": "live",
            "created_at": stamp,
            "updated_at": stamp,
        },
        {
            "id": "01STCLOSED",
            "name": "Closed",
            "description": "Impact fully mitigated.",
            "rank": 5,
            "category": "closed",
            "created_at": stamp,
            "updated_at": stamp,
        },
    ]
    roles = [
        {
            "id": "01ROLELEAD",
            "name": "Incident Lead",
            "shortform": "lead",
            "role_type": "lead",
            "description": "Coordinates the incident",
            "instructions": "Take point",
            "condition_groups": [],
            "created_at": stamp,
            "updated_at": stamp,
        },
        {
            "id": "01ROLEWATCH",
            "name": "Support Watcher",
            "shortform": "watcher",
            "role_type": "custom",
            "description": "Keeps support and customers informed",
            "instructions": "Watch the queue, tag tickets, post handovers",
            "condition_groups": [],
            "created_at": stamp,
            "updated_at": stamp,
        },
        {
            "id": "01ROLECOMMS",
            "name": "Communications Lead",
            "shortform": "comms",
            "role_type": "custom",
            "description": "Status page wording",
            "instructions": "",
            "condition_groups": [],
            "created_at": stamp,
            "updated_at": stamp,
        },
    ]
    return severities, statuses, roles


def _incident_records(
    now: dt.datetime,
    agents: list[dict],
    severities: list[dict[str, Any]],
    statuses: list[dict[str, Any]],
    roles: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    by_name = {status["name"]: status for status in statuses}

    def incident(
        iid: str,
        ref: str,
        name: str,
        summary: str,
        status: str,
        severity: int,
        hours_ago: float,
        lead: dict,
        watcher: dict | None,
    ) -> dict[str, Any]:
        created = now - dt.timedelta(hours=hours_ago)
        # An unfilled role has no `assignee` at all (the schema's assignee is not nullable).
        assignments = [
            {"role": roles[0], "assignee": _incident_user(lead)},
            {"role": roles[1], **({"assignee": _incident_user(watcher)} if watcher else {})},
        ]
        return {
            "id": iid,
            "reference": ref,
            "name": name,
            "summary": summary,
            "permalink": f"https://app.incident.io/posthog/incidents/{ref.split('-')[1]}",
            "incident_status": by_name[status],
            "severity": severities[severity],
            "incident_role_assignments": assignments,
            "created_at": iso(created),
            "updated_at": iso(now - dt.timedelta(minutes=12)),
            "reported_at": iso(created),
            "mode": "standard",
            "visibility": "public",
            "slack_channel_name": f"inc-{ref.split('-')[1]}-{name.lower().split(' ')[0]}",
            "external_id": None,
            "idempotency_key": iid,
            "did_opt_out_of_post_incident_flow": False,
            "organisation_id": "01ORG",
            "creator": {"user": _incident_user(lead)},
            "last_activity_at": iso(now - dt.timedelta(minutes=12)),
            "custom_field_entries": [],
            "slack_team_id": "T01",
            "slack_channel_id": "C0" + ref.split("-")[1],
            "postmortem_status": "not_started",
        }

    incidents = [
        incident(
            "01INC231",
            "INC-231",
            "Event ingestion delayed in EU",
            "Events sent to the EU region are arriving 30-90 minutes late. Capture is accepting events; nothing is lost.",
            "Fixing",
            1,
            2.5,
            agents[3],
            agents[1],
        ),
        incident(
            "01INC232",
            "INC-232",
            "Session replay recordings failing to load",
            "The replay player fails to load recordings for some projects.",
            "Investigating",
            2,
            0.75,
            agents[1],
            None,
        ),
        incident(
            "01INC228",
            "INC-228",
            "Feature flags API latency",
            "Flag evaluation latency was elevated.",
            "Closed",
            0,
            50,
            agents[2],
            agents[0],
        ),
    ]
    return incidents


def _incident_updates(
    now: dt.datetime, agents: list[dict], incidents: list[dict[str, Any]], statuses: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    by_name = {status["name"]: status for status in statuses}
    updates = []
    for inc in incidents[:2]:
        for minutes, message, status in (
            (150, "We're investigating reports of this issue.", "Investigating"),
            (60, "We've identified the cause and are deploying a fix.", "Fixing"),
            (12, "Fix is rolling out region by region.", inc["incident_status"]["name"]),
        ):
            at = now - dt.timedelta(minutes=minutes)
            if at < dt.datetime.fromisoformat(inc["created_at"]):
                continue
            updates.append(
                {
                    "id": f"01UPD{inc['reference']}{minutes}",
                    "incident_id": inc["id"],
                    "message": message,
                    "new_incident_status": by_name[status],
                    "new_severity": inc["severity"],
                    "updater": {"user": _incident_user(agents[3])},
                    "created_at": iso(at),
                    "next_update_in_minutes": 30,
                }
            )
    return updates


def _incident_attachments(
    agents: list[dict], incidents: list[dict[str, Any]], tickets: list[dict]
) -> list[dict[str, Any]]:
    """Tickets already linked to the live incidents (their `incident/<n>` tag added), and
    their incident.io attachments."""
    attachments = []
    candidates = [t for t in tickets if t["status"] in ("new", "open")]
    for index, ticket in enumerate(candidates[12:17]):
        inc = incidents[0] if index < 3 else incidents[1]
        number = inc["reference"].split("-")[1]
        ticket["tags"].append(f"incident/{number}")
        attachments.append(
            {
                "id": f"01ATT{ticket['id']}",
                "incident_id": inc["id"],
                "resource": {
                    "id": f"01RES{ticket['id']}",
                    "external_id": str(ticket["id"]),
                    "resource_type": "zendesk_ticket",
                    "resource_type_label": "Zendesk ticket",
                    "permalink": f"https://example.zendesk.com/agent/tickets/{ticket['id']}",
                    "title": ticket["subject"],
                    "created_at": inc["created_at"],
                    "updated_at": inc["created_at"],
                },
                "creator": {"user": _incident_user(agents[0])},
                "created_at": inc["created_at"],
                "organisation_id": "01ORG",
            }
        )
    return attachments


def _issues(now: dt.datetime, rng: random.Random) -> tuple[dict[str, list], dict[str, list]]:
    issues: dict[str, list] = {}
    labels: dict[str, list] = {}
    issue_id = _Ids(2500000000)
    for repo_index, repo in enumerate(SDK_REPOS):
        repo_labels = [
            {
                "id": 100 + i,
                "node_id": f"LA_kwDO{100 + i:08d}",
                "name": name,
                "color": "ededed",
                "description": None,
                "default": name in ("bug", "enhancement"),
            }
            for i, name in enumerate(TEAM_LABELS + ["SDK Support Hero", "bug", "enhancement"])
        ]
        labels[repo] = repo_labels
        items = []
        for number in range(1, 7):
            kind = (number + repo_index) % 3
            names = [] if kind == 0 else (["SDK Support Hero"] if kind == 1 else [rng.choice(TEAM_LABELS), "bug"])
            created = now - dt.timedelta(hours=rng.uniform(1, 24 * 20))
            ident = issue_id()
            login = f"dev{number}{repo_index}"
            items.append(
                {
                    "id": ident,
                    "node_id": f"I_kwDO{ident}",
                    "number": 1200 + repo_index * 40 + number,
                    "title": rng.choice(ISSUE_TITLES),
                    "state": "open",
                    "state_reason": None,
                    "locked": False,
                    "active_lock_reason": None,
                    "html_url": f"https://github.com/{repo}/issues/{1200 + repo_index * 40 + number}",
                    "body": "Steps to reproduce:\n1. Install the latest version\n2. Call capture()\n\nExpected: event sent.",
                    "user": {
                        "login": login,
                        "id": 1000 + number,
                        "node_id": f"U_kgDO{1000 + number}",
                        "type": "User",
                        "site_admin": False,
                        "html_url": f"https://github.com/{login}",
                    },
                    "labels": [label for label in repo_labels if label["name"] in names],
                    "assignee": None,
                    "assignees": [],
                    "milestone": None,
                    "closed_at": None,
                    "author_association": "NONE",
                    "comments": rng.randint(0, 6),
                    "created_at": iso(created),
                    "updated_at": iso(created + dt.timedelta(hours=1)),
                }
            )
        issues[repo] = items
    return issues, labels
