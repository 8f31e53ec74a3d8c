"""What every Zendesk endpoint works from: the account's state, the sandbox's settings, the
clock and the base URL, and the questions several endpoints ask (may this agent reach this
ticket? what does an `include=` add?)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

from triage_sandbox.http import Handler, Request, Response, Router
from triage_sandbox.settings import SandboxSettings
from triage_sandbox.state import SandboxState
from triage_sandbox.zendesk import sla_rules
from triage_sandbox.zendesk.pagination import listing_page
from triage_sandbox.zendesk.replies import NOT_FOUND

API = "/api/v2"
# Sideloads the ticket endpoints honour in the flat form (`include=users,groups`).
TICKET_SIDELOADS = {"users", "groups", "organizations", "metric_sets", "slas"}


class JobsFirstRouter(Router):
    """Zendesk's router: before any request is handled, the background jobs whose time has
    come move on, as Zendesk's workers do whether or not anyone reads the job."""

    def __init__(self, suffix: str = "") -> None:
        super().__init__(suffix)
        self.before: Callable[[], None] = lambda: None  # set by the jobs' routes: run the due jobs

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        found = super().match(method, path)
        if found is None:
            return None
        handler, params = found

        def jobs_first(request: Request) -> Response:
            self.before()
            return handler(request)

        return jobs_first, params


@dataclass
class Zendesk:
    """The ground every area's endpoints stand on (`register(z)` in each module): the state,
    `base_url` and `now` read at each request, the settings, and the router they join."""

    state: SandboxState
    base_url: Callable[[], str]
    now: Callable[[], dt.datetime]
    settings: SandboxSettings
    router: JobsFirstRouter

    # -- who may see what ---------------------------------------------------------------------
    @staticmethod
    def live(ticket: dict | None) -> TypeGuard[dict]:
        return ticket is not None and ticket.get("status") != "deleted"

    def allowed_groups(self, user: dict | None) -> set[int] | None:
        """The groups a restricted agent's tickets must be in (`--restrict-groups`), or None
        for an unrestricted user. README "Facts found ... 2026-12-07": restricted agents see
        only those tickets in views, search and lists."""
        if not self.settings.restrict_groups or (user or {}).get("role") != "agent":
            return None
        wanted = {name.lower() for name in self.settings.restrict_groups}
        return {g["id"] for g in self.state.groups.values() if str(g.get("name") or "").lower() in wanted}

    def in_reach(self, ticket: dict, user: dict | None) -> bool:
        groups = self.allowed_groups(user)
        return groups is None or ticket.get("group_id") in groups

    def reachable(self, ticket: dict | None, user: dict | None) -> TypeGuard[dict]:
        return self.live(ticket) and self.in_reach(ticket, user)

    def is_admin(self, user: dict | None) -> bool:
        return self.settings.persona == "admin" or (user or {}).get("role") == "admin"

    # -- what a ticket answer carries ---------------------------------------------------------
    def names(self, column: str, record_id: Any) -> str:
        state = self.state
        table = {
            "assignee": state.users,
            "requester": state.users,
            "group": state.groups,
            "organization": state.organizations,
        }[column]
        return str((table.get(record_id) or {}).get("name") or "")

    def agent_replied(self, ticket: dict) -> bool:
        requester = ticket.get("requester_id")
        return any(
            c.get("public") and c.get("author_id") != requester for c in self.state.comments.get(ticket["id"], [])
        )

    def answered(self, ticket: dict) -> bool:
        public = [c for c in self.state.comments.get(ticket["id"], []) if c.get("public")]
        return bool(public) and public[-1].get("author_id") != ticket.get("requester_id")

    def with_slas(self, ticket: dict) -> dict:
        slas = sla_rules.ticket_slas(
            ticket,
            self.state.sla_policies,
            self.state.metric_sets.get(ticket["id"]),
            self.agent_replied(ticket),
            self.now(),
            answered=self.answered(ticket),
        )
        return {**ticket, "slas": slas}

    def sideload(self, wanted: set[str], tickets: list[dict]) -> dict[str, Any]:
        state = self.state
        extra: dict[str, Any] = {}
        if "users" in wanted:
            ids = {t.get(f) for t in tickets for f in ("requester_id", "submitter_id", "assignee_id")}
            extra["users"] = [state.users[i] for i in sorted(i for i in ids if i is not None and i in state.users)]
        if "organizations" in wanted:
            ids = {t.get("organization_id") for t in tickets}
            extra["organizations"] = [
                state.organizations[i] for i in sorted(i for i in ids if i is not None and i in state.organizations)
            ]
        if "groups" in wanted:
            ids = {t.get("group_id") for t in tickets}
            extra["groups"] = [state.groups[i] for i in sorted(i for i in ids if i is not None and i in state.groups)]
        if "metric_sets" in wanted:
            extra["metric_sets"] = [state.metric_sets[t["id"]] for t in tickets if t["id"] in state.metric_sets]
        return extra

    @staticmethod
    def flat_includes(request: Request) -> set[str]:
        # A type-scoped `tickets(users)` is search's form: ticket endpoints ignore it.
        return {
            part.strip() for part in request.query.get("include", "").split(",") if part.strip() and "(" not in part
        } & TICKET_SIDELOADS

    def tickets_answer(self, request: Request, tickets: list[dict]) -> tuple[list[dict], dict[str, Any]]:
        wanted = self.flat_includes(request)
        shown = [self.with_slas(t) for t in tickets] if "slas" in wanted else tickets
        return shown, self.sideload(wanted, tickets)

    # -- endpoints made the same way ----------------------------------------------------------
    def listing(self, path: str, key: str, source: Callable[[Request], list[Any]]) -> None:
        """GET `path`: the list `source` gives, paginated the way the request asks."""

        @self.router.route("GET", f"{API}/{path}")
        def handler(request: Request) -> Response:
            with self.state.lock:
                return Response(200, listing_page(request, self.base_url(), key, source(request)))

    @staticmethod
    def ids_of(request: Request) -> list[int]:
        return [int(part) for part in request.query.get("ids", "").split(",") if part.strip().isdigit()][:100]

    def show_many(self, key: str, table: dict[int, dict]) -> Handler:
        def handler(request: Request) -> Response:
            with self.state.lock:
                return Response(200, {key: [table[i] for i in self.ids_of(request) if i in table]})

        return handler

    @staticmethod
    def show(key: str, table: dict[int, dict]) -> Handler:
        def handler(request: Request) -> Response:
            record = table.get(int(request.params["id"]))
            return Response(200, {key: record}) if record else Response(404, NOT_FOUND)

        return handler
