"""Zendesk Support API client: queue, changes, comments, updates, macros.

Every call here is one an **agent** token may make (../shared/api/README.md: the
incremental exports and the account-wide tickets list are for admins only, and most
support engineers hold agent tokens):
- the first queue: search export (`filter[type]=ticket`, 100 requests/min per account);
- what changed since: a view listed by `updated` newest first (views read tickets as they
  are now, unlike search, which indexes a few minutes late), then the changed tickets
  with their sideloads through `tickets/show_many`;
- deletions: `deleted_tickets` (10 requests/min per account, so polled rarely).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any, TypeVar

from triage_tui.models.base import ApiModel, SkippedRecord, parse_many
from triage_tui.models.zendesk import (
    Audit,
    Comment,
    Group,
    Macro,
    Organization,
    Ticket,
    TicketField,
    User,
    View,
)
from triage_tui.sources.errors import BadResponse
from triage_tui.sources.http import ServiceClient, decode_json
from triage_tui.sources.zendesk_pages import (
    BULK_IDS,
    ChangedTicket,
    JobStatus,
    ListedPage,
    SearchPage,
    TicketPage,
    listed_page,
    merge_metric_sets,
    tags_of,
    ticket_page,
    view_of,
    visible_fields,
)

# The type goes in filter[type]: "Searches with type in the query string will result in an
# error" (support-api.oas.yaml, ExportSearchResults).
UNSOLVED_QUERY = "status<solved"
# Search takes its sideloads scoped by result type (Zendesk's side-loading guide, "Searches").
SEARCH_SIDELOADS = "tickets(users,organizations,metric_sets,slas)"
TICKET_SIDELOADS = "users,organizations,groups,metric_sets,slas"
VIEW_PAGE = 100  # views and show_many answer at most 100 records a page


M = TypeVar("M", bound=ApiModel)


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
        params: dict[str, Any] = {
            "query": query,
            "filter[type]": "ticket",
            "page[size]": page_size,
            "include": SEARCH_SIDELOADS,
        }
        while True:
            body = await self.http.get_json("/api/v2/search/export.json", params, poll=True)
            page = ticket_page(body, "results")
            meta = body.get("meta") or {}
            page.end_of_stream = not meta.get("has_more")
            page.after_cursor = meta.get("after_cursor")
            yield page
            if page.end_of_stream or not page.after_cursor:
                return
            params = {**params, "page[after]": page.after_cursor}

    async def unsolved_listed(self, after: str | None = None, page_size: int = 1000) -> ListedPage:
        """One page of the ids of every unsolved ticket this token may see (search export,
        newest created first; no sideloads: only ids and when each changed are read).
        `after`: the previous page's cursor, which "expires after one hour" (spec
        ExportSearchResults)."""
        params: dict[str, Any] = {"query": UNSOLVED_QUERY, "filter[type]": "ticket", "page[size]": page_size}
        if after:
            params["page[after]"] = after
        return listed_page(await self.http.get_json("/api/v2/search/export.json", params, poll=True))

    async def unsolved_count(self, query: str = UNSOLVED_QUERY) -> int | None:
        """How many tickets the first sync will read (search indexes late: an estimate)."""
        body = await self.http.get_json(
            "/api/v2/search/count.json", {"query": f"type:ticket {query}"}, poll=True, retries=0
        )
        count = body.get("count") if isinstance(body, dict) else None
        return count if isinstance(count, int) and count >= 0 else None

    async def search_tickets(self, query: str, limit: int = 100) -> SearchPage:
        """The first `limit` tickets a search finds, most recently updated first, and how
        many it found in all. Search answers other kinds too (users, organizations): only
        `result_type` "ticket" is kept."""
        params = {
            "query": f"type:ticket {query}",
            "sort_by": "updated_at",
            "sort_order": "desc",
            "per_page": min(limit, 100),
            "include": "tickets(users,organizations)",
        }
        # A person waits: tried twice at most, and not held back by the team's pacing.
        body = await self.http.get_json("/api/v2/search.json", params, poll=True, retries=1, paced=False)
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise BadResponse("zendesk", "search: expected a 'results' list")
        tickets = [r for r in body["results"] if isinstance(r, dict) and r.get("result_type", "ticket") == "ticket"]
        page = ticket_page({**body, "results": tickets}, "results")
        count = body.get("count")
        return SearchPage(page, count if isinstance(count, int) else len(page.tickets))

    async def view_changes(
        self, view_id: int, since: str, *, whole: bool = False
    ) -> AsyncIterator[list[ChangedTicket]]:
        """A view's tickets newest change first, a page at a time, down to `since` (ISO).

        Usually one request: only the first page holds anything newer than the last poll.
        `whole`: each item also carries the listed ticket, validated (see ChangedTicket).
        """
        params: dict[str, Any] = {"sort_by": "updated", "sort_order": "desc", "page[size]": VIEW_PAGE}
        path = f"/api/v2/views/{view_id}/tickets.json"
        while True:
            body = await self.http.get_json(path, params, poll=True)
            if not isinstance(body, dict) or not isinstance(body.get("tickets"), list):
                raise BadResponse("zendesk", f"{path}: expected a 'tickets' list")
            # Validated only when asked (the relay): one that fails is fetched whole instead.
            valid = parse_many(Ticket, body["tickets"])[0] if whole else []
            listed = {ticket.id: ticket for ticket in valid}
            page = [
                ChangedTicket(t["id"], str(t.get("updated_at") or ""), visible_fields(t), listed.get(t["id"]))
                for t in body["tickets"]
                if isinstance(t, dict) and isinstance(t.get("id"), int)
            ]
            yield page
            meta = body.get("meta") or {}
            if not page or page[-1].updated_at < since or not meta.get("has_more") or not meta.get("after_cursor"):
                return
            params = {**params, "page[after]": meta["after_cursor"]}

    async def tickets_many(self, ids: list[int], *, waited_on: bool = False) -> TicketPage:
        """Whole tickets with their people and SLA metrics, 100 ids a request. `waited_on`:
        a person waits for the answer (a search), so it is tried twice at most, unpaced."""
        pages = []
        for start in range(0, len(ids), VIEW_PAGE):
            chunk = ",".join(str(i) for i in ids[start : start + VIEW_PAGE])
            body = await self.http.get_json(
                "/api/v2/tickets/show_many.json",
                {"ids": chunk, "include": TICKET_SIDELOADS},
                poll=True,
                retries=1 if waited_on else None,
                paced=not waited_on,
            )
            pages.append(ticket_page(body, "tickets"))
        merged = TicketPage([])
        for page in pages:
            merged.tickets += page.tickets
            merged.users += page.users
            merged.organizations += page.organizations
            merged.groups += page.groups
            merged.skipped += page.skipped
        return merged

    async def deleted_since(self, since: str) -> list[ChangedTicket]:
        """Tickets deleted at or after `since` (ISO), newest first."""
        params: dict[str, Any] = {"sort_by": "deleted_at", "sort_order": "desc", "page[size]": VIEW_PAGE}
        found: list[ChangedTicket] = []
        while True:
            body = await self.http.get_json("/api/v2/deleted_tickets.json", params, poll=True)
            if not isinstance(body, dict) or not isinstance(body.get("deleted_tickets"), list):
                raise BadResponse("zendesk", "deleted_tickets: expected a 'deleted_tickets' list")
            page = [
                ChangedTicket(t["id"], str(t.get("deleted_at") or ""))
                for t in body["deleted_tickets"]
                if isinstance(t, dict) and isinstance(t.get("id"), int)
            ]
            found += [t for t in page if t.updated_at >= since]
            meta = body.get("meta") or {}
            if not page or page[-1].updated_at < since or not meta.get("has_more") or not meta.get("after_cursor"):
                return found
            params = {**params, "page[after]": meta["after_cursor"]}

    async def deleted_ticket(self, ticket_id: int, pages: int = 2) -> dict[str, Any] | None:
        """`ticket_id` in the deleted tickets list (`actor`, `deleted_at`), or None when it is
        not there. Newest first: a ticket deleted just now is on the first page."""
        params: dict[str, Any] = {"sort_by": "deleted_at", "sort_order": "desc", "page[size]": VIEW_PAGE}
        for _ in range(pages):
            # poll=True: 10 requests a minute for the account; when spent, say so at once
            # rather than hold the outbox for a minute to learn a name.
            body = await self.http.get_json("/api/v2/deleted_tickets.json", params, poll=True)
            if not isinstance(body, dict) or not isinstance(body.get("deleted_tickets"), list):
                raise BadResponse("zendesk", "deleted_tickets: expected a 'deleted_tickets' list")
            for record in body["deleted_tickets"]:
                if isinstance(record, dict) and record.get("id") == ticket_id:
                    return record
            meta = body.get("meta") or {}
            if not meta.get("has_more") or not meta.get("after_cursor"):
                return None
            params = {**params, "page[after]": meta["after_cursor"]}
        return None

    async def search_changes(self, since: str) -> list[ChangedTicket]:
        """Fallback when no view shows solved tickets: search by `updated>` (indexes late)."""
        query = f"updated>{since}"
        params: dict[str, Any] = {"query": query, "filter[type]": "ticket", "page[size]": 1000}
        found: list[ChangedTicket] = []
        while True:
            body = await self.http.get_json("/api/v2/search/export.json", params, poll=True)
            if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                raise BadResponse("zendesk", "search export: expected a 'results' list")
            found += [
                ChangedTicket(t["id"], str(t.get("updated_at") or ""))
                for t in body["results"]
                if isinstance(t, dict) and isinstance(t.get("id"), int)
            ]
            meta = body.get("meta") or {}
            if not meta.get("has_more") or not meta.get("after_cursor"):
                return found
            params = {**params, "page[after]": meta["after_cursor"]}

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
        body = await self.http.get_json(f"/api/v2/tickets/{ticket_id}.json", {"include": "metric_sets,slas"})
        return Ticket.model_validate(merge_metric_sets(body, [body["ticket"]])[0])

    async def update_ticket(self, ticket_id: int, payload: dict[str, Any]) -> Ticket:
        response = await self.http.request("PUT", f"/api/v2/tickets/{ticket_id}.json", json_body=payload)
        body = decode_json("zendesk", response)
        return Ticket.model_validate(body["ticket"])

    # -- issue 26, part B: follow-ups and corrections ----------------------------------------
    async def create_ticket(self, payload: dict[str, Any]) -> Ticket:
        """`POST /api/v2/tickets` (agents), e.g. a follow-up of a closed ticket; a
        `requester: {name, email}` creates the end user."""
        response = await self.http.request("POST", "/api/v2/tickets.json", json_body=payload)
        return Ticket.model_validate(decode_json("zendesk", response)["ticket"])

    async def requested_tickets(self, user_id: int) -> list[dict[str, Any]]:
        """A requester's tickets as they are now (search would index a new one late)."""
        return await self._all(f"/api/v2/users/{user_id}/tickets/requested.json", "tickets")

    async def update_user(self, user_id: int, payload: dict[str, Any]) -> User:
        """`PUT /api/v2/users/{id}`: agents may update end users (organization_id...)."""
        response = await self.http.request("PUT", f"/api/v2/users/{user_id}.json", json_body=payload)
        return User.model_validate(decode_json("zendesk", response)["user"])

    async def groups(self) -> tuple[list[Group], list[SkippedRecord]]:
        return parse_many(Group, await self._all("/api/v2/groups.json", "groups"))

    async def organizations(self) -> tuple[list[Organization], list[SkippedRecord]]:
        return parse_many(Organization, await self._all("/api/v2/organizations.json", "organizations"))

    async def macros(self) -> tuple[list[Macro], list[SkippedRecord]]:
        return parse_many(Macro, await self._all("/api/v2/macros.json", "macros", {"active": "true"}))

    async def views(self) -> tuple[list[View], list[SkippedRecord]]:
        return parse_many(View, await self._all("/api/v2/views.json", "views"))

    async def view_title(self, view_id: int) -> str:
        body = await self.http.get_json(f"/api/v2/views/{view_id}.json")
        view = body.get("view") if isinstance(body, dict) else None
        if not isinstance(view, dict):
            raise BadResponse("zendesk", f"/api/v2/views/{view_id}.json: expected a 'view'")
        return str(view.get("title") or f"view {view_id}")

    async def view_tickets(self, view_id: int, limit: int = 100) -> list[dict[str, Any]]:
        """The first `limit` tickets of a view, latest change first (the SDK rotation's
        filters): listing a view's tickets has no limit of its own, the account's applies."""
        path = f"/api/v2/views/{view_id}/tickets.json"
        params = {"sort_by": "updated", "sort_order": "desc", "page[size]": min(100, limit)}
        body = await self.http.get_json(path, params, poll=True)
        if not isinstance(body, dict) or not isinstance(body.get("tickets"), list):
            raise BadResponse("zendesk", f"{path}: expected a 'tickets' list")
        return [t for t in body["tickets"] if isinstance(t, dict) and isinstance(t.get("id"), int)]

    async def ticket_fields(self) -> tuple[list[TicketField], list[SkippedRecord]]:
        body = await self.http.get_json("/api/v2/ticket_fields.json")
        return parse_many(TicketField, body.get("ticket_fields") or [])

    async def users_many(self, ids: list[int]) -> tuple[list[User], list[SkippedRecord]]:
        return await self._show_many(User, "users", ids)

    async def organizations_many(self, ids: list[int]) -> tuple[list[Organization], list[SkippedRecord]]:
        return await self._show_many(Organization, "organizations", ids)

    async def _show_many(self, model: type[M], key: str, ids: list[int]) -> tuple[list[M], list[SkippedRecord]]:
        found: list[M] = []
        skipped: list[SkippedRecord] = []
        for start in range(0, len(ids), 100):
            chunk = ",".join(str(i) for i in ids[start : start + 100])
            body = await self.http.get_json(f"/api/v2/{key}/show_many.json", {"ids": chunk}, poll=True)
            good, bad = parse_many(model, body.get(key) or [] if isinstance(body, dict) else [])
            found += good
            skipped += bad
        return found, skipped

    async def create_macro(self, body: dict[str, Any]) -> Macro:
        response = await self.http.request("POST", "/api/v2/macros.json", json_body=body)
        return Macro.model_validate(decode_json("zendesk", response)["macro"])

    async def update_macro(self, macro_id: int, body: dict[str, Any]) -> Macro:
        response = await self.http.request("PUT", f"/api/v2/macros/{macro_id}.json", json_body=body)
        return Macro.model_validate(decode_json("zendesk", response)["macro"])

    async def delete_macro(self, macro_id: int) -> None:
        await self.http.request("DELETE", f"/api/v2/macros/{macro_id}.json", accept=(404,))

    # -- tags and bulk updates (issue 23) --------------------------------------------------
    # A single update ignores additional_tags/remove_tags (../shared/api/README.md, "Tags"):
    # one ticket's tags go through its tags endpoints; one change to many tickets through
    # update_many, a background job followed by its job_status.
    async def add_tags(self, ticket_id: int, body: dict[str, Any]) -> list[str]:
        """PUT tickets/{id}/tags: `body` is {"tags": [...]} and, for a safe update,
        "safe_update" and "updated_stamp". The ticket's tags after it."""
        response = await self.http.request("PUT", f"/api/v2/tickets/{ticket_id}/tags.json", json_body=body)
        return tags_of(decode_json("zendesk", response))

    async def remove_tags(self, ticket_id: int, body: dict[str, Any]) -> list[str]:
        """DELETE tickets/{id}/tags, the same body as add_tags (the spec: it supports safe updates)."""
        response = await self.http.request("DELETE", f"/api/v2/tickets/{ticket_id}/tags.json", json_body=body)
        return tags_of(decode_json("zendesk", response))

    async def update_many(self, ids: list[int], ticket: dict[str, Any]) -> JobStatus:
        """PUT tickets/update_many?ids=: one change to up to 100 tickets, queued as a job."""
        if not 0 < len(ids) <= BULK_IDS:
            raise ValueError(f"update_many takes 1 to {BULK_IDS} ids, not {len(ids)}")
        response = await self.http.request(
            "PUT",
            "/api/v2/tickets/update_many.json",
            params={"ids": ",".join(str(i) for i in ids)},
            json_body={"ticket": ticket},
        )
        return JobStatus.parse(decode_json("zendesk", response).get("job_status"))

    async def job_statuses(self, job_ids: list[str]) -> list[JobStatus]:
        """Several jobs in one request (job_statuses/show_many): one poll for every bulk change."""
        body = await self.http.get_json("/api/v2/job_statuses/show_many.json", {"ids": ",".join(job_ids)})
        found = body.get("job_statuses") if isinstance(body, dict) else None
        if not isinstance(found, list):
            raise BadResponse("zendesk", "job_statuses/show_many: expected a 'job_statuses' list")
        return [JobStatus.parse(item) for item in found]

    # -- issue 23: the tool's own change feed, reconciliation, tickets made and merged --------
    async def personal_views(self) -> list[dict[str, Any]]:
        """This agent's personal views, as Zendesk answers them (`access=personal`, spec
        ListViews): raw dicts, since finding our own feed needs its description, restriction
        and grouping, which the reference lists' `View` leaves out."""
        return [
            v for v in await self._all("/api/v2/views.json", "views", {"access": "personal"}) if isinstance(v, dict)
        ]

    async def create_view(self, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.request("POST", "/api/v2/views.json", json_body=body)
        return view_of(decode_json("zendesk", response))

    async def update_view(self, view_id: int, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.request("PUT", f"/api/v2/views/{view_id}.json", json_body=body)
        return view_of(decode_json("zendesk", response))

    async def delete_view(self, view_id: int) -> None:
        # Gone already (another copy removed the same duplicate): what was wanted.
        await self.http.request("DELETE", f"/api/v2/views/{view_id}.json", accept=(404,))
