"""What the commands that reach the services open first: the tokens, the cache and outbox,
the sync engine (and a team's relay feed), each failure a one-line `UserError`."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from triage_tui.cli.errors import UserError
from triage_tui.config import Config, xdg_dir


def read_tokens() -> dict:
    from triage_tui.secrets import SOURCES, lookup

    return {source: lookup(source) for source in SOURCES}


def cache_dir(config: Config) -> Path:
    return config.cache_dir or xdg_dir("cache")


def open_store(config: Config, *, read_only_ok: bool = False):
    """The cache and the outbox. With `read_only_ok`, a cache dir that cannot be written
    (disk full, read-only mount) opens read-only; otherwise that is a one-line error."""
    from triage_tui.store.cache import Store
    from triage_tui.store.errors import StoreUnavailable
    from triage_tui.store.outbox import Outbox

    directory = cache_dir(config)
    try:
        store = Store(directory, read_only_ok=read_only_ok)
        outbox = Outbox(directory, read_only_ok=read_only_ok)
    except StoreUnavailable as exc:
        raise UserError(
            f"cannot use the cache: {exc}; free some space, or set cache_dir in the config to a writable directory"
        ) from None
    return store, outbox


def after_app(store, outbox) -> None:
    """What the user should know once the screen is gone: a read-only cache, queued writes."""
    notice = store.notice if store.read_only else None
    if notice:
        print(f"triage-tui: {notice}", file=sys.stderr)
    message = outbox.quit_message()
    if message:
        print(f"triage-tui: {message}", file=sys.stderr)


def engine_factory(config: Config, store, outbox, tokens: dict):
    """The engine, built where it runs (the app's sync thread, or headless `sync`); the app
    hands it its asks and where a long first sync reports its pages."""

    def make(*, requests=None, progress=None):
        from triage_tui.sync.clients import build_clients
        from triage_tui.sync.engine import SyncEngine

        clients = build_clients(config, tokens)
        feed = relay_feed(config, store, clients)
        return SyncEngine(config, store, outbox, clients, feed=feed, requests=requests, progress=progress)

    return make


def check_clients(config: Config, tokens: dict) -> None:
    """Fail before the UI starts: a bad URL or a missing token is a one-line error."""
    from triage_tui.sources.errors import InsecureUrl
    from triage_tui.sources.http import check_base_url

    try:
        if config.zendesk.base_url():
            check_base_url("zendesk", config.zendesk.base_url())
        check_base_url("incidentio", config.incidentio.url)
        check_base_url("github", config.github.url)
    except InsecureUrl as exc:
        raise UserError(str(exc)) from None
    if not config.zendesk.base_url():
        raise UserError(
            "no Zendesk configured: set zendesk.subdomain (or url) and email in the config, or try `triage-tui demo`"
        )
    if not config.zendesk.email:
        raise UserError("zendesk.email is not set: the agent the token belongs to")
    if not tokens["zendesk"].value:
        raise UserError(f"no Zendesk token: {tokens['zendesk'].origin}")
    check_relay(config)


def collect_from_now_on() -> None:
    gc.freeze()
    gc.enable()


# -- the relay (README "Running a relay") ------------------------------------------------
def check_relay(config: Config) -> None:
    """A relay URL that cannot work is a one-line error before anything starts."""
    if not config.relay.url:
        return
    from triage_tui.relay.connect import RelayConfigError, check_url

    try:
        check_url(config.relay.url)
    except RelayConfigError as exc:
        raise UserError(str(exc)) from None


def relay_feed(config: Config, store, clients):
    """With `[relay] url`, the queue is read from the team's relay (None: from Zendesk)."""
    if not config.relay.url:
        return None
    from triage_tui.relay.feed import RelayFeed
    from triage_tui.secrets import RELAY, lookup

    async def whoami() -> dict:
        return (await clients.zendesk.me()).model_dump(mode="json")

    return RelayFeed(config, store, lookup(RELAY).value, whoami=whoami if clients.zendesk else None)
