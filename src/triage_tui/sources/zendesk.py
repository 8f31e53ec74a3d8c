"""Zendesk Support API client: queue, incremental changes, comments, updates, macros."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any


from triage_tui.models.base import SkippedRecord, parse_many
from triage_tui.models.zendesk import Audit, Comment, Group, Macro, Organization, Ticket, TicketField, User, View
from triage_tui.sources.errors import BadResponse
from triage_tui.sources.http import ServiceClient, decode_json

UNSOLVED_QUERY = "type:ticket status<solved"
SIDELOADS = "users,organizations,metric_sets"


@dataclass
class TicketPage:
    tickets: list[Ticket]
    users: list[User] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    after_cursor: str | None = None
    end_of_stream: bool = True


def _merge_metric_sets(body: dict[str, Any], tickets: list[Any]) -> list[Any]:
    metrics = {m.get("ticket_id"): m for m in body.get("metric_sets") or [] if isinstance(m, dict)}
    if not metrics:
        return tickets
    return [{**t, "metric_set": metrics[t["id"]]} if isinstance(t, dict) and t.get("id") in metrics else t for t in tickets]


def _page(body: Any, key: str) -> TicketPage:
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise BadResponse("zendesk", f"expected a {key!r} list in the response")
    tickets, skipped = parse_many(Ticket, _merge_metric_sets(body, body[key]))
    users, bad_users = parse_many(User, body.get("users") or [])
    orgs, bad_orgs = parse_many(Organization, body.get("organizations") or [])
    groups, bad_groups = parse_many(Group, body.get("groups") or [])
    return TicketPage(tickets, users, orgs, groups, skipped + bad_users + bad_orgs + bad_groups)


class ZendeskClient:
    def __init__(self, base_url: str, email: str, token: str, **options: Any) -> None:
        basic = base64.b64encode(f"{email}/token:{token}".encode()).decode()
        self.http = ServiceClient("zendesk", base_url, {"Authorization": f"Basic {basic}"}, **options)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def me(self) -> User:
        body = await self.http.get_json("/api/v2/users/me.json")
        return User.model_validate(body["user"])

    async def unsolved_tickets(self, page_size: int = 1000, query: str = UNSOLVED_QUERY) -> AsyncIterator[TicketPage]:
        """Every unsolved ticket, a page at a time: the first page is a useful queue."""
        params: dict[str, Any] = {"query": query, "filter[type]": "ticket", "page[size]": page_size, "include": SIDELOADS}
        while True:
            body = await self.http.get_json("/api/v2/search/export.json", params)
            page = _page(body, "results")
            meta = body.get("meta") or {}
            page.end_of_stream = not meta.get("has_more")
            page.after_cursor = meta.get("after_cursor")
            yield page
            if page.end_of_stream or not page.after_cursor:
                return
            params = {**params, "page[after]": page.after_cursor}

    async def incremental(self, *, cursor: str | None = None, start_time: int | None = None) -> TicketPage:
        params: dict[str, Any] = {"include": "users,groups,organizations,metric_sets"}
        if cursor:
            params["cursor"] = cursor
        else:
            params["start_time"] = start_time or 0
        body = await self.http.get_json("/api/v2/incremental/tickets/cursor.json", params)
        page = _page(body, "tickets")
        page.after_cursor = body.get("after_cursor") or cursor
        page.end_of_stream = bool(body.get("end_of_stream", True))
        return page

    async def _all(self, path: str, key: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {"page[size]": 100, **(params or {})}
        while True:
            body = await self.http.get_json(path, query)
            if not isinstance(body, dict) or not isinstance(body.get(key), list):
                raise BadResponse("zendesk", f"{path}: expected a {key!r} list")
            items.extend(body[key])
            meta = body.get("meta") or {}
            if not meta.get("has_more") or not meta.get("after_cursor"):
                return items
            query = {**query, "page[after]": meta["after_cursor"]}

    async def comments(self, ticket_id: int) -> tuple[list[Comment], list[SkippedRecord]]:
        return parse_many(Comment, await self._all(f"/api/v2/tickets/{ticket_id}/comments.json", "comments"))

    async def audits(self, ticket_id: int) -> list[Audit]:
        return parse_many(Audit, await self._all(f"/api/v2/tickets/{ticket_id}/audits.json", "audits"))[0]

    async def ticket(self, ticket_id: int) -> Ticket:
        body = await self.http.get_json(f"/api/v2/tickets/{ticket_id}.json", {"include": "metric_sets"})
        return Ticket.model_validate(_merge_metric_sets(body, [body["ticket"]])[0])

    async def update_ticket(self, ticket_id: int, payload: dict[str, Any]) -> Ticket:
        response = await self.http.request("PUT", f"/api/v2/tickets/{ticket_id}.json", json_body=payload)
        body = decode_json("zendesk", response)
        return Ticket.model_validate(body["ticket"])

    async def groups(self) -> tuple[list[Group], list[SkippedRecord]]:
        return parse_many(Group, await self._all("/api/v2/groups.json", "groups"))

    async def organizations(self) -> tuple[list[Organization], list[SkippedRecord]]:
        return parse_many(Organization, await self._all("/api/v2/organizations.json", "organizations"))

    async def macros(self) -> tuple[list[Macro], list[SkippedRecord]]:
        return parse_many(Macro, await self._all("/api/v2/macros.json", "macros", {"active": "true"}))

    async def views(self) -> tuple[list[View], list[SkippedRecord]]:
        return parse_many(View, await self._all("/api/v2/views.json", "views"))

    async def ticket_fields(self) -> tuple[list[TicketField], list[SkippedRecord]]:
        body = await self.http.get_json("/api/v2/ticket_fields.json")
        return parse_many(TicketField, body.get("ticket_fields") or [])

    async def users_many(self, ids: list[int]) -> tuple[list[User], list[SkippedRecord]]:
        users: list[User] = []
        skipped: list[SkippedRecord] = []
        for start in range(0, len(ids), 100):
            chunk = ",".join(str(i) for i in ids[start : start + 100])
            body = await self.http.get_json("/api/v2/users/show_many.json", {"ids": chunk})
            good, bad = parse_many(User, body.get("users") or [])
            users += good
            skipped += bad
        return users, skipped

    async def create_macro(self, body: dict[str, Any]) -> Macro:
        response = await self.http.request("POST", "/api/v2/macros.json", json_body=body)
        return Macro.model_validate(decode_json("zendesk", response)["macro"])

    async def update_macro(self, macro_id: int, body: dict[str, Any]) -> Macro:
        response = await self.http.request("PUT", f"/api/v2/macros/{macro_id}.json", json_body=body)
        return Macro.model_validate(decode_json("zendesk", response)["macro"])

    async def delete_macro(self, macro_id: int) -> None:
        await self.http.request("DELETE", f"/api/v2/macros/{macro_id}.json", accept=(404,))

    async def apply_macro(self, ticket_id: int, macro_id: int) -> dict[str, Any]:
        body = await self.http.get_json(f"/api/v2/tickets/{ticket_id}/macros/{macro_id}/apply.json")
        return body.get("result") or {}
