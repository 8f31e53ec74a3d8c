"""The fake Zendesk's router: every area's endpoints on one router, working from one context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from triage_sandbox.http import Router
from triage_sandbox.settings import SandboxSettings
from triage_sandbox.state import SandboxState
from triage_sandbox.zendesk import directory, incremental, jobs, macros, search, tags, tickets, views
from triage_sandbox.zendesk.context import JobsFirstRouter, Zendesk


def build(
    state: SandboxState, base_url: Callable[[], str], now: Callable[[], dt.datetime], settings: SandboxSettings
) -> Router:
    zendesk = Zendesk(state, base_url, now, settings, JobsFirstRouter(suffix=".json"))
    for area in (directory, macros, tickets, tags, jobs, views, search, incremental):
        area.register(zendesk)
    return zendesk.router
