"""`triage-tui doctor`: is everything this tool needs in order? Exit 0 when all is well."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Awaitable, Callable

from triage_tui.config import Config, default_config_path, xdg_dir
from triage_tui.secrets import SOURCES, lookup


def _line(ok: bool | None, what: str, detail: str) -> str:
    mark = {True: "ok  ", False: "FAIL", None: "warn"}[ok]
    return f"[{mark}] {what}: {detail}"


# A 429 is the shared account's budget running low, not a broken set-up: doctor waits for
# Retry-After once when that is short, and otherwise says when to try again (a warning).
RATE_LIMIT_WAIT = 10.0


async def _services(
    config: Config, tokens: dict, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> list[tuple[bool | None, str, str]]:
    from triage_tui.sources.errors import AuthFailed, RateLimited, SourceError
    from triage_tui.store.cache import failure_reason
    from triage_tui.sync.clients import build_clients

    results: list[tuple[bool | None, str, str]] = []
    try:
        clients = build_clients(config, tokens, max_retries=0, timeout=5)
    except SourceError as exc:
        return [(False, "services", exc.message)]

    async def probe(
        label: str, client, call, describe, when_missing: tuple[bool | None, str], failure: bool | None = False
    ) -> None:
        if client is None:
            results.append((when_missing[0], label, when_missing[1]))
            return
        for attempt in range(2):
            try:
                results.append((True, label, describe(await call(client))))
            except RateLimited as exc:
                wait = exc.retry_after if exc.retry_after is not None else 1.0
                if attempt == 0 and wait <= RATE_LIMIT_WAIT:
                    await sleep(wait)
                    continue
                results.append((None, label, f"rate limited, retry after {wait:.0f} s"))
            except AuthFailed as exc:
                reason = failure_reason(client.http.source, exc.message)
                fix = reason.split("; ", 1)[1] if reason != exc.message and "; " in reason else ""
                results.append((failure, label, f"{exc.message}; {fix}" if fix else exc.message))
            except SourceError as exc:
                results.append((failure, label, exc.message))
            return

    try:
        await probe(
            "zendesk",
            clients.zendesk,
            lambda c: c.me(),
            lambda me: f"{config.zendesk.base_url()} as {me.name} <{me.email}>",
            (False, "not configured (url/subdomain, email and token needed)"),
        )
        if clients.zendesk is not None and results[-1][0]:
            await probe(
                "zendesk sync",
                clients.zendesk,
                lambda c: _sync_mode(c, config),
                lambda text: text,
                (None, ""),
                failure=None,
            )
        await probe(
            "incident.io",
            clients.incidentio,
            lambda c: c.http.get_json("/v1/identity"),
            lambda body: f"{config.incidentio.url} key {body.get('identity', {}).get('name', '?')!r}",
            (None, "no token: incident watch stays empty"),
        )
        # GitHub works without a token (public repos, a lower rate limit): only a set token can be wrong.
        await probe(
            "github",
            clients.github,
            lambda c: c.http.get_json("/user"),
            lambda user: f"{config.github.url} as {user.get('login', '?')}",
            (None, "not configured"),
            failure=False if tokens["github"].value else None,
        )
    finally:
        await clients.aclose()
    return results


async def _sync_mode(client, config: Config) -> str:
    """Which feed keeps the queue current and why, what reconciliation costs, the budget.

    Doctor only looks: the feed view is made by the first sync, not here."""
    from triage_tui.store.cache import Store
    from triage_tui.sync.changes import (
        RECONCILE_SECONDS,
        ChangeFeed,
        configured_feed,
        describe_mode,
        describe_reconcile,
        own_feed,
        plan_feed,
    )

    me = await client.me()
    if config.zendesk.changes_view is not None:
        views, _ = await client.views()
        feed = configured_feed([v.model_dump(mode="json") for v in views], config.zendesk.changes_view)
    else:
        plan = plan_feed(await client.personal_views(), me.id)
        feed = (
            own_feed(plan.keep)
            if plan.keep is not None
            else ChangeFeed(None, "triage-tui's own personal view, made by the next sync (not made yet)", planned=True)
        )
    shown, refused = 0, None
    try:
        store = Store(config.cache_dir or xdg_dir("cache"), read_only_ok=True)
        shown = len(store.unsolved_rows())
        refused = (store.get("cursor:zendesk") or {}).get("deletions_unavailable")
        store.close()
    except Exception:  # noqa: BLE001, S110 - the cache check below says what is wrong with it
        pass
    text = describe_mode(
        me.role,
        feed,
        config.sync.zendesk_seconds,
        config.sync.deletions_seconds,
        describe_reconcile(shown, RECONCILE_SECONDS),
        refused,
    )
    budget = client.http.budget
    if budget.known:
        text += f"; account budget {budget.limit}/min, {budget.remaining} left this minute"
    return text


def _relay(config: Config, check_services: bool) -> list[tuple[bool | None, str, str]]:
    """Which path feeds the queue, and with a relay: reachable, its leader, its lag."""
    if not config.relay.url:
        return [(True, "queue fed by", "Zendesk, polled by this copy (no [relay] url)")]
    from triage_tui.relay.health import relay_checks
    from triage_tui.secrets import RELAY

    secret = lookup(RELAY)
    # A server with users wants a password; a loopback one without users wants none.
    needed = bool(config.relay.user)
    checks: list[tuple[bool | None, str, str]] = [
        (True if secret.value or not needed else None, "token relay", secret.origin if needed else "none needed"),
    ]
    if check_services:
        checks += asyncio.run(relay_checks(config.relay, secret.value))
    reachable = any(what == "relay" and ok for ok, what, _ in checks)
    checks.append(
        (
            True if reachable else None,
            "queue fed by",
            f"the relay (Zendesk directly after {config.relay.fallback_seconds:.0f} s without it)"
            if reachable
            else f"Zendesk directly while the relay is unreachable (after {config.relay.fallback_seconds:.0f} s)",
        )
    )
    return checks


def run_doctor(
    config: Config, *, check_services: bool = True, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> int:
    checks: list[tuple[bool | None, str, str]] = []
    path = default_config_path() if not os.environ.get("TRIAGE_CONFIG") else None
    checks.append(
        (
            True,
            "config",
            (
                f"valid ({path or os.environ['TRIAGE_CONFIG']}"
                f"{'' if (path is None or path.exists()) else ', not present: defaults and env'})"
            ),
        )
    )
    tokens = {source: lookup(source) for source in SOURCES}
    for source, token in tokens.items():
        checks.append(
            (True if token.value else (False if source == "zendesk" else None), f"token {source}", token.origin)
        )
    if check_services:
        checks += asyncio.run(_services(config, tokens, sleep))
    checks += _relay(config, check_services)
    cache_dir = config.cache_dir or xdg_dir("cache")
    from triage_tui.store.errors import StoreUnavailable

    try:
        from triage_tui.store.cache import Store
        from triage_tui.store.outbox import Outbox

        store, outbox = Store(cache_dir, read_only_ok=True), Outbox(cache_dir, read_only_ok=True)
        mode = oct(cache_dir.stat().st_mode & 0o777)
        counts = outbox.counts()
        checks.append(
            (
                mode == "0o700",
                "cache",
                (
                    f"{cache_dir} ({mode}), {store.size_bytes() / 1e6:.1f} MB, "
                    f"{len(store.unsolved_rows())} unsolved tickets cached"
                ),
            )
        )
        if store.read_only:
            checks.append(
                (
                    False,
                    "cache",
                    (
                        f"{store.read_only_reason}: the app can only show what is cached; "
                        "sync and new writes need a writable cache_dir"
                    ),
                )
            )
        elif store.notice:
            checks.append((None, "cache", store.notice))
        problems = counts["conflicts"] + counts["failed"]
        checks.append(
            (
                None if counts["queued"] or problems else True,
                "outbox",
                f"{counts['queued']} queued, {counts['conflicts']} conflicts, {counts['failed']} failed",
            )
        )
        store.close()
        outbox.close()
    except StoreUnavailable as exc:
        checks.append((False, "cache", f"cannot be used: {exc}"))
    except Exception as exc:  # noqa: BLE001 - doctor reports, it does not crash
        checks.append((False, "cache", f"{cache_dir}: {type(exc).__name__}: {exc}"))
    size = shutil.get_terminal_size((0, 0))
    term = os.environ.get("TERM", "unset")
    colours = (
        "no colour (NO_COLOR)"
        if "NO_COLOR" in os.environ
        else (
            "truecolor"
            if os.environ.get("COLORTERM") in ("truecolor", "24bit")
            else ("256 colours" if "256" in term else "16 colours")
        )
    )
    fits = size.columns >= 80 and size.lines >= 24
    checks.append(
        (
            True if fits else None,
            "terminal",
            f"{size.columns}x{size.lines}, TERM={term}, {colours}" + ("" if fits else ": 80x24 or larger recommended"),
        )
    )
    for ok, what, detail in checks:
        print(_line(ok, what, detail))
    failed = any(ok is False for ok, _, _ in checks)
    print("all is well" if not failed else "some checks failed", file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0
