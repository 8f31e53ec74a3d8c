"""Reading the config: the TOML file, then TRIAGE_* environment variables over it, each
error one line naming the file (or the variable) and the key."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path
from typing import Any

from triage_tui.config.checks import ConfigError, Invalid, Section
from triage_tui.config.sections import Config


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
        if not (isinstance(model, type) and issubclass(model, Section)):
            continue
        defaults = model()
        for field in dataclasses.fields(model):  # type: ignore[arg-type]  # every Section is a dataclass
            name = f"TRIAGE_{section.name}_{field.name}".upper()
            if name in environ:
                value: Any = environ[name]
                if isinstance(getattr(defaults, field.name), list):
                    value = [part.strip() for part in value.split(",") if part.strip()]
                try:
                    field.metadata["convert"](value)
                except Invalid as exc:
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
