"""Configuration: a TOML file, overridden by TRIAGE_* environment variables.

A bad value is reported as one line naming the file, the key and what was expected
(`ConfigError`); the CLI turns that into exit code 2.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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


class ConfigError(Exception):
    """A config problem, already phrased as the one line the user should read."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ZendeskConfig(_Section):
    url: str = ""
    subdomain: str = ""
    email: str = ""
    my_groups: list[str] = Field(default_factory=list)
    sme_groups: list[str] = Field(default_factory=list)
    escalation_groups: list[str] = Field(default_factory=lambda: list(DEFAULT_ESCALATION_GROUPS))
    escalation_tag: str = "escalated"
    cs_tag: str = "cs_tagged"
    plan_field: str = "plan"
    plan_tag_prefix: str = "plan_"

    def base_url(self) -> str:
        if self.url:
            return self.url.rstrip("/")
        if self.subdomain:
            return f"https://{self.subdomain}.zendesk.com"
        return ""


class IncidentioConfig(_Section):
    url: str = "https://api.incident.io"
    watcher_role: str = "Support Watcher"
    status_page_url: str = "https://status.posthog.com"


class GithubConfig(_Section):
    url: str = "https://api.github.com"
    repos: list[str] = Field(default_factory=lambda: list(DEFAULT_SDK_REPOS))
    mobile_repos: list[str] = Field(
        default_factory=lambda: [
            "PostHog/posthog-ios",
            "PostHog/posthog-android",
            "PostHog/posthog-flutter",
            "PostHog/posthog-react-native",
        ]
    )
    team_labels: list[str] = Field(default_factory=lambda: list(DEFAULT_TEAM_LABELS))
    hero_label: str = "SDK Support Hero"


class SlaConfig(_Section):
    # Hours of business time per plan; None means no target (community support only).
    targets: dict[str, float | None] = Field(
        default_factory=lambda: {
            "free": None,
            "pay_as_you_go": 72.0,
            "boost": 48.0,
            "scale": 24.0,
            "enterprise": 8.0,
        }
    )
    default_plan: str = "pay_as_you_go"
    timezone: str = "UTC"
    workdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    day_start: dt.time = dt.time(0, 0)
    # "24:00" is not a valid time, so the end of day is given as hours (24 = midnight).
    day_end_hour: float = 24.0
    holidays: list[dt.date] = Field(default_factory=list)
    alert_hours: list[float] = Field(default_factory=lambda: [3.0, 2.0, 1.0])

    @field_validator("workdays")
    @classmethod
    def _weekday_numbers(cls, value: list[int]) -> list[int]:
        if any(day < 0 or day > 6 for day in value):
            raise ValueError("weekday numbers 0 (Monday) to 6 (Sunday)")
        return value

    @field_validator("day_end_hour")
    @classmethod
    def _hour_of_day(cls, value: float) -> float:
        if not 0 < value <= 24:
            raise ValueError("an hour between 0 and 24")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("an IANA timezone name such as Europe/London") from None
        return value


class SyncConfig(_Section):
    zendesk_seconds: float = 30.0
    incidentio_seconds: float = 60.0
    github_seconds: float = 300.0
    reference_seconds: float = 3600.0


class UiConfig(_Section):
    theme: str = "textual-dark"
    notifications: bool = True
    bell: bool = True
    mouse: bool = True
    views: list[dict[str, str]] = Field(default_factory=list)


class Config(_Section):
    zendesk: ZendeskConfig = Field(default_factory=ZendeskConfig)
    incidentio: IncidentioConfig = Field(default_factory=IncidentioConfig)
    github: GithubConfig = Field(default_factory=GithubConfig)
    sla: SlaConfig = Field(default_factory=SlaConfig)
    sync: SyncConfig = Field(default_factory=SyncConfig)
    ui: UiConfig = Field(default_factory=UiConfig)
    keys: dict[str, str] = Field(default_factory=dict)
    cache_dir: Path | None = None


def xdg_dir(kind: str) -> Path:
    """The XDG base dir of `kind` ("config", "cache", "state") for triage-tui."""
    defaults = {"config": ".config", "cache": ".cache", "state": ".local/state"}
    base = os.environ.get(f"XDG_{kind.upper()}_HOME") or str(Path.home() / defaults[kind])
    return Path(base) / "triage-tui"


def default_config_path() -> Path:
    return xdg_dir("config") / "config.toml"


def _env_overrides(environ: dict[str, str]) -> dict[str, dict[str, Any]]:
    """TRIAGE_<SECTION>_<KEY>=value, for the scalar keys of each section."""
    overrides: dict[str, dict[str, Any]] = {}
    sections = {name: field.annotation for name, field in Config.model_fields.items()}
    for section, model in sections.items():
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        for key in model.model_fields:
            name = f"TRIAGE_{section}_{key}".upper()
            if name in environ:
                value: Any = environ[name]
                if isinstance(model.model_fields[key].get_default(call_default_factory=True), list):
                    value = [part.strip() for part in value.split(",") if part.strip()]
                overrides.setdefault(section, {})[key] = value
    return overrides


def _merge(base: dict[str, Any], extra: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged = dict(base)
    for section, values in extra.items():
        current = merged.get(section)
        merged[section] = {**(current if isinstance(current, dict) else {}), **values}
    return merged


def _describe(error: dict[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = "expected " + message.removeprefix("Value error, ")
    return f"{key}: {message} (got {error.get('input')!r})"


def load_config(path: Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """Read the config file (if any) and apply env overrides.

    Order: explicit `path`, then $TRIAGE_CONFIG, then the XDG default. An explicitly named
    file must exist; the default one may be absent.
    """
    environ = dict(os.environ if environ is None else environ)
    explicit = path or (Path(environ["TRIAGE_CONFIG"]) if environ.get("TRIAGE_CONFIG") else None)
    file = explicit or default_config_path()
    data: dict[str, Any] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{file}: cannot be read: {exc.strerror}") from None
    elif explicit is not None:
        raise ConfigError(f"{file}: no such config file")
    data = _merge(data, _env_overrides(environ))
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{file}: {_describe(exc.errors()[0])}") from None


EXAMPLE_CONFIG = """\
# triage-tui configuration: $XDG_CONFIG_HOME/triage-tui/config.toml
# Every scalar key can also be set as TRIAGE_<SECTION>_<KEY>, e.g. TRIAGE_ZENDESK_URL.
# Tokens never go here: use `triage-tui auth set zendesk` or TRIAGE_ZENDESK_TOKEN.

[zendesk]
subdomain = "posthoghelp"          # or url = "https://posthoghelp.zendesk.com"
email = "you@example.com"          # the agent the token belongs to
my_groups = ["Product Analytics"]  # your team's queue; empty = all unsolved tickets
sme_groups = ["Analytics", "Support"]
escalation_tag = "escalated"
cs_tag = "cs_tagged"               # Customer Success tagged the team: tier 1
plan_field = "plan"                # organization_fields key holding the plan
plan_tag_prefix = "plan_"          # a ticket tag plan_enterprise overrides the org's plan

[incidentio]
url = "https://api.incident.io"
watcher_role = "Support Watcher"
status_page_url = "https://status.posthog.com"

[github]
url = "https://api.github.com"
repos = ["PostHog/posthog-js", "PostHog/posthog-python", "PostHog/posthog-ios",
         "PostHog/posthog-android", "PostHog/posthog-flutter"]
hero_label = "SDK Support Hero"

[sla]
timezone = "UTC"
workdays = [0, 1, 2, 3, 4]         # Monday..Friday: no weekend support
day_start = 00:00:00
day_end_hour = 24
holidays = [2026-12-25]
[sla.targets]                      # business hours to first/next reply; omit = no target
pay_as_you_go = 72
boost = 48
scale = 24
enterprise = 8

[sync]
zendesk_seconds = 30
incidentio_seconds = 60
github_seconds = 300

[ui]
theme = "textual-dark"
notifications = true
bell = true
mouse = true                       # false (or --no-mouse) saves bytes over SSH

[keys]                             # binding id = keys; `?` in the app lists the ids
"queue.next" = "n"
"ticket.solve" = "s"
"""
