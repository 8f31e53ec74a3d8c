"""API tokens: environment variables first, then the system keyring.

keyring is imported lazily: its backend detection costs ~100 ms, which start-up with
env-var tokens (the demo, CI, most SSH boxes) should not pay.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

SERVICE = "triage-tui"
SOURCES = ("zendesk", "incidentio", "github")
# Not an API token: the NATS password (or token) of a team's relay. Kept like the tokens
# (keyring or TRIAGE_RELAY_TOKEN), asked for only when `[relay] url` is set.
RELAY = "relay"

HEADLESS_HINT = (
    "no keyring backend is available (common over SSH): set {env} instead, "
    "or `pip install keyrings.alt` for a file-based keyring"
)


class SecretError(Exception):
    """A token problem phrased for the user."""


@dataclass(frozen=True)
class Token:
    source: str
    value: str | None
    origin: str  # "env TRIAGE_ZENDESK_TOKEN", "keyring", "missing", "keyring unavailable: ..."

    def __repr__(self) -> str:  # never leak the value into a traceback or log
        shown = "set" if self.value else "unset"
        return f"Token(source={self.source!r}, value=<{shown}>, origin={self.origin!r})"


def env_name(source: str) -> str:
    return f"TRIAGE_{source.upper()}_TOKEN"


def _check(source: str) -> None:
    if source not in (*SOURCES, RELAY):
        raise SecretError(f"unknown service {source!r}: expected one of {', '.join((*SOURCES, RELAY))}")


def _keyring():
    import keyring
    import keyring.errors

    return keyring, keyring.errors


def lookup(source: str, environ: Mapping[str, str] | None = None) -> Token:
    """Find `source`'s token: env var, then keyring. Never raises for a missing token."""
    _check(source)
    env: Mapping[str, str] = os.environ if environ is None else environ
    name = env_name(source)
    if env.get(name):
        return Token(source, env[name], f"env {name}")
    try:
        keyring, _errors = _keyring()
        value = keyring.get_password(SERVICE, source)
    except Exception as exc:  # noqa: BLE001 - keyring backends raise many kinds; none may crash start-up
        if type(exc).__name__ == "NoKeyringError":
            return Token(source, None, "keyring unavailable: " + HEADLESS_HINT.format(env=name))
        return Token(source, None, f"keyring error ({type(exc).__name__}); set {name} instead")
    if value:
        return Token(source, value, "keyring")
    return Token(source, None, f"missing: run `triage-tui auth set {source}` or set {name}")


def check_keyring(source: str) -> None:
    """Raise SecretError (with the env-var alternative) unless a keyring can keep a token.

    Asked before prompting for a token. The fail and null backends are what keyring picks
    when nothing usable exists (over SSH, in containers); null would even drop the token
    without a word.
    """
    _check(source)
    try:
        keyring, _errors = _keyring()
        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001 - backend discovery raises many kinds; all mean "none"
        raise SecretError(
            f"the keyring cannot be used ({type(exc).__name__}); set {env_name(source)} instead"
        ) from None
    module = type(backend).__module__
    chained = getattr(backend, "backends", None)
    if module in ("keyring.backends.fail", "keyring.backends.null") or (
        module == "keyring.backends.chainer" and not chained
    ):
        raise SecretError(HEADLESS_HINT.format(env=env_name(source)))
    try:  # a backend that is there but cannot work (a locked or absent D-Bus service)
        backend.get_password(SERVICE, source)
    except Exception as exc:  # noqa: BLE001 - as in lookup()
        if type(exc).__name__ == "NoKeyringError":
            raise SecretError(HEADLESS_HINT.format(env=env_name(source))) from None
        raise SecretError(
            f"the keyring cannot be used ({type(exc).__name__}); set {env_name(source)} instead"
        ) from None


def store(source: str, value: str) -> None:
    _check(source)
    if not value:
        raise SecretError("an empty token was not stored")
    try:
        keyring, _ = _keyring()
        keyring.set_password(SERVICE, source, value)
    except Exception as exc:  # noqa: BLE001 - as above
        if type(exc).__name__ == "NoKeyringError":
            raise SecretError(HEADLESS_HINT.format(env=env_name(source))) from None
        raise SecretError(f"the keyring refused the token ({type(exc).__name__})") from None


def clear(source: str) -> bool:
    """Remove the stored token; False when there was none."""
    _check(source)
    try:
        keyring, _errors = _keyring()
        keyring.delete_password(SERVICE, source)
    except Exception as exc:  # noqa: BLE001 - as above: any backend failure is reported, not raised
        if type(exc).__name__ == "PasswordDeleteError":
            return False
        if type(exc).__name__ == "NoKeyringError":
            raise SecretError(HEADLESS_HINT.format(env=env_name(source))) from None
        raise SecretError(f"the keyring refused ({type(exc).__name__})") from None
    return True
