"""The subset of the Zendesk Support API triage-tui uses, in Zendesk's own shapes.

Every path is served with and without `.json`. Lists answer offset-style (`next_page`,
`previous_page`, `count`) unless the request asks for cursor pagination with `page[size]`
(or `page[after]`/`page[before]`); cursor pages carry `meta` and real `links.prev`/`next`.
Roles and budgets are enforced before a request reaches this module (see `limits.py`).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import urlencode

from triage_sandbox import limits, rules
from triage_sandbox.data import iso, view_execution, view_title
from triage_sandbox.http import Handler, Request, Response, Router
from triage_sandbox.limits import FORBIDDEN
from triage_sandbox.state import SandboxState, decode_cursor, encode_cursor

if TYPE_CHECKING:
    from triage_sandbox.server import SandboxSettings

NOT_FOUND = {"error": "RecordNotFound", "description": "Not found"}
CONFLICT = {
    "error": "UpdateConflict",
    "description": "Safe Update prevented the update due to outdated ticket data. "
    "Please fetch the latest ticket data and try again.",
}
# Sideloads the ticket endpoints honour in the flat form (`include=users,groups`).
TICKET_SIDELOADS = {"users", "groups", "organizations", "metric_sets", "slas"}


def invalid(description: str, status: int = 400) -> Response:
    return Response(status, {"error": "InvalidValue", "description": description})


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text not in (None, "") else default
    except ValueError:
        return default


def wants_cursor(request: Request) -> bool:
    return any(key in request.query for key in ("page[size]", "page[after]", "page[before]"))


def offset_page(request: Request, base_url: str, key: str, items: list[Any], maximum: int = 100) -> dict[str, Any]:
    """Zendesk offset pagination: `per_page` (at most 100), `page`, and `count` of all."""
    per_page = max(1, min(maximum, _int(request.query.get("per_page"), maximum)))
    page = max(1, _int(request.query.get("page"), 1))
    start = (page - 1) * per_page

    def link(number: int) -> str:
        return f"{base_url}{request.path}?{urlencode({**request.query, 'page': number, 'per_page': per_page})}"

    return {
        key: items[start : start + per_page],
        "next_page": link(page + 1) if start + per_page < len(items) else None,
        "previous_page": link(page - 1) if page > 1 else None,
        "count": len(items),
    }


def cursor_page(
    request: Request,
    base_url: str,
    key: str,
    items: list[Any],
    sort_key: Callable[[Any], tuple] = lambda item: (item["id"],),
    *,
    descending: bool = False,
    maximum: int = 100,
    first_prev: bool = True,
    backwards: bool = True,
) -> dict[str, Any]:
    """Zendesk cursor pagination, keyed on the sort order (not on offsets), so a list that
    changes between pages neither repeats nor skips what stayed in place.

    `first_prev=False`: the first page has no `before_cursor` and no `links.prev` (as the
    recorded view tickets list); `backwards=False`: `links.prev` is always null (search export).
    """
    size = max(1, min(maximum, _int(request.query.get("page[size]"), 100)))
    ordered = sorted(items, key=sort_key, reverse=descending)
    keys = [tuple(sort_key(item)) for item in ordered]

    def beyond(candidate: tuple, mark: tuple) -> bool:
        return candidate < mark if descending else candidate > mark

    after_text, before_text = request.query.get("page[after]"), request.query.get("page[before]")
    if before_text:
        mark = decode_cursor(before_text)
        if not isinstance(mark, list):
            raise ValueError("bad cursor")
        end = next((i for i, k in enumerate(keys) if not beyond(tuple(mark), k)), len(keys))
        start = max(0, end - size)
        more_after = end < len(keys)
        has_more = start > 0
    else:
        start = 0
        if after_text:
            mark = decode_cursor(after_text)
            if not isinstance(mark, list):
                raise ValueError("bad cursor")
            start = next((i for i, k in enumerate(keys) if beyond(k, tuple(mark))), len(keys))
        end = min(len(keys), start + size)
        has_more = end < len(keys)
        more_after = has_more
    page = ordered[start:end]
    after_cursor = encode_cursor(list(keys[end - 1])) if page else None
    # Without backward paging (search export) the real answer's before_cursor is null too.
    before_cursor = (
        encode_cursor(list(keys[start])) if page and backwards and (first_prev or after_text or before_text) else None
    )
    meta = {"has_more": has_more, "after_cursor": after_cursor, "before_cursor": before_cursor}
    links = _cursor_links(
        request, base_url, size, before_cursor if backwards else None, after_cursor if more_after else None
    )
    return {key: page, "meta": meta, "links": links}


def _cursor_links(
    request: Request, base_url: str, size: int, before_cursor: str | None, after_cursor: str | None
) -> dict[str, str | None]:
    """The page's `links.prev`/`links.next`: this request's URL with the cursor swapped in
    (and page[size] always there), or null where there is no way to go."""
    query = {k: v for k, v in request.query.items() if k not in ("page[after]", "page[before]")}
    query.setdefault("page[size]", str(size))

    def link(name: str, cursor: str | None) -> str | None:
        return f"{base_url}{request.path}?{urlencode({**query, name: cursor})}" if cursor else None

    return {"prev": link("page[before]", before_cursor), "next": link("page[after]", after_cursor)}


def offset_cursor_page(request: Request, base_url: str, key: str, ordered: list[Any], sort: str) -> dict[str, Any]:
    """A view's cursor pagination: the cursor is an offset into the list as it is at each
    request (README "Facts found ... 2026-12-07": the recorded `after_cursor` decodes to
    {"sort": ..., "offset": N}), so a ticket entering or leaving the view between two
    requests shifts the rows: one repeats, or one is skipped."""
    size = max(1, min(100, _int(request.query.get("page[size]"), 100)))
    after_text, before_text = request.query.get("page[after]"), request.query.get("page[before]")
    given = before_text or after_text
    mark = decode_cursor(given) if given else {"offset": 0}
    if not isinstance(mark, dict) or not isinstance(mark.get("offset"), int):
        raise ValueError("bad cursor")  # noqa: TRY004 - answered 400, as any bad value
    if before_text:
        end = max(0, min(mark["offset"], len(ordered)))
        start = max(0, end - size)
    else:
        start = max(0, mark["offset"])
        end = min(len(ordered), start + size)
    page = ordered[start:end]
    has_more = end < len(ordered)
    after_cursor = encode_cursor({"sort": sort, "offset": end}) if page else None
    # recorded TestViews.test_getting_tickets_from_a_view: the first page has no before_cursor.
    before_cursor = encode_cursor({"sort": sort, "offset": start}) if page and start > 0 else None
    meta = {"has_more": has_more, "after_cursor": after_cursor, "before_cursor": before_cursor}
    links = _cursor_links(request, base_url, size, before_cursor, after_cursor if has_more else None)
    return {key: page, "meta": meta, "links": links}


def listing_page(request: Request, base_url: str, key: str, items: list[Any], **options: Any) -> dict[str, Any]:
    if wants_cursor(request):
        return cursor_page(request, base_url, key, items, **options)
    sort_key = options.get("sort_key", lambda item: (item["id"],))
    ordered = sorted(items, key=sort_key, reverse=options.get("descending", False))
    return offset_page(request, base_url, key, ordered)


class IndexedDirectory:
    """What search looks up besides the record it matches (`rules.SearchDirectory`): the
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
                else self._added.setdefault(created, rules.parse_time(created))
            )
            if added is not None and added > self.indexed_as_of:
                continue
            texts += dict.fromkeys(str(comment.get(k) or "") for k in ("plain_body", "body") if comment.get(k))
        return texts


class JobsFirstRouter(Router):
    """Zendesk's router: before any request is handled, the background jobs whose time has
    come move on, as Zendesk's workers do whether or not anyone reads the job."""

    def __init__(self, suffix: str = "") -> None:
        super().__init__(suffix)
        self.before: Callable[[], None] = lambda: None  # set by build(): run the due jobs

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        found = super().match(method, path)
        if found is None:
            return None
        handler, params = found

        def jobs_first(request: Request) -> Response:
            self.before()
            return handler(request)

        return jobs_first, params


def build(
    state: SandboxState, base_url: Callable[[], str], now: Callable[[], dt.datetime], settings: SandboxSettings
) -> Router:
    router = JobsFirstRouter(suffix=".json")
    api = "/api/v2"

    def names(column: str, record_id: Any) -> str:
        table = {
            "assignee": state.users,
            "requester": state.users,
            "group": state.groups,
            "organization": state.organizations,
        }[column]
        return str((table.get(record_id) or {}).get("name") or "")

    def agent_replied(ticket: dict) -> bool:
        requester = ticket.get("requester_id")
        return any(c.get("public") and c.get("author_id") != requester for c in state.comments.get(ticket["id"], []))

    def answered(ticket: dict) -> bool:
        public = [c for c in state.comments.get(ticket["id"], []) if c.get("public")]
        return bool(public) and public[-1].get("author_id") != ticket.get("requester_id")

    def with_slas(ticket: dict) -> dict:
        slas = rules.ticket_slas(
            ticket,
            state.sla_policies,
            state.metric_sets.get(ticket["id"]),
            agent_replied(ticket),
            now(),
            answered=answered(ticket),
        )
        return {**ticket, "slas": slas}

    def sideload(wanted: set[str], tickets: list[dict]) -> dict[str, Any]:
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

    def flat_includes(request: Request) -> set[str]:
        # A type-scoped `tickets(users)` is search's form: ticket endpoints ignore it.
        return {
            part.strip() for part in request.query.get("include", "").split(",") if part.strip() and "(" not in part
        } & TICKET_SIDELOADS

    def tickets_answer(request: Request, tickets: list[dict]) -> tuple[list[dict], dict[str, Any]]:
        wanted = flat_includes(request)
        shown = [with_slas(t) for t in tickets] if "slas" in wanted else tickets
        return shown, sideload(wanted, tickets)

    def live(ticket: dict | None) -> TypeGuard[dict]:
        return ticket is not None and ticket.get("status") != "deleted"

    def allowed_groups(user: dict | None) -> set[int] | None:
        """The groups a restricted agent's tickets must be in (`--restrict-groups`), or None
        for an unrestricted user. README "Facts found ... 2026-12-07": restricted agents see
        only those tickets in views, search and lists."""
        if not settings.restrict_groups or (user or {}).get("role") != "agent":
            return None
        wanted = {name.lower() for name in settings.restrict_groups}
        return {g["id"] for g in state.groups.values() if str(g.get("name") or "").lower() in wanted}

    def in_reach(ticket: dict, user: dict | None) -> bool:
        groups = allowed_groups(user)
        return groups is None or ticket.get("group_id") in groups

    def reachable(ticket: dict | None, user: dict | None) -> TypeGuard[dict]:
        return live(ticket) and in_reach(ticket, user)

    # -- plain lists ----------------------------------------------------------------------
    def listing(path: str, key: str, source: Callable[[Request], list[Any]]) -> None:
        @router.route("GET", f"{api}/{path}")
        def handler(request: Request) -> Response:
            with state.lock:
                return Response(200, listing_page(request, base_url(), key, source(request)))

    def macros_of(request: Request) -> list[dict]:
        # Shared and personal macros, active and inactive: `active=` filters only when given.
        active = request.query.get("active")
        items = list(state.macros.values())
        if active in ("true", "false"):
            items = [m for m in items if bool(m.get("active", True)) == (active == "true")]
        return items

    listing("groups", "groups", lambda request: list(state.groups.values()))
    listing("organizations", "organizations", lambda request: list(state.organizations.values()))
    listing("users", "users", lambda request: list(state.users.values()))
    listing("views", "views", lambda request: views_for(request.user, request.query.get("access")))
    listing("views/active", "views", lambda request: [v for v in views_for(request.user) if v.get("active", True)])
    listing("macros", "macros", macros_of)
    listing("macros/active", "macros", lambda request: [m for m in state.macros.values() if m.get("active", True)])
    # Admin-only (limits.ADMIN_ONLY): reached by admins alone.
    listing("tickets", "tickets", lambda request: [t for t in state.tickets.values() if live(t)])
    listing("slas/policies", "sla_policies", lambda request: list(state.sla_policies))
    listing("ticket_audits", "audits", lambda request: [a for items in state.audits.values() for a in items])
    listing("satisfaction_ratings", "satisfaction_ratings", lambda request: [])
    listing("suspended_tickets", "suspended_tickets", lambda request: [])
    listing("audit_logs", "audit_logs", lambda request: [])

    @router.route("GET", f"{api}/ticket_fields")
    def ticket_fields(request: Request) -> Response:
        return Response(200, listing_page(request, base_url(), "ticket_fields", state.ticket_fields))

    @router.route("GET", f"{api}/users/me")
    def me(request: Request) -> Response:
        return Response(200, {"user": request.user})

    def ids_of(request: Request) -> list[int]:
        return [int(part) for part in request.query.get("ids", "").split(",") if part.strip().isdigit()][:100]

    def show_many(key: str, table: dict[int, dict]) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            with state.lock:
                return Response(200, {key: [table[i] for i in ids_of(request) if i in table]})

        return handler

    router.route("GET", f"{api}/users/show_many")(show_many("users", state.users))
    router.route("GET", f"{api}/organizations/show_many")(show_many("organizations", state.organizations))

    def show(key: str, table: dict[int, dict]) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            record = table.get(int(request.params["id"]))
            return Response(200, {key: record}) if record else Response(404, NOT_FOUND)

        return handler

    router.route("GET", rf"{api}/users/(?P<id>\d+)")(show("user", state.users))
    router.route("GET", rf"{api}/organizations/(?P<id>\d+)")(show("organization", state.organizations))
    router.route("GET", rf"{api}/macros/(?P<id>\d+)")(show("macro", state.macros))
    router.route("GET", rf"{api}/groups/(?P<id>\d+)")(show("group", state.groups))

    # -- tickets --------------------------------------------------------------------------
    @router.route("GET", rf"{api}/tickets/(?P<id>\d+)")
    def show_ticket(request: Request) -> Response:
        with state.lock:
            ticket = state.tickets.get(int(request.params["id"]))
            if not live(ticket):
                return Response(404, NOT_FOUND)
            if not reachable(ticket, request.user):
                return Response(403, dict(limits.FORBIDDEN))
            shown, extra = tickets_answer(request, [ticket])
            return Response(200, {"ticket": shown[0], **extra})

    @router.route("GET", f"{api}/tickets/show_many")
    def show_many_tickets(request: Request) -> Response:
        with state.lock:
            tickets = [state.tickets[i] for i in ids_of(request) if reachable(state.tickets.get(i), request.user)]
            shown, extra = tickets_answer(request, tickets)
            return Response(200, {"tickets": shown, **extra})

    @router.route("PUT", rf"{api}/tickets/(?P<id>\d+)")
    def update_ticket(request: Request) -> Response:
        body = request.body if isinstance(request.body, dict) else {}
        changes = body.get("ticket")
        if not isinstance(changes, dict):
            return Response(400, {"error": "InvalidEndpoint", "description": "ticket object expected"})
        ticket_id = int(request.params["id"])
        with state.lock:
            ticket = state.tickets.get(ticket_id)
            if not live(ticket):
                return Response(404, NOT_FOUND)
            # The spec (TicketObject.safe_update): "A value of false has the same effect as
            # true. Omit the property to force the updates to not be safe."
            if (
                "safe_update" in changes
                and "updated_stamp" in changes
                and changes.get("updated_stamp") != ticket.get("updated_at")
            ):
                return Response(409, CONFLICT)
            # TicketUpdateRequest has no additional_tags/remove_tags (they are
            # TicketsUpdateRequest's, the bulk update's): on a single update Zendesk ignores
            # them (../shared/api/README.md, "Tags"). `tags` replaces the whole list.
            honoured = {k: v for k, v in changes.items() if k not in rules.BULK_ONLY_FIELDS}
            events = apply_update(ticket, honoured, request.user or {}, now())
            audit = record_audit(ticket, events, request.user)
            state.writes.append({"api": "zendesk", "method": "PUT", "ticket_id": ticket_id, "body": changes})
            return Response(200, {"ticket": ticket, "audit": audit})

    def record_audit(ticket: dict, events: list[dict], user: dict | None) -> dict:
        audit = {
            "id": state.new_id(),
            "ticket_id": ticket["id"],
            "created_at": ticket["updated_at"],
            "author_id": (user or {}).get("id"),
            "metadata": {"system": {}, "custom": {}},
            "events": events,
            "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
        }
        state.audits.setdefault(ticket["id"], []).append(audit)
        return audit

    @router.route("DELETE", rf"{api}/tickets/(?P<id>\d+)")
    def delete_ticket(request: Request) -> Response:
        with state.lock:
            if state.delete_ticket(int(request.params["id"]), request.user or {}, now()) is None:
                return Response(404, NOT_FOUND)
            state.writes.append({"api": "zendesk", "method": "DELETE", "path": request.path})
            return Response(204)

    def apply_update(ticket: dict, changes: dict, user: dict, moment: dt.datetime) -> list[dict]:
        events: list[dict] = []
        metrics = state.metric_sets.setdefault(ticket["id"], {"ticket_id": ticket["id"]})
        for field in ("status", "priority", "group_id", "assignee_id", "subject", "type"):
            if field in changes and changes[field] != ticket.get(field):
                events.append(
                    {
                        "id": state.new_id(),
                        "type": "Change",
                        "field_name": field,
                        "value": changes[field],
                        "previous_value": ticket.get(field),
                    }
                )
                ticket[field] = changes[field]
                if field == "status":
                    metrics["status_updated_at"] = iso(moment)
                    if changes[field] == "solved":
                        metrics["solved_at"] = iso(moment)
        events += set_custom_fields(ticket, changes.get("custom_fields"))
        events += set_followers(ticket, changes.get("followers"))
        tags = list(ticket.get("tags", []))
        if isinstance(changes.get("tags"), list):
            tags = [str(tag) for tag in changes["tags"]]
        # Only a bulk update's body carries these (a single update's were dropped above).
        tags = rules.tags_after(
            tags, rules.tag_list(changes.get("additional_tags")), rules.tag_list(changes.get("remove_tags"))
        )
        tags_event = change_tags(ticket, tags)
        if tags_event is not None:
            events.append(tags_event)
        comment = changes.get("comment")
        if isinstance(comment, dict) and (comment.get("body") or comment.get("html_body")):
            public = comment.get("public", True) is not False
            author = comment.get("author_id") or user.get("id")
            created = state.add_comment(
                ticket["id"], author, str(comment.get("body") or comment.get("html_body")), public, moment
            )
            events.append({**created, "audit_id": None})
            metrics["latest_comment_added_at"] = iso(moment)
            if public and author != ticket.get("requester_id"):
                metrics["assignee_updated_at"] = iso(moment)
        state.touch(ticket, moment)
        return events

    # -- custom fields, followers, users, ticket create (issue 26, part B) -------------------
    def set_custom_fields(ticket: dict, given: Any) -> list[dict]:
        """`custom_fields: [{id, value}]` (TicketFieldValueInput): each known field's value
        set, an audit Change event per field that changed (field_name is the field's id).
        An id that is not one of the account's ticket fields is ignored, as Zendesk does."""
        if not isinstance(given, list):
            return []
        known = {int(f["id"]) for f in state.ticket_fields}
        values = {int(item["id"]): item.get("value") for item in ticket.get("custom_fields") or []}
        events = []
        for item in given:
            if not isinstance(item, dict) or not str(item.get("id", "")).isdigit() or int(item["id"]) not in known:
                continue
            field_id, value = int(item["id"]), item.get("value")
            if values.get(field_id) == value:
                continue
            events.append(
                {
                    "id": state.new_id(),
                    "type": "Change",
                    "field_name": str(field_id),
                    "value": value,
                    "previous_value": values.get(field_id),
                }
            )
            values[field_id] = value
        ticket["custom_fields"] = [{"id": i, "value": v} for i, v in values.items()]
        return events

    def set_followers(ticket: dict, given: Any) -> list[dict]:
        """`followers: [{user_id | user_email, action: put | delete}]` (FollowerObject: "agent
        followers to add or delete"). A user who is not an agent of the account is left out."""
        if not isinstance(given, list):
            return []
        by_email = {str(u.get("email", "")).lower(): u for u in state.users.values()}
        before = list(ticket.get("follower_ids") or [])
        after = list(before)
        for item in given:
            if not isinstance(item, dict):
                continue
            user = state.users.get(item.get("user_id") or 0) or by_email.get(str(item.get("user_email", "")).lower())
            if user is None or user.get("role") not in ("agent", "admin"):
                continue
            if item.get("action", "put") == "delete":
                after = [i for i in after if i != user["id"]]
            elif user["id"] not in after:
                after.append(user["id"])
        if after == before:
            return []
        ticket["follower_ids"] = after
        return [
            {
                "id": state.new_id(),
                "type": "Change",
                "field_name": "follower_ids",
                "value": after,
                "previous_value": before,
            }
        ]

    # spec: ListUserRequestedTickets (TicketsResponse); the README: the per-user lists are for
    # agents. Read as the tickets are now (no search lag): what a resend checks first.
    @router.route("GET", rf"{api}/users/(?P<id>\d+)/tickets/requested")
    def requested_tickets(request: Request) -> Response:
        user_id = int(request.params["id"])
        with state.lock:
            if user_id not in state.users:
                return Response(404, NOT_FOUND)
            mine = [t for t in state.tickets.values() if t.get("requester_id") == user_id and live(t)]
            mine.sort(key=lambda t: t["id"])
            return Response(200, listing_page(request, base_url(), "tickets", mine))

    # spec: UpdateUser (UserUpdateRequest {user}); Zendesk's reference gives it to agents for
    # end users only (an agent changing an agent or admin gets 403). organization_id must
    # name an organization of the account.
    @router.route("PUT", rf"{api}/users/(?P<id>\d+)")
    def update_user(request: Request) -> Response:
        body = request.body if isinstance(request.body, dict) else {}
        changes = body.get("user")
        if not isinstance(changes, dict):
            return Response(400, {"error": "InvalidEndpoint", "description": "user object expected"})
        with state.lock:
            user = state.users.get(int(request.params["id"]))
            if user is None:
                return Response(404, NOT_FOUND)
            actor = request.user or {}
            if actor.get("role") != "admin" and user.get("role") != "end-user" and user.get("id") != actor.get("id"):
                return Response(403, FORBIDDEN)
            if "organization_id" in changes:
                org = changes["organization_id"]
                if org is not None and org not in state.organizations:
                    return invalid("Organization: is invalid", 422)
                user["organization_id"] = org
            for field in ("name", "notes", "details"):
                if field in changes:
                    user[field] = changes[field]
            user["updated_at"] = iso(now())
            state.writes.append({"api": "zendesk", "method": "PUT", "path": request.path, "body": body})
            return Response(200, {"user": user})

    # -- tags, bulk updates and their jobs (issue 23) ----------------------------------------
    # ../shared/api/README.md "Tags" and "Bulk"; the spec's paths /api/v2/tickets/{ticket_id}/tags,
    # /api/v2/tickets/update_many and /api/v2/job_statuses*.
    def change_tags(ticket: dict, tags: list[str]) -> dict | None:
        """Set `ticket`'s tags; the audit's Change event, or None when nothing changed."""
        if tags == ticket.get("tags"):
            return None
        event = {"id": state.new_id(), "type": "Change", "field_name": "tags", "value": tags}
        event["previous_value"] = ticket.get("tags")
        ticket["tags"] = tags
        return event

    def tags_write(request: Request, tags_of: Callable[[list[str], list[str]], list[str]], status: int) -> Response:
        """PUT (add), POST (set) or DELETE (remove) a ticket's tags, safe when asked to be."""
        body = request.body if isinstance(request.body, dict) else {}
        wanted = rules.tag_list(body.get("tags"))
        if not wanted and request.method == "DELETE":
            wanted = rules.tag_list(request.query.get("tags"))  # the spec's DELETE query form
        if not wanted:
            return invalid("tags is required")
        with state.lock:
            ticket = state.tickets.get(int(request.params["id"]))
            if not live(ticket):
                return Response(404, NOT_FOUND)
            if ticket.get("status") == "closed":
                return Response(422, rules.CLOSED_TICKET)
            # The spec (PutTagsTicket, "Safe Update"): "The tag update only occurs if the
            # updated_stamp timestamp matches the ticket's actual updated_at ... 409 Conflict".
            if rules.truthy(body.get("safe_update")) and body.get("updated_stamp") not in (None, ticket["updated_at"]):
                return Response(409, CONFLICT)
            event = change_tags(ticket, tags_of(list(ticket.get("tags") or []), wanted))
            if event is not None:
                state.touch(ticket, now())
                record_audit(ticket, [event], request.user)
            state.writes.append(
                {
                    "api": "zendesk",
                    "method": request.method,
                    "path": request.path,
                    "ticket_id": ticket["id"],
                    "body": body,
                }
            )
            return Response(status, {"tags": list(ticket.get("tags") or [])})

    @router.route("GET", rf"{api}/tickets/(?P<id>\d+)/tags")
    def list_tags(request: Request) -> Response:
        with state.lock:
            ticket = state.tickets.get(int(request.params["id"]))
            return Response(200, {"tags": list(ticket.get("tags") or [])}) if live(ticket) else Response(404, NOT_FOUND)

    @router.route("PUT", rf"{api}/tickets/(?P<id>\d+)/tags")
    def add_tags(request: Request) -> Response:
        return tags_write(request, lambda current, wanted: rules.tags_after(current, wanted, []), 200)

    @router.route("POST", rf"{api}/tickets/(?P<id>\d+)/tags")
    def set_tags(request: Request) -> Response:
        return tags_write(request, lambda current, wanted: rules.tags_after([], wanted, []), 201)

    @router.route("DELETE", rf"{api}/tickets/(?P<id>\d+)/tags")
    def remove_tags(request: Request) -> Response:
        return tags_write(request, lambda current, wanted: rules.tags_after(current, [], wanted), 200)

    @router.route("PUT", f"{api}/tickets/update_many")
    def update_many(request: Request) -> Response:
        body = request.body if isinstance(request.body, dict) else {}
        changes = body.get("ticket")
        ids = [int(part) for part in request.query.get("ids", "").split(",") if part.strip().isdigit()]
        if not ids or not isinstance(changes, dict):
            # The batch form (`tickets: [...]` without ids) is Zendesk's too; the sandbox
            # serves only the bulk form triage-tui sends, and says so.
            return invalid("ids and a ticket object are required (the sandbox serves the bulk form only)")
        if len(ids) > rules.BULK_MAX_IDS:
            # The spec (TicketsUpdateMany): "a comma-separated list of up to 100 ticket ids".
            return invalid(f"too many ids: at most {rules.BULK_MAX_IDS} a request")
        with state.lock:
            moment = now()
            active = [job for job in state.jobs.values() if job["shown"]["status"] in ("queued", "working")]
            if len(active) >= settings.jobs_per_account:
                # README "Bulk": "at most 30 queued or running jobs per account"; the 31st is refused.
                wait = max(1, int(settings.job_stage_seconds * 2 + 0.999))
                return Response(429, rules.TOO_MANY_JOBS, {"Retry-After": str(wait)})
            state.job_sequence += 1
            job_id = f"V3-{state.job_sequence:032x}"
            shown = {
                "id": job_id,
                "url": f"{base_url()}{api}/job_statuses/{job_id}.json",
                "total": len(ids),
                "progress": None,
                "status": "queued",
                "message": None,
                "results": None,
            }
            state.jobs[job_id] = {
                "shown": shown,
                "ids": ids,
                "changes": dict(changes),
                "user": request.user,
                "stage_at": moment,
            }
            state.writes.append({"api": "zendesk", "method": "PUT", "path": request.path, "ids": ids, "body": changes})
            # Recorded (TestTicketsPagination: create_many): 200 and the queued job_status,
            # progress and results null; the spec's TicketsUpdateMany answers 200 too.
            return Response(200, {"job_status": dict(shown)})

    def advance(job: dict, moment: dt.datetime, read: bool) -> None:
        """One stage on (queued -> working -> completed) when read, or when a stage's time
        has passed: deterministic under a test's clock, and a job nobody reads still ends."""
        shown = job["shown"]
        while shown["status"] in ("queued", "working"):
            due = (moment - job["stage_at"]).total_seconds() >= settings.job_stage_seconds
            if not (read or due):
                return
            read = False
            job["stage_at"] = moment if not due else job["stage_at"] + dt.timedelta(seconds=settings.job_stage_seconds)
            if shown["status"] == "queued":
                shown.update(status="working", progress=0)
            else:
                run_job(job, moment)

    def run_job(job: dict, moment: dt.datetime) -> None:
        results = []
        for ticket_id in job["ids"]:
            ticket = state.tickets.get(ticket_id)
            injected = state.job_failures.pop(ticket_id, None)
            problem = rules.bulk_refusal(ticket, injected)
            if problem is not None:
                results.append({"id": ticket_id, "action": "update", "success": False, **problem})
                continue
            assert ticket is not None
            events = apply_update(ticket, job["changes"], job["user"] or {}, moment)
            record_audit(ticket, events, job["user"])
            results.append({"id": ticket_id, "action": "update", "status": "Updated", "success": True})
        job["shown"].update(
            status="completed",
            progress=len(job["ids"]),
            results=results,
            message=f"Completed at {moment.strftime('%Y-%m-%d %H:%M:%S +0000')}",
        )

    def run_due_jobs() -> None:
        with state.lock:
            moment = now()
            for job in state.jobs.values():
                advance(job, moment, read=False)

    @router.route("GET", f"{api}/job_statuses/show_many")
    def job_statuses_many(request: Request) -> Response:
        wanted = [part.strip() for part in request.query.get("ids", "").split(",") if part.strip()]
        with state.lock:
            found = []
            for job_id in wanted:
                if job_id in state.jobs:
                    advance(state.jobs[job_id], now(), read=True)
                    found.append(dict(state.jobs[job_id]["shown"]))
            return Response(200, {"job_statuses": found})

    @router.route("GET", rf"{api}/job_statuses/(?P<job>[\w-]+)")
    def job_status(request: Request) -> Response:
        with state.lock:
            job = state.jobs.get(request.params["job"])
            if job is None:
                return Response(404, NOT_FOUND)
            advance(job, now(), read=True)
            return Response(200, {"job_status": dict(job["shown"])})

    @router.route("GET", f"{api}/job_statuses")
    def job_statuses(request: Request) -> Response:
        # The spec (ListJobStatuses): "sorted first by completion date and then by creation
        # date in descending order"; the sandbox's ids grow with creation.
        with state.lock:
            shown = [dict(job["shown"]) for job in state.jobs.values()]
        shown.sort(key=lambda job: job["id"], reverse=True)
        return Response(
            200,
            listing_page(request, base_url(), "job_statuses", shown, sort_key=lambda j: (j["id"],), descending=True),
        )

    router.before = run_due_jobs

    @router.route("GET", rf"{api}/tickets/(?P<id>\d+)/comments")
    def comments(request: Request) -> Response:
        ticket_id = int(request.params["id"])
        with state.lock:
            ticket = state.tickets.get(ticket_id)
            if not live(ticket):
                return Response(404, NOT_FOUND)
            if not reachable(ticket, request.user):
                return Response(403, dict(limits.FORBIDDEN))
            items = list(state.comments.get(ticket_id, []))
            if not items:
                description = ticket.get("description") or ""
                items = [
                    {
                        "id": ticket_id * 10,
                        "type": "Comment",
                        "author_id": ticket.get("requester_id"),
                        "body": description,
                        "plain_body": description,
                        "html_body": f"<p>{description}</p>",
                        "public": True,
                        "attachments": [],
                        "created_at": ticket.get("created_at"),
                    }
                ]
            order = request.query.get("sort_order", "asc")
            return Response(
                200,
                listing_page(
                    request,
                    base_url(),
                    "comments",
                    items,
                    sort_key=lambda c: (c.get("created_at") or "", c["id"]),
                    descending=order == "desc",
                ),
            )

    @router.route("GET", rf"{api}/tickets/(?P<id>\d+)/audits")
    def audits(request: Request) -> Response:
        ticket_id = int(request.params["id"])
        with state.lock:
            if not live(state.tickets.get(ticket_id)):
                return Response(404, NOT_FOUND)
            items = list(state.audits.get(ticket_id, []))
            return Response(
                200,
                listing_page(
                    request, base_url(), "audits", items, sort_key=lambda a: (a.get("created_at") or "", a["id"])
                ),
            )

    @router.route("GET", rf"{api}/tickets/(?P<id>\d+)/macros/(?P<macro>\d+)/apply")
    def apply_macro(request: Request) -> Response:
        with state.lock:
            ticket = state.tickets.get(int(request.params["id"]))
            macro = state.macros.get(int(request.params["macro"]))
            if not live(ticket) or macro is None:
                return Response(404, NOT_FOUND)
            requester = state.users.get(ticket.get("requester_id"), {})
            org = state.organizations.get(ticket.get("organization_id"), {})
            values = rules.placeholder_values(ticket, requester, org, request.user or {})
            # The spec's MacroApplyTicketResponse: the comment is inside result.ticket.
            return Response(
                200, {"result": {"ticket": rules.apply_macro_actions(ticket, macro.get("actions", []), values)}}
            )

    @router.route("POST", f"{api}/macros")
    def create_macro(request: Request) -> Response:
        body = (request.body or {}).get("macro") if isinstance(request.body, dict) else None
        if not isinstance(body, dict) or not body.get("title") or not isinstance(body.get("actions"), list):
            return Response(
                400,
                {
                    "error": "RecordInvalid",
                    "description": "Record validation errors",
                    "details": {"title": [{"description": "Title: cannot be blank"}]},
                },
            )
        with state.lock:
            macro_id = state.new_id()
            stamp = iso(now())
            macro = {
                "url": f"{base_url()}{api}/macros/{macro_id}.json",
                "id": macro_id,
                "title": body["title"],
                "raw_title": body["title"],
                "active": body.get("active", True),
                "actions": body["actions"],
                "description": body.get("description"),
                "created_at": stamp,
                "updated_at": stamp,
                "default": False,
                "position": 10000,
                "restriction": None,
            }
            state.macros[macro_id] = macro
            state.writes.append({"api": "zendesk", "method": "POST", "path": request.path, "body": body})
            return Response(201, {"macro": macro})

    @router.route("PUT", rf"{api}/macros/(?P<id>\d+)")
    def update_macro(request: Request) -> Response:
        body = (request.body or {}).get("macro") if isinstance(request.body, dict) else None
        with state.lock:
            macro = state.macros.get(int(request.params["id"]))
            if macro is None:
                return Response(404, NOT_FOUND)
            if isinstance(body, dict):
                macro.update({k: v for k, v in body.items() if k in ("title", "actions", "active", "description")})
                macro["updated_at"] = iso(now())
            state.writes.append({"api": "zendesk", "method": "PUT", "path": request.path, "body": body})
            return Response(200, {"macro": macro})

    @router.route("DELETE", rf"{api}/macros/(?P<id>\d+)")
    def delete_macro(request: Request) -> Response:
        with state.lock:
            if state.macros.pop(int(request.params["id"]), None) is None:
                return Response(404, NOT_FOUND)
            state.writes.append({"api": "zendesk", "method": "DELETE", "path": request.path})
            return Response(204)

    # -- views ----------------------------------------------------------------------------
    def view_tickets_of(view: dict, user: dict | None) -> list[dict]:
        moment = now()
        return [
            t
            for t in state.tickets.values()
            if reachable(t, user) and rules.view_matches(view, t, user, moment, state.metric_sets.get(t["id"]))
        ]

    @router.route("GET", rf"{api}/views/(?P<id>\d+)/tickets")
    def view_tickets(request: Request) -> Response:
        with state.lock:
            view = visible_view(int(request.params["id"]), request.user)
            if view is None:
                return Response(404, NOT_FOUND)
            execution = view.get("execution") or {}
            column = request.query.get("sort_by") or execution.get("sort_by") or "nice_id"
            if column not in rules.SORTABLE:
                return invalid(f"sort_by {column!r} is not a sortable view column")
            order = (
                request.query.get("sort_order")
                or (execution.get("sort_order") if not request.query.get("sort_by") else None)
                or rules.default_sort_order(column)
            )
            if order not in ("asc", "desc"):
                return invalid("sort_order must be asc or desc")

            def sort_key(ticket: dict) -> tuple:
                return (rules.sort_value(column, ticket, names, state.metric_sets.get(ticket["id"])), ticket["id"])

            ordered = sorted(view_tickets_of(view, request.user), key=sort_key, reverse=order == "desc")
            # A grouped view lists its tickets group by group, `sort_by` or not: whether
            # views/{id}/tickets keeps the grouping under sort_by is undocumented (README
            # "Facts found ... 2026-12-07"), so the sandbox does what breaks a reader that
            # assumes one order. The sort within each group is kept (a stable sort).
            group_by = execution.get("group_by")
            if group_by in rules.SORTABLE:
                ordered.sort(
                    key=lambda t: rules.sort_value(group_by, t, names, state.metric_sets.get(t["id"])),
                    reverse=execution.get("group_order") == "desc",
                )
            if wants_cursor(request):
                body = offset_cursor_page(request, base_url(), "tickets", ordered, f"{column} {order}")
            else:
                body = offset_page(request, base_url(), "tickets", ordered)
            shown, extra = tickets_answer(request, body["tickets"])
            body["tickets"] = shown
            body.update(extra)
            return Response(200, body)

    def view_count(view: dict, user: dict | None) -> dict[str, Any]:
        value = len(view_tickets_of(view, user))
        return {
            "url": f"{base_url()}{api}/views/{view['id']}/count.json",
            "view_id": view["id"],
            "value": value,
            "pretty": str(value) if value < 1000 else "~1k",
            "fresh": True,
        }

    @router.route("GET", rf"{api}/views/(?P<id>\d+)/count")
    def count_view(request: Request) -> Response:
        with state.lock:
            view = visible_view(int(request.params["id"]), request.user)
            return Response(200, {"view_count": view_count(view, request.user)}) if view else Response(404, NOT_FOUND)

    @router.route("GET", f"{api}/views/count_many")
    def count_many(request: Request) -> Response:
        with state.lock:
            views = [v for v in (visible_view(i, request.user) for i in ids_of(request)[:20]) if v is not None]
            return Response(200, {"view_counts": [view_count(v, request.user) for v in views]})

    @router.route("GET", rf"{api}/views/(?P<id>\d+)/execute")
    def execute_view(request: Request) -> Response:
        with state.lock:
            view = visible_view(int(request.params["id"]), request.user)
            if view is None:
                return Response(404, NOT_FOUND)
            items = sorted(view_tickets_of(view, request.user), key=lambda t: t["id"], reverse=True)
            page = offset_page(request, base_url(), "rows", items)
            page["rows"] = [
                {
                    "ticket": {"id": t["id"], "subject": t.get("subject"), "status": t.get("status")},
                    "ticket_id": t["id"],
                    "updated": t.get("updated_at"),
                    "created": t.get("created_at"),
                    "priority": t.get("priority"),
                    "group_id": t.get("group_id"),
                    "assignee_id": t.get("assignee_id"),
                    "requester_id": t.get("requester_id"),
                }
                for t in page["rows"]
            ]
            execution = view.get("execution") or {}
            page.update(
                {
                    "columns": execution.get("columns", []),
                    "view": {"id": view["id"], "url": view.get("url")},
                    "groups": [],
                }
            )
            return Response(200, page)

    # -- issue 23: personal views, creating and merging tickets ----------------------------
    def is_admin(user: dict | None) -> bool:
        return settings.persona == "admin" or (user or {}).get("role") == "admin"

    def may_see_view(view: dict, user: dict | None) -> bool:
        """Shared views for everyone; a personal view for its owner; a group's for its members."""
        restriction = view.get("restriction")
        if not isinstance(restriction, dict) or is_admin(user):
            return True
        user = user or {}
        if restriction.get("type") == "User":
            return str(restriction.get("id")) == str(user.get("id"))
        ids = {str(i) for i in restriction.get("ids") or [restriction.get("id")]}
        mine = {str(i) for i in [*(user.get("group_ids") or []), user.get("default_group_id")] if i}
        return bool(ids & mine)

    def rendered(view: dict) -> dict:
        """The view with its title in the agent's language (dynamic content rendered)."""
        return {
            **view,
            "title": view_title(str(view.get("raw_title") or view.get("title") or ""), settings.agent_locale),
        }

    def views_for(user: dict | None, access: str | None = None) -> list[dict]:
        # The spec (ListViews.access): "personal", "shared" or "account".
        kinds = {"personal": ("User",), "shared": ("Group",), "account": (None,)}.get(access or "")
        return [
            rendered(v)
            for v in state.views.values()
            if may_see_view(v, user) and (kinds is None or (v.get("restriction") or {}).get("type") in kinds)
        ]

    def visible_view(view_id: int, user: dict | None) -> dict | None:
        view = state.views.get(view_id)
        return view if view is not None and may_see_view(view, user) else None

    def record_invalid(field: str, text: str) -> Response:
        return Response(
            422,
            {
                "error": "RecordInvalid",
                "description": "Record validation errors",
                "details": {field: [{"description": text}]},
            },
        )

    # The spec (CreateView): "at least one condition in the `all` array that checks one of
    # the following fields: status, type, group_id, assignee_id, or requester_id".
    ANCHOR_FIELDS = {"status", "type", "group_id", "assignee_id", "requester_id"}

    def view_fields(body: dict, view: dict, user: dict | None) -> Response | None:
        """Apply a CreateView/UpdateView body to `view`; an answer when it is refused."""
        if "title" in body:
            if not str(body.get("title") or "").strip():
                return record_invalid("title", "Title: cannot be blank")
            view["title"] = view["raw_title"] = str(body["title"])
        for name in ("all", "any"):
            if name in body:
                conditions = body[name] or []
                if not isinstance(conditions, list) or not all(isinstance(c, dict) for c in conditions):
                    return record_invalid(name, f"{name}: a list of conditions")
                # The spec (UpdateView): "The PUT request replaces all existing conditions."
                view.setdefault("conditions", {"all": [], "any": []})[name] = [
                    {"field": c.get("field"), "operator": c.get("operator"), "value": c.get("value")}
                    for c in conditions
                ]
        if not any(c.get("field") in ANCHOR_FIELDS for c in view.get("conditions", {}).get("all", [])):
            return record_invalid("conditions", "A view needs a status, type, group, assignee or requester condition")
        if "restriction" in body:
            restriction = body["restriction"]
            if not is_admin(user) and not (
                isinstance(restriction, dict)
                and restriction.get("type") == "User"
                and str(restriction.get("id")) == str((user or {}).get("id"))
            ):
                return Response(403, dict(limits.FORBIDDEN))  # an agent's views are personal
            if not isinstance(restriction, dict):
                view["restriction"] = None
            elif restriction.get("ids"):  # the spec: "ids" is preferred for a Group
                view["restriction"] = {"type": restriction.get("type"), "ids": [int(i) for i in restriction["ids"]]}
            else:
                view["restriction"] = {"type": restriction.get("type"), "id": int(restriction.get("id") or 0)}
        for name in ("active", "description"):
            if name in body:
                view[name] = body[name]
        output = body.get("output")
        if isinstance(output, dict):
            view["execution"] = view_execution(
                output.get("sort_by"),
                output.get("sort_order") or "desc",
                output.get("group_by"),
                output.get("group_order") or "asc",
            )
        view["updated_at"] = iso(now())
        return None

    @router.route("POST", f"{api}/views")
    def create_view(request: Request) -> Response:
        body = (request.body or {}).get("view") if isinstance(request.body, dict) else None
        if not isinstance(body, dict):
            return record_invalid("view", "a view object is required")
        if "title" not in body:
            return record_invalid("title", "Title: cannot be blank")
        if not is_admin(request.user) and "restriction" not in body:
            return Response(403, dict(limits.FORBIDDEN))  # shared views are for admins
        with state.lock:
            view_id = state.new_id()
            stamp = iso(now())
            view: dict[str, Any] = {
                "url": f"{base_url()}{api}/views/{view_id}.json",
                "id": view_id,
                "title": "",
                "raw_title": "",
                "active": True,
                "default": False,
                "position": 10000,
                "description": None,
                "restriction": None,
                "created_at": stamp,
                "updated_at": stamp,
                "execution": view_execution(None),
                "conditions": {"all": [], "any": []},
            }
            refused = view_fields(body, view, request.user)
            if refused is not None:
                return refused
            state.views[view_id] = view
            state.writes.append({"api": "zendesk", "method": "POST", "path": request.path, "body": body})
            return Response(201, {"view": rendered(view)})

    @router.route("GET", rf"{api}/views/(?P<id>\d+)")
    def show_view(request: Request) -> Response:
        with state.lock:
            view = visible_view(int(request.params["id"]), request.user)
            return Response(200, {"view": rendered(view)}) if view else Response(404, NOT_FOUND)

    def own_view(request: Request) -> dict | Response:
        view = visible_view(int(request.params["id"]), request.user)
        if view is None:
            return Response(404, NOT_FOUND)
        if view.get("restriction") is None and not is_admin(request.user):
            return Response(403, dict(limits.FORBIDDEN))  # a shared view: an admin's to change
        return view

    @router.route("PUT", rf"{api}/views/(?P<id>\d+)")
    def update_view(request: Request) -> Response:
        body = (request.body or {}).get("view") if isinstance(request.body, dict) else None
        if not isinstance(body, dict):
            return record_invalid("view", "a view object is required")
        with state.lock:
            view = own_view(request)
            if isinstance(view, Response):
                return view
            changed = copy.deepcopy(view)
            refused = view_fields(body, changed, request.user)
            if refused is not None:
                return refused
            view.update(changed)
            state.writes.append({"api": "zendesk", "method": "PUT", "path": request.path, "body": body})
            return Response(200, {"view": rendered(view)})

    @router.route("DELETE", rf"{api}/views/(?P<id>\d+)")
    def delete_view(request: Request) -> Response:
        with state.lock:
            view = own_view(request)
            if isinstance(view, Response):
                return view
            del state.views[view["id"]]
            state.writes.append({"api": "zendesk", "method": "DELETE", "path": request.path})
            return Response(204)

    # README "Facts found ... 2026-12-07": agents create tickets; `requester: {name, email}`
    # creates the end user; `via_followup_source_id` makes a follow-up of a closed ticket.
    # spec: CreateTicket answers 201 with {ticket, audit} and a Location header;
    # TicketObject.via_followup_source_id "The id of a closed ticket when creating a
    # follow-up ticket"; the Requests reference: "The parameter only works with closed
    # tickets. It has no effect with other tickets." A ticket needs its first comment (the
    # description; Zendesk answers 422 without one).
    @router.route("POST", f"{api}/tickets")
    def create_ticket(request: Request) -> Response:
        body = (request.body or {}).get("ticket") if isinstance(request.body, dict) else None
        if not isinstance(body, dict):
            return record_invalid("ticket", "a ticket object is required")
        comment = body.get("comment")
        text = str((comment or {}).get("body") or (comment or {}).get("html_body") or body.get("description") or "")
        if not text.strip():
            return record_invalid("description", "Description: cannot be blank")
        with state.lock:
            user = request.user or {}
            requester: dict | None = user
            given = body.get("requester")
            if isinstance(given, dict):
                if not str(given.get("email") or "").strip() or "@" not in str(given.get("email")):
                    return record_invalid("requester", "Requester: email is invalid")
                requester = state.end_user(str(given.get("name") or ""), str(given["email"]))
            elif body.get("requester_id") is not None:
                requester = state.users.get(body.get("requester_id"))
                if requester is None:
                    return record_invalid("requester", "Requester: is invalid")
            source = state.tickets.get(body.get("via_followup_source_id") or 0)
            follow_up = source if source is not None and source.get("status") == "closed" else None
            public = (comment or {}).get("public", True) is not False
            ticket = state.create_ticket(
                body, requester or user, user, text, now(), public=public, follow_up_of=follow_up
            )
            audit = {
                "id": state.new_id(),
                "ticket_id": ticket["id"],
                "created_at": ticket["created_at"],
                "author_id": user.get("id"),
                "metadata": {"system": {}, "custom": {}},
                "events": [{"id": state.new_id(), "type": "Create", "field_name": "status", "value": "new"}],
                "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
            }
            state.audits.setdefault(ticket["id"], []).append(audit)
            state.writes.append({"api": "zendesk", "method": "POST", "path": request.path, "body": request.body})
            return Response(201, {"ticket": ticket, "audit": audit}, {"Location": ticket["url"]})

    @router.route("POST", rf"{api}/tickets/(?P<id>\d+)/merge")
    def merge_tickets(request: Request) -> Response:
        """README "Facts found ... 2026-12-07": a job status; the sources are closed."""
        body = request.body if isinstance(request.body, dict) else {}
        sources = body.get("ids")
        if not isinstance(sources, list) or not sources or not all(isinstance(i, int) for i in sources):
            return record_invalid("ids", "ids: the tickets to merge into this one")
        target_id = int(request.params["id"])
        with state.lock:
            everyone = [target_id, *sources]
            if target_id in sources or any(not reachable(state.tickets.get(i), request.user) for i in everyone):
                return Response(404, NOT_FOUND)
            if any(state.tickets[i].get("status") == "closed" for i in everyone):
                return record_invalid("ids", "Closed tickets cannot be merged")
            job = state.merge_tickets(target_id, sources, request.user or {}, now())
            state.writes.append({"api": "zendesk", "method": "POST", "path": request.path, "body": body})
            return Response(200, {"job_status": job})

    # -- deleted tickets --------------------------------------------------------------------
    @router.route("GET", f"{api}/deleted_tickets")
    def deleted_tickets(request: Request) -> Response:
        if settings.deny_deleted and (request.user or {}).get("role") != "admin":
            # README "Facts found ... 2026-12-07": listing deleted tickets needs the "view
            # deleted tickets" permission that many agent roles lack.
            return Response(403, dict(limits.FORBIDDEN))
        column = request.query.get("sort_by") or "id"
        if column not in ("id", "subject", "deleted_at"):
            return invalid(f"sort_by {column!r} is not supported")
        order = request.query.get("sort_order") or "asc"
        if order not in ("asc", "desc"):
            return invalid("sort_order must be asc or desc")
        with state.lock:
            items = [
                {k: v for k, v in record.items() if k != "description"} for record in state.deleted_tickets.values()
            ]

        def sort_key(record: dict) -> tuple:
            return (record.get(column) or "", record["id"]) if column != "id" else (record["id"],)

        return Response(
            200,
            listing_page(request, base_url(), "deleted_tickets", items, sort_key=sort_key, descending=order == "desc"),
        )

    # -- search ---------------------------------------------------------------------------
    def indexed_tickets() -> list[dict]:
        """What search sees: every ticket as it was `search_lag_seconds` ago."""
        moment = now()
        return state.indexed(moment.timestamp() - settings.search_lag_seconds)

    def search_results(query: str, user: dict | None, kinds: list[str] | None = None) -> list[tuple[str, dict]]:
        """(result type, record) of everything the query finds, as search has indexed it.

        Users, organizations and groups are read as they are now: the sandbox never changes
        them, so their index cannot be behind.
        """
        terms = rules.search_terms(query)
        moment = now()
        rules.check_search(terms, moment)
        wanted = rules.search_kinds(terms) if kinds is None else kinds
        directory = IndexedDirectory(state, user, moment - dt.timedelta(seconds=settings.search_lag_seconds))
        tables = {"user": state.users, "organization": state.organizations, "group": state.groups}
        found: list[tuple[str, dict]] = []
        for kind, table in tables.items():
            if kind in wanted:
                found += [(kind, r) for r in table.values() if rules.record_matches(kind, r, terms, directory)]
        if "ticket" in wanted:
            found += [
                ("ticket", t)
                for t in indexed_tickets()
                if in_reach(state.tickets.get(t["id"]) or t, user) and rules.search_matches(t, terms, moment, directory)
            ]
        return found

    @router.route("GET", f"{api}/search/export")
    def search_export(request: Request) -> Response:
        kind = request.query.get("filter[type]")
        if not kind:
            return invalid("filter[type] is required: one of ticket, organization, user, group")
        query = request.query.get("query", "")
        if any(term.startswith("type:") for term in rules.search_terms(query)):
            # The spec (ExportSearchResults): "Searches with type in the query string will
            # result in an error."
            return invalid("Searches with type in the query string are not supported; use filter[type]")
        if kind != "ticket":
            return invalid(f"filter[type] {kind!r}: the sandbox exports tickets only", 422)
        with state.lock:
            try:
                items = [t for _, t in search_results(query, request.user, ["ticket"])]
            except rules.SearchError as exc:
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
            body.update(sideload(rules.search_includes(request.query.get("include", "")), tickets))
            return Response(200, body)

    def search_query(request: Request) -> str | Response:
        query = request.query.get("query", "")
        # The spec: `query` is required on both search and its count.
        return query if query.strip() else invalid("query is required")

    @router.route("GET", f"{api}/search")
    def search(request: Request) -> Response:
        query = search_query(request)
        if isinstance(query, Response):
            return query
        per_page = max(1, min(100, _int(request.query.get("per_page"), 100)))
        page_number = max(1, _int(request.query.get("page"), 1))
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
            except rules.SearchError as exc:
                return invalid(str(exc))
            column = request.query.get("sort_by")
            if column in ("updated_at", "created_at", "priority", "status", "ticket_type"):
                name = "type" if column == "ticket_type" else column
                items.sort(
                    key=lambda found: (rules.sort_value(name, found[1], names, None), found[1]["id"]),
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
            body.update(sideload(rules.search_includes(request.query.get("include", "")), tickets))
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
            except rules.SearchError as exc:
                return invalid(str(exc))
            return Response(200, {"count": len(found)})

    # -- incremental export (admins only) --------------------------------------------------
    @router.route("GET", f"{api}/incremental/tickets/cursor")
    def incremental(request: Request) -> Response:
        limit = max(1, min(1000, _int(request.query.get("per_page"), 1000)))
        with state.lock:
            moment = now()
            if "cursor" in request.query:
                sequence = decode_cursor(request.query["cursor"])
                if not isinstance(sequence, int):
                    return Response(400, {"error": "InvalidCursor", "description": "cursor is not valid"})
            elif "start_time" in request.query:
                try:
                    start_time = float(request.query["start_time"])
                except ValueError:
                    return invalid("start_time must be a number")
                if start_time > moment.timestamp() - 60:
                    return invalid("start_time must be more than a minute in the past", 422)
                sequence = state.sequence_at(start_time)
            else:
                return invalid("start_time or cursor is required")
            # Since 2024-10-28 the export leaves out changes of the last minute.
            ids, last, end = state.changes_after(
                sequence, limit, before=moment.timestamp() - settings.export_holdback_seconds
            )
            tickets = [state.tickets[i] for i in ids]
            cursor = encode_cursor(last)
            body = {
                "tickets": tickets,
                "after_url": f"{base_url()}{request.path}?{urlencode({'cursor': cursor})}",
                "before_url": None,
                "after_cursor": cursor,
                "before_cursor": None,
                "end_of_stream": end,
            }
            body.update(sideload(flat_includes(request), tickets))
            return Response(200, body)

    return router
