"""How a config value is checked: one converter per kind of value, each raising `Invalid`
(what was expected) for a bad one, and `Section`, which checks a table key by key and
names the key in its `ConfigError`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The queue's view of what `f` found in Zendesk: a name the user's own views may not take.
SEARCH_VIEW = "search"


class ConfigError(Exception):
    """A config problem, already phrased as the one line the user should read."""


class Invalid(ValueError):
    """One key's value is wrong: says what was expected."""


# Plain dataclasses checked by hand, not pydantic: config is read before the first paint,
# and importing pydantic would add a fifth to start-up for a dozen simple keys.
def text(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("a string")
    return value


def number(value: Any) -> float:
    if isinstance(value, bool):
        raise Invalid("a number")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Invalid("a number") from None


def integer(value: Any) -> int:
    if isinstance(value, bool):
        raise Invalid("a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise Invalid("a whole number")


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
        return value.strip().lower() in ("true", "yes", "on", "1")
    raise Invalid("true or false")


def time_of_day(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(text(value))
    except (Invalid, ValueError):
        raise Invalid("a time of day such as 09:00") from None


def day(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(text(value))
    except (Invalid, ValueError):
        raise Invalid("dates such as 2026-12-25") from None


def list_of(item: Callable[[Any], Any], what: str) -> Callable[[Any], list]:
    def convert(value: Any) -> list:
        if not isinstance(value, list):
            raise Invalid(f"a list of {what}")
        try:
            return [item(part) for part in value]
        except Invalid:
            raise Invalid(f"a list of {what}") from None

    return convert


def views(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or not all(
        isinstance(v, dict) and all(isinstance(x, str) for x in v.values()) for v in value
    ):
        raise Invalid('a list of tables such as {name = "billing", filter = "invoice"}')
    if any(v.get("name") == SEARCH_VIEW for v in value):
        raise Invalid(f"view names other than {SEARCH_VIEW!r} (that view holds what f finds in Zendesk)")
    return [dict(v) for v in value]


def targets(value: Any) -> dict[str, float | None]:
    if not isinstance(value, dict):
        raise Invalid("a table of plan = business hours")
    try:
        return {str(plan): None if hours is None else number(hours) for plan, hours in value.items()}
    except Invalid:
        raise Invalid("a table of plan = business hours") from None


def keymap(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value.values()):
        raise Invalid('a table of binding id = "keys"')
    return dict(value)


def at_least(floor: float, why: str) -> Callable[[Any], float]:
    """Seconds between polls, never below the floor that keeps one copy inside its share of
    an account budget the whole team draws on."""

    def convert(value: Any) -> float:
        seconds = number(value)
        if seconds < floor:
            raise Invalid(f"at least {floor:g} seconds ({why})")
        return seconds

    return convert


def optional_id(value: Any) -> int | None:
    if value is None or value == "":
        return None
    number = integer(value)
    if number <= 0:
        raise Invalid("a view id (a positive whole number)")
    return number


def optional_path(value: Any) -> Path | None:
    return None if value is None else Path(text(value)).expanduser()


def weekdays(value: Any) -> list[int]:
    days = list_of(integer, "weekday numbers")(value)
    if any(day < 0 or day > 6 for day in days):
        raise Invalid("weekday numbers 0 (Monday) to 6 (Sunday)")
    return days


def above_up_to(low: float, high: float, what: str) -> Callable[[Any], float]:
    """A number above `low` and at most `high`."""

    def convert(value: Any) -> float:
        amount = number(value)
        if not low < amount <= high:
            raise Invalid(what)
        return amount

    return convert


end_hour = above_up_to(0, 24, "an hour between 0 and 24")


def timezone(value: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid("an IANA timezone name such as Europe/London") from None
    return name


strings = list_of(text, "strings")


def view_ids(value: Any) -> list[int]:
    what = "a list of Zendesk view ids (positive whole numbers, as in .../agent/filters/<id>)"
    if not isinstance(value, list):
        raise Invalid(what)
    try:
        ids = [integer(part) for part in value]
    except Invalid:
        raise Invalid(what) from None
    if any(number <= 0 for number in ids):
        raise Invalid(what)
    return ids


fraction = above_up_to(0, 1, "a share of the plan's target above 0 and at most 1 (0.5: half the time)")


def setting(
    convert: Callable[[Any], Any], default: Any = dataclasses.MISSING, factory: Any = dataclasses.MISSING
) -> Any:
    """A dataclass field that knows how to check a value read from TOML or the environment."""
    return dataclasses.field(default=default, default_factory=factory, metadata={"convert": convert})


class Section:
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
            if isinstance(convert, type) and issubclass(convert, Section):
                values[key] = convert.from_dict(value, name)
                continue
            try:
                values[key] = convert(value)
            except Invalid as exc:
                raise ConfigError(f"{name}: expected {exc} (got {value!r})") from None
        return cls(**values)

    def replace(self, **changes: Any) -> Any:
        """A copy with `changes`; a dict given for a section changes only those keys."""
        checked: dict[str, Any] = {}
        for key, value in changes.items():
            current = getattr(self, key)
            checked[key] = (
                current.replace(**value) if isinstance(current, Section) and isinstance(value, dict) else value
            )
        return dataclasses.replace(self, **checked)  # type: ignore[type-var]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]
