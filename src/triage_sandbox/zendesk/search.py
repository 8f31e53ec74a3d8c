"""Search, its count and its export, as search has indexed the account (`search_lag_seconds`
behind)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from triage_sandbox.http import Request, Response
from triage_sandbox.state import SandboxState
from triage_sandbox.zendesk import export_cursor, fields, search_rules, view_rules
from triage_sandbox.zendesk.context import API, Zendesk
from triage_sandbox.zendesk.pagination import cursor_page, query_int
from triage_sandbox.zendesk.replies import invalid


class IndexedDirectory:
    """What search looks up besides the record it matches (`search_rules.SearchDirectory`): the
    users, organizations and groups a query names, and comments as far as search has indexed them."""

    def __init__(self, state: SandboxState, user: dict | None, indexed_as_of: dt.datetime) -> None:
        self.state = state
        self.user = user
        self.indexed_as_of = indexed_as_of
        # One query names the same user for every ticket it tests: look each name up once
        # (a scan of every user per ticket held the state lock for minutes on 100k tickets).
        self._ids: dict[tuple[str, str], set[int]] = {}
        self._added: dict[Any, dt.datetime | None] = {}  # comment times, parsed once a query

    def ids(self, kind: str, value: str) -> set[int]:
        key = (kind, value)
        if key not in self._ids:
            self._ids[key] = self._lookup(kind, value)
        return self._ids[key]

    def _lookup(self, kind: str, value: str) -> set[int]:
        wanted = value.strip().lower()
        if kind == "user" and wanted == "me":
            return {self.user["id"]} if self.user else set()
        if wanted.isdigit():
            return {int(wanted)}
        table = {"user": self.state.users, "organization": self.state.organizations, "group": self.state.groups}[kind]
        # An email for a user, otherwise a name: both whole and case-insensitive. Several
        # users may share a name, and then each of them is meant.
        field = "email" if kind == "user" and "@" in wanted else "name"
        return {record["id"] for record in table.values() if str(record.get(field) or "").lower() == wanted}

    def comments(self, ticket_id: int) -> list[str]:
        # A comment is indexed with the lag its ticket's change is: one added since the
        # horizon is not found yet, although the ticket's older text is.
        texts: list[str] = []
        for comment in self.state.comments.get(ticket_id, []):
            created = comment.get("created_at")
            added = (
                self._added.get(created)
                if created in self._added
                else self._added.setdefault(created, fields.parse_time(created))
            )
            if added is not None and added > self.indexed_as_of:
                continue
            texts += dict.fromkeys(str(comment.get(k) or "") for k in ("plain_body", "body") if comment.get(k))
        return texts


def register(z: Zendesk) -> None:
    """search, search/count and search/export."""
    state, router, api, base_url, now, settings = z.state, z.router, API, z.base_url, z.now, z.settings

    def indexed_tickets() -> list[dict]:
        """What search sees: every ticket as it was `search_lag_seconds` ago."""
        moment = now()
        return state.indexed(moment.timestamp() - settings.search_lag_seconds)

    def search_results(query: str, user: dict | None, kinds: list[str] | None = None) -> list[tuple[str, dict]]:
        """(result type, record) of everything the query finds, as search has indexed it.

        Users, organizations and groups are read as they are now: the sandbox never changes
        them, so their index cannot be behind.
        """
        terms = search_rules.search_terms(query)
        moment = now()
        search_rules.check_search(terms, moment)
        wanted = search_rules.search_kinds(terms) if kinds is None else kinds
        directory = IndexedDirectory(state, user, moment - dt.timedelta(seconds=settings.search_lag_seconds))
        tables = {"user": state.users, "organization": state.organizations, "group": state.groups}
        found: list[tuple[str, dict]] = []
        for kind, table in tables.items():
            if kind in wanted:
                found += [(kind, r) for r in table.values() if search_rules.record_matches(kind, r, terms, directory)]
        if "ticket" in wanted:
            found += [
                ("ticket", t)
                for t in indexed_tickets()
                if z.in_reach(state.tickets.get(t["id"]) or t, user)
                and search_rules.search_matches(t, terms, moment, directory)
            ]
        return found

    @router.route("GET", f"{api}/search/export")
    def search_export(request: Request) -> Response:
        kind = request.query.get("filter[type]")
        if not kind:
            return invalid("filter[type] is required: one of ticket, organization, user, group")
        query = request.query.get("query", "")
        if any(term.startswith("type:") for term in search_rules.search_terms(query)):
            # The spec (ExportSearchResults): "Searches with type in the query string will
            # result in an error."
            return invalid("Searches with type in the query string are not supported; use filter[type]")
        if kind != "ticket":
            return invalid(f"filter[type] {kind!r}: the sandbox exports tickets only", 422)
        paged = export_cursor.opened(request, now())
        if isinstance(paged, Response):
            return paged
        request = paged
        with state.lock:
            try:
                items = [t for _, t in search_results(query, request.user, ["ticket"])]
            except search_rules.SearchError as exc:
                return invalid(str(exc))
            # Ordered by created_at, newest first, ties by id (the recorded export's cursor
            # says {"field": "created_at", "desc": true, "tieBreakField": "id"}).
            body = cursor_page(
                request,
                base_url(),
                "results",
                items,
                lambda t: (t.get("created_at") or "", -t["id"]),
                descending=True,
                maximum=1000,
                backwards=False,
            )
            tickets = body["results"]
            body["results"] = [{**t, "result_type": "ticket"} for t in tickets]
            body["facets"] = None
            body.update(z.sideload(search_rules.search_includes(request.query.get("include", "")), tickets))
            return Response(200, export_cursor.stamped(body, now()))

    def search_query(request: Request) -> str | Response:
        query = request.query.get("query", "")
        # The spec: `query` is required on both search and its count.
        return query if query.strip() else invalid("query is required")

    @router.route("GET", f"{api}/search")
    def search(request: Request) -> Response:
        query = search_query(request)
        if isinstance(query, Response):
            return query
        per_page = max(1, min(100, query_int(request.query.get("per_page"), 100)))
        page_number = max(1, query_int(request.query.get("page"), 1))
        if page_number * per_page > 1000 and (page_number - 1) * per_page >= 1000:
            return Response(
                422,
                {
                    "error": "InvalidPaginationParameter",
                    "description": "Search results are limited to 1000: narrow the query",
                },
            )
        with state.lock:
            try:
                items = search_results(query, request.user)
            except search_rules.SearchError as exc:
                return invalid(str(exc))
            column = request.query.get("sort_by")
            if column in ("updated_at", "created_at", "priority", "status", "ticket_type"):
                name = "type" if column == "ticket_type" else column
                items.sort(
                    key=lambda found: (view_rules.sort_value(name, found[1], z.names, None), found[1]["id"]),
                    reverse=request.query.get("sort_order", "desc") == "desc",
                )
            else:
                # "Relevance": users, organizations and groups come before tickets, so that a
                # client reading results as tickets without looking at result_type fails here
                # as it would against Zendesk, whose ranking mixes the kinds.
                rank = {"user": 0, "organization": 1, "group": 2, "ticket": 3}
                items.sort(key=lambda found: (rank[found[0]], found[1]["id"]))
            count = len(items)
            items = items[:1000]
            start = (page_number - 1) * per_page
            chunk = items[start : start + per_page]

            def link(number: int) -> str:
                return f"{base_url()}{request.path}?{urlencode({**request.query, 'page': number})}"

            body = {
                "results": [{**record, "result_type": kind} for kind, record in chunk],
                "count": count,
                "facets": None,
                "next_page": link(page_number + 1) if start + per_page < len(items) else None,
                "previous_page": link(page_number - 1) if page_number > 1 else None,
            }
            tickets = [record for kind, record in chunk if kind == "ticket"]
            body.update(z.sideload(search_rules.search_includes(request.query.get("include", "")), tickets))
            return Response(200, body)

    @router.route("GET", f"{api}/search/count")
    def search_count(request: Request) -> Response:
        # The spec (CountSearchResults): "Returns the number of items matching the query
        # rather than the items. The search string works the same as a regular search."
        query = search_query(request)
        if isinstance(query, Response):
            return query
        with state.lock:
            try:
                found = search_results(query, request.user)
            except search_rules.SearchError as exc:
                return invalid(str(exc))
            return Response(200, {"count": len(found)})
