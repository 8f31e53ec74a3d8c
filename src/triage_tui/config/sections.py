"""The config's sections: one dataclass each, every key with its default and the check
its value goes through (config/checks.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from triage_tui.config import checks
from triage_tui.config.checks import Section, setting

DEFAULT_SDK_REPOS = [
    "PostHog/posthog-js",
    "PostHog/posthog-python",
    "PostHog/posthog-ios",
    "PostHog/posthog-android",
    "PostHog/posthog-flutter",
]
DEFAULT_TEAM_LABELS = [
    "team/product-analytics",
    "team/web-analytics",
    "team/feature-flags",
    "team/replay",
    "team/cdp",
    "team/mobile",
    "team/growth",
]
DEFAULT_ESCALATION_GROUPS = [
    "Product Analytics",
    "Web Analytics",
    "Feature Success",
    "Replay",
    "CDP",
    "Infrastructure",
    "Growth",
    "Billing",
]


@dataclass
class ZendeskConfig(Section):
    url: str = setting(checks.text, "")
    subdomain: str = setting(checks.text, "")
    email: str = setting(checks.text, "")
    my_groups: list[str] = setting(checks.strings, factory=list)
    sme_groups: list[str] = setting(checks.strings, factory=list)
    escalation_groups: list[str] = setting(checks.strings, factory=lambda: list(DEFAULT_ESCALATION_GROUPS))
    escalation_tag: str = setting(checks.text, "escalated")
    cs_tag: str = setting(checks.text, "cs_tagged")
    plan_field: str = setting(checks.text, "plan")
    plan_tag_prefix: str = setting(checks.text, "plan_")
    # The view a poll lists to see what changed; empty: Zendesk's "Recently updated tickets".
    changes_view: int | None = setting(checks.optional_id, None)
    # -- issue 26, part B: field edits and routing guards --
    # The account's severity field, by title (its id comes from ticket_fields).
    severity_field: str = setting(checks.text, "Severity")
    # Billing's lead (an agent's email): added as a follower of a billing ticket.
    billing_lead: str = setting(checks.text, "")

    def base_url(self) -> str:
        if self.url:
            return self.url.rstrip("/")
        if self.subdomain:
            return f"https://{self.subdomain}.zendesk.com"
        return ""


@dataclass
class IncidentioConfig(Section):
    url: str = setting(checks.text, "https://api.incident.io")
    watcher_role: str = setting(checks.text, "Support Watcher")
    status_page_url: str = setting(checks.text, "https://status.posthog.com")


@dataclass
class GithubConfig(Section):
    url: str = setting(checks.text, "https://api.github.com")
    repos: list[str] = setting(checks.strings, factory=lambda: list(DEFAULT_SDK_REPOS))
    mobile_repos: list[str] = setting(
        checks.strings,
        factory=lambda: [
            "PostHog/posthog-ios",
            "PostHog/posthog-android",
            "PostHog/posthog-flutter",
            "PostHog/posthog-react-native",
        ],
    )
    team_labels: list[str] = setting(checks.strings, factory=lambda: list(DEFAULT_TEAM_LABELS))
    hero_label: str = setting(checks.text, "SDK Support Hero")
    # Where bug reports and feature requests from tickets go (the handbook's forms).
    bug_repo: str = setting(checks.text, "PostHog/posthog")


# The SDK rotation page's two Zendesk filters: escalated SDK tickets, and the mobile ones.
SDK_ESCALATED_VIEW, SDK_MOBILE_VIEW = 33118780890267, 42222680081819


@dataclass
class SdkConfig(Section):
    """The SDK rotation's Zendesk half: its views beside the GitHub issues in the SDK view."""

    zendesk_views: list[int] = setting(checks.view_ids, factory=lambda: [SDK_ESCALATED_VIEW, SDK_MOBILE_VIEW])
    mobile_views: list[int] = setting(checks.view_ids, factory=lambda: [SDK_MOBILE_VIEW])
    # "The SLA has to be a bit faster" for mobile SDKs (a fix takes weeks to reach app
    # stores); the page gives no figure: half the plan's target unless set.
    mobile_sla_factor: float = setting(checks.fraction, 0.5)


@dataclass
class SlaConfig(Section):
    # Hours of business time per plan; None means no target (community support only).
    targets: dict[str, float | None] = setting(
        checks.targets,
        factory=lambda: {"free": None, "pay_as_you_go": 72.0, "boost": 48.0, "scale": 24.0, "enterprise": 8.0},
    )
    default_plan: str = setting(checks.text, "pay_as_you_go")
    timezone: str = setting(checks.timezone, "UTC")
    workdays: list[int] = setting(checks.weekdays, factory=lambda: [0, 1, 2, 3, 4])
    day_start: dt.time = setting(checks.time_of_day, dt.time(0, 0))
    # "24:00" is not a valid time, so the end of day is given as hours (24 = midnight).
    day_end_hour: float = setting(checks.end_hour, 24.0)
    holidays: list[dt.date] = setting(checks.list_of(checks.day, "dates such as 2026-12-25"), factory=list)
    alert_hours: list[float] = setting(checks.list_of(checks.number, "numbers"), factory=lambda: [3.0, 2.0, 1.0])


@dataclass
class SyncConfig(Section):
    # Floors: README "Running it for a team" has the arithmetic behind each.
    zendesk_seconds: float = setting(checks.at_least(15, "the account's budget is shared by the team"), 30.0)
    deletions_seconds: float = setting(
        checks.at_least(120, "deleted_tickets allows 10 requests a minute per account"), 300.0
    )
    incidentio_seconds: float = setting(checks.at_least(10, "incident.io allows 1,200 requests a minute per key"), 60.0)
    github_seconds: float = setting(checks.at_least(60, "GitHub allows 5,000 requests an hour per token"), 300.0)
    reference_seconds: float = setting(checks.at_least(600, "groups, macros and views rarely change"), 3600.0)


@dataclass
class RelayConfig(Section):
    """A team's relay (README "Running a relay"): empty url, every copy reads Zendesk itself.
    The NATS password or token comes from the keyring or TRIAGE_RELAY_TOKEN, never from here."""

    url: str = setting(checks.text, "")  # nats://127.0.0.1:4222, tls://nats.example.com:4222
    user: str = setting(checks.text, "")  # the NATS user (its password is the relay token); empty: a token alone
    ca_file: Path | None = setting(checks.optional_path, None)  # the server's CA when it is not a public one
    # Which groups' tickets this copy asks for (names or ids); empty: every group the NATS
    # user may read (the server's permissions decide, never this list).
    groups: list[str] = setting(checks.strings, factory=list)
    name: str = setting(checks.text, "")  # shown to colleagues ("Alex is replying"); empty: the Zendesk user's name
    lease_seconds: float = setting(checks.at_least(1, "a leader must renew its lease several times within it"), 15.0)
    # Within a minute of losing the relay, with room for noticing the loss (README "Running a relay").
    fallback_seconds: float = setting(
        checks.at_least(5, "a relay restarting must not send every copy to Zendesk"), 50.0
    )


@dataclass
class UiConfig(Section):
    theme: str = setting(checks.text, "textual-dark")
    notifications: bool = setting(checks.flag, True)
    bell: bool = setting(checks.flag, True)
    mouse: bool = setting(checks.flag, True)
    views: list[dict[str, str]] = setting(checks.views, factory=list)


@dataclass
class Config(Section):
    zendesk: ZendeskConfig = setting(ZendeskConfig, factory=ZendeskConfig)
    incidentio: IncidentioConfig = setting(IncidentioConfig, factory=IncidentioConfig)
    github: GithubConfig = setting(GithubConfig, factory=GithubConfig)
    sdk: SdkConfig = setting(SdkConfig, factory=SdkConfig)
    sla: SlaConfig = setting(SlaConfig, factory=SlaConfig)
    sync: SyncConfig = setting(SyncConfig, factory=SyncConfig)
    ui: UiConfig = setting(UiConfig, factory=UiConfig)
    relay: RelayConfig = setting(RelayConfig, factory=RelayConfig)
    keys: dict[str, str] = setting(checks.keymap, factory=dict)
    cache_dir: Path | None = setting(checks.optional_path, None)
