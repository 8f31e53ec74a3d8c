"""Configuration: a TOML file, overridden by TRIAGE_* environment variables.

A bad value is reported as one line naming the file, the key and what was expected
(`ConfigError`); the CLI turns that into exit code 2.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The queue's view of what `f` found in Zendesk: a name the user's own views may not take.
SEARCH_VIEW = "search"

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


class _Invalid(ValueError):
    """One key's value is wrong: says what was expected."""


# Plain dataclasses checked by hand, not pydantic: config is read before the first paint,
# and importing pydantic would add a fifth to start-up for a dozen simple keys.
def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("a string")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise _Invalid("a number")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _Invalid("a number") from None


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise _Invalid("a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise _Invalid("a whole number")


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
        return value.strip().lower() in ("true", "yes", "on", "1")
    raise _Invalid("true or false")


def _time_of_day(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(_text(value))
    except (_Invalid, ValueError):
        raise _Invalid("a time of day such as 09:00") from None


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(_text(value))
    except (_Invalid, ValueError):
        raise _Invalid("dates such as 2026-12-25") from None


def _list_of(item: Callable[[Any], Any], what: str) -> Callable[[Any], list]:
    def convert(value: Any) -> list:
        if not isinstance(value, list):
            raise _Invalid(f"a list of {what}")
        try:
            return [item(part) for part in value]
        except _Invalid:
            raise _Invalid(f"a list of {what}") from None

    return convert


def _views(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or not all(
        isinstance(v, dict) and all(isinstance(x, str) for x in v.values()) for v in value
    ):
        raise _Invalid('a list of tables such as {name = "billing", filter = "invoice"}')
    if any(v.get("name") == SEARCH_VIEW for v in value):
        raise _Invalid(f"view names other than {SEARCH_VIEW!r} (that view holds what f finds in Zendesk)")
    return [dict(v) for v in value]


def _targets(value: Any) -> dict[str, float | None]:
    if not isinstance(value, dict):
        raise _Invalid("a table of plan = business hours")
    try:
        return {str(plan): None if hours is None else _number(hours) for plan, hours in value.items()}
    except _Invalid:
        raise _Invalid("a table of plan = business hours") from None


def _keymap(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value.values()):
        raise _Invalid('a table of binding id = "keys"')
    return dict(value)


def _at_least(floor: float, why: str) -> Callable[[Any], float]:
    """Seconds between polls, never below the floor that keeps one copy inside its share of
    an account budget the whole team draws on."""

    def convert(value: Any) -> float:
        seconds = _number(value)
        if seconds < floor:
            raise _Invalid(f"at least {floor:g} seconds ({why})")
        return seconds

    return convert


def _optional_id(value: Any) -> int | None:
    if value is None or value == "":
        return None
    number = _integer(value)
    if number <= 0:
        raise _Invalid("a view id (a positive whole number)")
    return number


def _optional_path(value: Any) -> Path | None:
    return None if value is None else Path(_text(value)).expanduser()


def _weekdays(value: Any) -> list[int]:
    days = _list_of(_integer, "weekday numbers")(value)
    if any(day < 0 or day > 6 for day in days):
        raise _Invalid("weekday numbers 0 (Monday) to 6 (Sunday)")
    return days


def _end_hour(value: Any) -> float:
    hour = _number(value)
    if not 0 < hour <= 24:
        raise _Invalid("an hour between 0 and 24")
    return hour


def _timezone(value: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = _text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Invalid("an IANA timezone name such as Europe/London") from None
    return name


_strings = _list_of(_text, "strings")


def _view_ids(value: Any) -> list[int]:
    what = "a list of Zendesk view ids (positive whole numbers, as in .../agent/filters/<id>)"
    if not isinstance(value, list):
        raise _Invalid(what)
    try:
        ids = [_integer(part) for part in value]
    except _Invalid:
        raise _Invalid(what) from None
    if any(number <= 0 for number in ids):
        raise _Invalid(what)
    return ids


def _fraction(value: Any) -> float:
    share = _number(value)
    if not 0 < share <= 1:
        raise _Invalid("a share of the plan's target above 0 and at most 1 (0.5: half the time)")
    return share


def _check(
    convert: Callable[[Any], Any], default: Any = dataclasses.MISSING, factory: Any = dataclasses.MISSING
) -> Any:
    """A dataclass field that knows how to check a value read from TOML or the environment."""
    return dataclasses.field(default=default, default_factory=factory, metadata={"convert": convert})


class _Section:
    """What every config section shares: checked construction and copies with changes."""

    @classmethod
    def from_dict(cls, data: Any, where: str = "") -> Any:
        if not isinstance(data, dict):
            raise ConfigError(f"{where or 'config'}: expected a table")
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        values: dict[str, Any] = {}
        for key, value in data.items():
            name = f"{where}.{key}" if where else key
            if key not in fields:
                raise ConfigError(f"{name}: unknown key")
            convert = fields[key].metadata["convert"]
            if isinstance(convert, type) and issubclass(convert, _Section):
                values[key] = convert.from_dict(value, name)
                continue
            try:
                values[key] = convert(value)
            except _Invalid as exc:
                raise ConfigError(f"{name}: expected {exc} (got {value!r})") from None
        return cls(**values)

    def replace(self, **changes: Any) -> Any:
        """A copy with `changes`; a dict given for a section changes only those keys."""
        checked: dict[str, Any] = {}
        for key, value in changes.items():
            current = getattr(self, key)
            checked[key] = (
                current.replace(**value) if isinstance(current, _Section) and isinstance(value, dict) else value
            )
        return dataclasses.replace(self, **checked)  # type: ignore[type-var]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]


@dataclass
class ZendeskConfig(_Section):
    url: str = _check(_text, "")
    subdomain: str = _check(_text, "")
    email: str = _check(_text, "")
    my_groups: list[str] = _check(_strings, factory=list)
    sme_groups: list[str] = _check(_strings, factory=list)
    escalation_groups: list[str] = _check(_strings, factory=lambda: list(DEFAULT_ESCALATION_GROUPS))
    escalation_tag: str = _check(_text, "escalated")
    cs_tag: str = _check(_text, "cs_tagged")
    plan_field: str = _check(_text, "plan")
    plan_tag_prefix: str = _check(_text, "plan_")
    # The view a poll lists to see what changed; empty: Zendesk's "Recently updated tickets".
    changes_view: int | None = _check(_optional_id, None)
    # -- issue 26, part B: field edits and routing guards --
    # The account's severity field, by title (its id comes from ticket_fields).
    severity_field: str = _check(_text, "Severity")
    # Billing's lead (an agent's email): added as a follower of a billing ticket.
    billing_lead: str = _check(_text, "")

    def base_url(self) -> str:
        if self.url:
            return self.url.rstrip("/")
        if self.subdomain:
            return f"https://{self.subdomain}.zendesk.com"
        return ""


@dataclass
class IncidentioConfig(_Section):
    url: str = _check(_text, "https://api.incident.io")
    watcher_role: str = _check(_text, "Support Watcher")
    status_page_url: str = _check(_text, "https://status.posthog.com")


@dataclass
class GithubConfig(_Section):
    url: str = _check(_text, "https://api.github.com")
    repos: list[str] = _check(_strings, factory=lambda: list(DEFAULT_SDK_REPOS))
    mobile_repos: list[str] = _check(
        _strings,
        factory=lambda: [
            "PostHog/posthog-ios",
            "PostHog/posthog-android",
            "PostHog/posthog-flutter",
            "PostHog/posthog-react-native",
        ],
    )
    team_labels: list[str] = _check(_strings, factory=lambda: list(DEFAULT_TEAM_LABELS))
    hero_label: str = _check(_text, "SDK Support Hero")
    # Where bug reports and feature requests from tickets go (the handbook's forms).
    bug_repo: str = _check(_text, "PostHog/posthog")


# The SDK rotation page's two Zendesk filters: escalated SDK tickets, and the mobile ones.
SDK_ESCALATED_VIEW, SDK_MOBILE_VIEW = 33118780890267, 42222680081819


@dataclass
class SdkConfig(_Section):
    """The SDK rotation's Zendesk half: its views beside the GitHub issues in the SDK view."""

    zendesk_views: list[int] = _check(_view_ids, factory=lambda: [SDK_ESCALATED_VIEW, SDK_MOBILE_VIEW])
    mobile_views: list[int] = _check(_view_ids, factory=lambda: [SDK_MOBILE_VIEW])
    # "The SLA has to be a bit faster" for mobile SDKs (a fix takes weeks to reach app
    # stores); the page gives no figure: half the plan's target unless set.
    mobile_sla_factor: float = _check(_fraction, 0.5)


@dataclass
class SlaConfig(_Section):
    # Hours of business time per plan; None means no target (community support only).
    targets: dict[str, float | None] = _check(
        _targets, factory=lambda: {"free": None, "pay_as_you_go": 72.0, "boost": 48.0, "scale": 24.0, "enterprise": 8.0}
    )
    default_plan: str = _check(_text, "pay_as_you_go")
    timezone: str = _check(_timezone, "UTC")
    workdays: list[int] = _check(_weekdays, factory=lambda: [0, 1, 2, 3, 4])
    day_start: dt.time = _check(_time_of_day, dt.time(0, 0))
    # "24:00" is not a valid time, so the end of day is given as hours (24 = midnight).
    day_end_hour: float = _check(_end_hour, 24.0)
    holidays: list[dt.date] = _check(_list_of(_day, "dates such as 2026-12-25"), factory=list)
    alert_hours: list[float] = _check(_list_of(_number, "numbers"), factory=lambda: [3.0, 2.0, 1.0])


@dataclass
class SyncConfig(_Section):
    # Floors: README "Running it for a team" has the arithmetic behind each.
    zendesk_seconds: float = _check(_at_least(15, "the account's budget is shared by the team"), 30.0)
    deletions_seconds: float = _check(_at_least(120, "deleted_tickets allows 10 requests a minute per account"), 300.0)
    incidentio_seconds: float = _check(_at_least(10, "incident.io allows 1,200 requests a minute per key"), 60.0)
    github_seconds: float = _check(_at_least(60, "GitHub allows 5,000 requests an hour per token"), 300.0)
    reference_seconds: float = _check(_at_least(600, "groups, macros and views rarely change"), 3600.0)


@dataclass
class RelayConfig(_Section):
    """A team's relay (README "Running a relay"): empty url, every copy reads Zendesk itself.
    The NATS password or token comes from the keyring or TRIAGE_RELAY_TOKEN, never from here."""

    url: str = _check(_text, "")  # nats://127.0.0.1:4222, tls://nats.example.com:4222
    user: str = _check(_text, "")  # the NATS user (its password is the relay token); empty: a token alone
    ca_file: Path | None = _check(_optional_path, None)  # the server's CA when it is not a public one
    # Which groups' tickets this copy asks for (names or ids); empty: every group the NATS
    # user may read (the server's permissions decide, never this list).
    groups: list[str] = _check(_strings, factory=list)
    name: str = _check(_text, "")  # shown to colleagues ("Alex is replying"); empty: the Zendesk user's name
    lease_seconds: float = _check(_at_least(1, "a leader must renew its lease several times within it"), 15.0)
    fallback_seconds: float = _check(_at_least(5, "a relay restarting must not send every copy to Zendesk"), 60.0)


@dataclass
class UiConfig(_Section):
    theme: str = _check(_text, "textual-dark")
    notifications: bool = _check(_flag, True)
    bell: bool = _check(_flag, True)
    mouse: bool = _check(_flag, True)
    views: list[dict[str, str]] = _check(_views, factory=list)


@dataclass
class Config(_Section):
    zendesk: ZendeskConfig = _check(ZendeskConfig, factory=ZendeskConfig)
    incidentio: IncidentioConfig = _check(IncidentioConfig, factory=IncidentioConfig)
    github: GithubConfig = _check(GithubConfig, factory=GithubConfig)
    sdk: SdkConfig = _check(SdkConfig, factory=SdkConfig)
    sla: SlaConfig = _check(SlaConfig, factory=SlaConfig)
    sync: SyncConfig = _check(SyncConfig, factory=SyncConfig)
    ui: UiConfig = _check(UiConfig, factory=UiConfig)
    relay: RelayConfig = _check(RelayConfig, factory=RelayConfig)
    keys: dict[str, str] = _check(_keymap, factory=dict)
    cache_dir: Path | None = _check(_optional_path, None)


def xdg_dir(kind: str) -> Path:
    """The XDG base dir of `kind` ("config", "cache", "state") for triage-tui."""
    defaults = {"config": ".config", "cache": ".cache", "state": ".local/state"}
    base = os.environ.get(f"XDG_{kind.upper()}_HOME") or str(Path.home() / defaults[kind])
    return Path(base) / "triage-tui"


def default_config_path() -> Path:
    return xdg_dir("config") / "config.toml"


def _env_overrides(environ: dict[str, str]) -> dict[str, dict[str, Any]]:
    """TRIAGE_<SECTION>_<KEY>=value, for the keys of each section; lists are comma-separated.

    Each value is checked here, so a bad one is reported against its variable: the config
    file may not even exist, and blaming it sends the user to the wrong place.
    """
    overrides: dict[str, dict[str, Any]] = {}
    for section in dataclasses.fields(Config):
        model = section.metadata["convert"]
        if not (isinstance(model, type) and issubclass(model, _Section)):
            continue
        defaults = model()
        for field in dataclasses.fields(model):  # type: ignore[arg-type]  # every _Section is a dataclass
            name = f"TRIAGE_{section.name}_{field.name}".upper()
            if name in environ:
                value: Any = environ[name]
                if isinstance(getattr(defaults, field.name), list):
                    value = [part.strip() for part in value.split(",") if part.strip()]
                try:
                    field.metadata["convert"](value)
                except _Invalid as exc:
                    raise ConfigError(f"environment variable {name}: expected {exc} (got {environ[name]!r})") from None
                overrides.setdefault(section.name, {})[field.name] = value
    return overrides


def _merge(base: dict[str, Any], extra: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged = dict(base)
    for section, values in extra.items():
        current = merged.get(section)
        merged[section] = {**(current if isinstance(current, dict) else {}), **values}
    return merged


def load_config(path: Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """Read the config file (if any) and apply env overrides.

    Order: explicit `path`, then $TRIAGE_CONFIG, then the XDG default. An explicitly named
    file must exist; the default one may be absent.
    """
    environ = dict(os.environ if environ is None else environ)
    named_by_env = path is None and bool(environ.get("TRIAGE_CONFIG"))
    explicit = path or (Path(environ["TRIAGE_CONFIG"]) if named_by_env else None)
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
        raise ConfigError(f"{file}: no such config file" + (" (named by TRIAGE_CONFIG)" if named_by_env else ""))
    # The file on its own first: its errors name the file and key. Env values are checked
    # as they are read (naming the variable), so what is left after merging is valid.
    try:
        Config.from_dict(data)
    except ConfigError as exc:
        raise ConfigError(f"{file}: {exc}") from None
    return Config.from_dict(_merge(data, _env_overrides(environ)))


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
severity_field = "Severity"        # the ticket field E edits as severity (found by its title)
# billing_lead = "lead@example.com"  # B adds this agent as a follower of a billing ticket

[incidentio]
url = "https://api.incident.io"
watcher_role = "Support Watcher"
status_page_url = "https://status.posthog.com"

[github]
url = "https://api.github.com"
repos = ["PostHog/posthog-js", "PostHog/posthog-python", "PostHog/posthog-ios",
         "PostHog/posthog-android", "PostHog/posthog-flutter"]
hero_label = "SDK Support Hero"
bug_repo = "PostHog/posthog"       # B on a ticket: bug reports and feature requests go here

[sdk]                              # the SDK rotation's Zendesk filters, listed in the SDK view (3)
zendesk_views = [33118780890267, 42222680081819]
mobile_views = [42222680081819]    # mobile SDK tickets: a shorter SLA
mobile_sla_factor = 0.5            # of the plan's target ("a bit faster"; the page gives no figure)

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

[relay]                            # a team's relay (README "Running a relay"); no url: read Zendesk
# url = "tls://nats.example.com:4222"  # its password: `triage-tui auth set relay` or TRIAGE_RELAY_TOKEN
# user = "alex"

[keys]                             # binding id = keys, to change a default; `?` lists the ids
# "ticket.solve" = "S"             # e.g. solve with S; several keys: "S,ctrl+o"
"""
