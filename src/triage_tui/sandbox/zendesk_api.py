"""The subset of the Zendesk Support API triage-tui uses, in Zendesk's own shapes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from triage_tui.sandbox.data import iso
from triage_tui.sandbox.http import Request, Response, Router
from triage_tui.sandbox.state import SandboxState, decode_cursor, encode_cursor
from triage_tui.triage.macros import changes_from_actions, placeholder_context

NOT_FOUND = {"error": "RecordNotFound", "description": "Not found"}
CONFLICT = {
    "error": "UpdateConflict",
    "description": "Safe Update prevented the update due to outdated ticket data. "
    "Please fetch the latest ticket data and try again.",
}
UNSOLVED = ("new", "open", "pending", "hold")


def _page_size(request: Request, default: int = 100, maximum: int = 100) -> int:
    try:
        return max(1, min(maximum, int(request.query.get("page[size]", default))))
    except ValueError:
        return default


def cursor_page(request: Request, base_url: str, key: str, items: list[Any], maximum: int = 100) -> dict[str, Any]:
    """Zendesk cursor pagination: meta.has_more, meta.after_cursor, links.next."""
    size = _page_size(request, maximum=maximum)
    after = decode_cursor(request.query.get("page[after]", "")) if request.query.get("page[after]") else 0
    offset = after if isinstance(after, int) and after >= 0 else 0
    page = items[offset : offset + size]
    has_more = offset + size < len(items)
    after_cursor = encode_cursor(offset + size) if has_more else None
    query = {k: v for k, v in request.query.items() if k != "page[after]"}
    next_link = f"{base_url}{request.path}?{urlencode({**query, 'page[after]': after_cursor})}" if has_more else None
    return {
        key: page,
        "meta": {"has_more": has_more, "after_cursor": after_cursor, "before_cursor": encode_cursor(offset) if page else None},
        "links": {"next": next_link, "prev": None},
    }


def _matches(ticket: dict, terms: list[str]) -> bool:
    """Enough of Zendesk's search syntax for queues: type, status<solved, status:x, group_id:n, tags:x."""
    order = ["new", "open", "pending", "hold", "solved", "closed"]
    status = ticket.get("status")
    for term in terms:
        if term in ("type:ticket", ""):
            continue
        if term.startswith("status<"):
            limit = term.split("<", 1)[1]
            if status not in order or limit not in order or order.index(status) >= order.index(limit):
                return False
        elif term.startswith("status:"):
            if status != term.split(":", 1)[1]:
                return False
        elif term.startswith(("group_id:", "group:")):
            if str(ticket.get("group_id")) != term.split(":", 1)[1]:
                return False
        elif term.startswith("tags:"):
            if term.split(":", 1)[1] not in ticket.get("tags", []):
                return False
        else:
            text = f"{ticket.get('subject', '')} {ticket.get('description', '')}".lower()
            if term.lower() not in text:
                return False
    return status != "deleted"


def build(state: SandboxState, base_url: Callable[[], str], now: Callable[[], dt.datetime]) -> Router:
    router = Router()
    api = "/api/v2"

    def sideload(request: Request, tickets: list[dict]) -> dict[str, Any]:
        wanted = {part.strip() for part in request.query.get("include", "").split(",") if part.strip()}
        extra: dict[str, Any] = {}
        if "users" in wanted:
            ids = {t.get("requester_id") for t in tickets} | {t.get("assignee_id") for t in tickets}
            extra["users"] = [state.users[i] for i in ids if i in state.users]
        if "organizations" in wanted:
            ids = {t.get("organization_id") for t in tickets}
            extra["organizations"] = [state.organizations[i] for i in ids if i in state.organizations]
        if "groups" in wanted:
            ids = {t.get("group_id") for t in tickets}
            extra["groups"] = [state.groups[i] for i in ids if i in state.groups]
        if "metric_sets" in wanted:
            extra["metric_sets"] = [state.metric_sets[t["id"]] for t in tickets if t["id"] in state.metric_sets]
        return extra

    def listing(path: str, key: str, source: Callable[[], list[Any]]) -> None:
        @router.route("GET", f"{api}/{path}.json")
        def handler(request: Request) -> Response:
            with state.lock:
                return Response(200, cursor_page(request, base_url(), key, source()))

    listing("groups", "groups", lambda: list(state.groups.values()))
    listing("organizations", "organizations", lambda: list(state.organizations.values()))
    listing("users", "users", lambda: list(state.users.values()))
    listing("views", "views", lambda: list(state.views.values()))
    listing("macros", "macros", lambda: [m for m in state.macros.values() if m.get("active", True)])
    listing("tickets", "tickets", lambda: list(state.tickets.values()))

    @router.route("GET", f"{api}/ticket_fields.json")
    def ticket_fields(request: Request) -> Response:
        return Response(200, {"ticket_fields": state.ticket_fields, "next_page": None, "previous_page": None, "count": len(state.ticket_fields)})

    @router.route("GET", f"{api}/users/me.json")
    def me(request: Request) -> Response:
        return Response(200, {"user": request.user})

    def show_many(key: str, table: dict[int, dict]) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            ids = [int(part) for part in request.query.get("ids", "").split(",") if part.strip().isdigit()][:100]
            with state.lock:
                return Response(200, {key: [table[i] for i in ids if i in table]})

        return handler

    router.route("GET", f"{api}/users/show_many.json")(show_many("users", state.users))
    router.route("GET", f"{api}/organizations/show_many.json")(show_many("organizations", state.organizations))

    def show(key: str, table: dict[int, dict]) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            record = table.get(int(request.params["id"]))
            return Response(200, {key: record}) if record else Response(404, NOT_FOUND)

        return handler

    router.route("GET", rf"{api}/users/(?P<id>\d+)\.json")(show("user", state.users))
    router.route("GET", rf"{api}/organizations/(?P<id>\d+)\.json")(show("organization", state.organizations))
    router.route("GET", rf"{api}/macros/(?P<id>\d+)\.json")(show("macro", state.macros))

    @router.route("GET", rf"{api}/tickets/(?P<id>\d+)\.json")
    def show_ticket(request: Request) -> Response:
        with state.lock:
            ticket = state.tickets.get(int(request.params["id"]))
            if ticket is None or ticket.get("status") == "deleted":
                return Response(404, NOT_FOUND)
            return Response(200, {"ticket": ticket, **sideload(request, [ticket])})

    @router.route("GET", f"{api}/tickets/show_many.json")
    def show_many_tickets(request: Request) -> Response:
        ids = [int(part) for part in request.query.get("ids", "").split(",") if part.strip().isdigit()][:100]
        with state.lock:
            tickets = [state.tickets[i] for i in ids if i in state.tickets]
            return Response(200, {"tickets": tickets, **sideload(request, tickets)})

    @router.route("PUT", rf"{api}/tickets/(?P<id>\d+)\.json")
    def update_ticket(request: Request) -> Response:
        body = request.body if isinstance(request.body, dict) else {}
        changes = body.get("ticket")
        if not isinstance(changes, dict):
            return Response(400, {"error": "InvalidEndpoint", "description": "ticket object expected"})
        ticket_id = int(request.params["id"])
        with state.lock:
            ticket = state.tickets.get(ticket_id)
            if ticket is None or ticket.get("status") == "deleted":
                return Response(404, NOT_FOUND)
            if changes.get("safe_update") and changes.get("updated_stamp") != ticket.get("updated_at"):
                return Response(409, CONFLICT)
            events = apply_update(ticket, changes, request.user, now())
            audit = {"id": state.new_id(), "ticket_id": ticket_id, "created_at": ticket["updated_at"], "author_id": request.user["id"], "metadata": {"system": {}, "custom": {}}, "events": events, "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}}}
            state.audits.setdefault(ticket_id, []).append(audit)
            state.writes.append({"api": "zendesk", "method": "PUT", "ticket_id": ticket_id, "body": changes})
            return Response(200, {"ticket": ticket, "audit": audit})

    def apply_update(ticket: dict, changes: dict, user: dict, moment: dt.datetime) -> list[dict]:
        events: list[dict] = []
        metrics = state.metric_sets.setdefault(ticket["id"], {"ticket_id": ticket["id"]})
        for field in ("status", "priority", "group_id", "assignee_id", "subject", "type"):
            if field in changes and changes[field] != ticket.get(field):
                events.append({"id": state.new_id(), "type": "Change", "field_name": field, "value": changes[field], "previous_value": ticket.get(field)})
                ticket[field] = changes[field]
                if field == "status":
                    metrics["status_updated_at"] = iso(moment)
        tags = list(ticket.get("tags", []))
        if isinstance(changes.get("tags"), list):
            tags = [str(tag) for tag in changes["tags"]]
        for tag in changes.get("additional_tags") or []:
            if tag not in tags:
                tags.append(str(tag))
        remove = set(changes.get("remove_tags") or [])
        tags = [tag for tag in tags if tag not in remove]
        if tags != ticket.get("tags"):
            events.append({"id": state.new_id(), "type": "Change", "field_name": "tags", "value": tags, "previous_value": ticket.get("tags")})
            ticket["tags"] = tags
        comment = changes.get("comment")
        if isinstance(comment, dict) and (comment.get("body") or comment.get("html_body")):
            public = comment.get("public", True) is not False
            author = comment.get("author_id") or user["id"]
            created = state.add_comment(ticket["id"], author, str(comment.get("body") or comment.get("html_body")), public, moment)
            events.append({**created, "audit_id": None})
            metrics["latest_comment_added_at"] = iso(moment)
            if public and author != ticket.get("requester_id"):
                metrics["assignee_updated_at"] = iso(moment)
        state.touch(ticket, moment)
        return events

    @router.route("GET", rf"{api}/tickets/(?P<id>\d+)/comments\.json")
    def comments(request: Request) -> Response:
        ticket_id = int(request.params["id"])
        with state.lock:
            if ticket_id not in state.tickets:
                return Response(404, NOT_FOUND)
            items = list(state.comments.get(ticket_id, []))
        if not items:
            ticket = state.tickets[ticket_id]
            items = [{"id": ticket_id * 10, "type": "Comment", "author_id": ticket.get("requester_id"), "body": ticket.get("description") or "", "plain_body": ticket.get("description") or "", "public": True, "attachments": [], "created_at": ticket.get("created_at")}]
        return Response(200, cursor_page(request, base_url(), "comments", items))

    @router.route("GET", rf"{api}/tickets/(?P<id>\d+)/audits\.json")
    def audits(request: Request) -> Response:
        ticket_id = int(request.params["id"])
        with state.lock:
            return Response(200, cursor_page(request, base_url(), "audits", list(state.audits.get(ticket_id, []))))

    @router.route("GET", rf"{api}/tickets/(?P<id>\d+)/macros/(?P<macro>\d+)/apply\.json")
    def apply_macro(request: Request) -> Response:
        with state.lock:
            ticket = state.tickets.get(int(request.params["id"]))
            macro = state.macros.get(int(request.params["macro"]))
            if ticket is None or macro is None:
                return Response(404, NOT_FOUND)
            requester = state.users.get(ticket.get("requester_id"), {})
            org = state.organizations.get(ticket.get("organization_id"), {})
            context = placeholder_context(
                ticket_id=ticket["id"], title=ticket.get("subject") or "", status=ticket.get("status") or "",
                requester_name=requester.get("name") or "", organization_name=org.get("name") or "", agent_name=request.user.get("name") or "",
            )
            change = changes_from_actions(macro.get("actions", []), context)
            result: dict[str, Any] = {"ticket": {"id": ticket["id"], "url": ticket.get("url")}}
            for field in ("status", "priority", "group_id"):
                if getattr(change, field) is not None:
                    result["ticket"][field] = getattr(change, field)
            result["ticket"]["tags"] = change.resulting_tags(ticket.get("tags", []))
            if change.comment is not None:
                result["comment"] = {"body": change.comment, "html_body": f"<p>{change.comment}</p>", "scoped_body": [["channel:all", change.comment]], "public": change.public}
            return Response(200, {"result": result})

    @router.route("POST", f"{api}/macros.json")
    def create_macro(request: Request) -> Response:
        body = (request.body or {}).get("macro") if isinstance(request.body, dict) else None
        if not isinstance(body, dict) or not body.get("title") or not isinstance(body.get("actions"), list):
            return Response(400, {"error": "RecordInvalid", "description": "Record validation errors", "details": {"title": [{"description": "Title: cannot be blank"}]}})
        with state.lock:
            macro_id = state.new_id()
            stamp = iso(now())
            macro = {"url": f"{base_url()}{api}/macros/{macro_id}.json", "id": macro_id, "title": body["title"], "raw_title": body["title"], "active": body.get("active", True), "actions": body["actions"], "description": body.get("description"), "created_at": stamp, "updated_at": stamp, "default": False, "position": 10000, "restriction": None}
            state.macros[macro_id] = macro
            state.writes.append({"api": "zendesk", "method": "POST", "path": request.path, "body": body})
            return Response(201, {"macro": macro})

    @router.route("PUT", rf"{api}/macros/(?P<id>\d+)\.json")
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

    @router.route("DELETE", rf"{api}/macros/(?P<id>\d+)\.json")
    def delete_macro(request: Request) -> Response:
        with state.lock:
            if state.macros.pop(int(request.params["id"]), None) is None:
                return Response(404, NOT_FOUND)
            state.writes.append({"api": "zendesk", "method": "DELETE", "path": request.path})
            return Response(204)

    @router.route("GET", rf"{api}/views/(?P<id>\d+)/tickets\.json")
    def view_tickets(request: Request) -> Response:
        with state.lock:
            view = state.views.get(int(request.params["id"]))
            if view is None:
                return Response(404, NOT_FOUND)
            conditions = view.get("conditions", {}).get("all", [])
            status_is = next((c["value"] for c in conditions if c.get("operator") == "is" and c.get("field") == "status"), None)
            items = [t for t in state.tickets.values() if (t["status"] == status_is if status_is else t["status"] in UNSOLVED)]
            return Response(200, cursor_page(request, base_url(), "tickets", items))

    @router.route("GET", f"{api}/search/export.json")
    def search_export(request: Request) -> Response:
        terms = request.query.get("query", "").split()
        with state.lock:
            items = [t for t in state.tickets.values() if _matches(t, terms)]
            items.sort(key=lambda t: t["id"])
            page = cursor_page(request, base_url(), "results", items, maximum=1000)
            page["facets"] = None
            page.update(sideload(request, page["results"]))
            return Response(200, page)

    @router.route("GET", f"{api}/search.json")
    def search(request: Request) -> Response:
        terms = request.query.get("query", "").split()
        per_page = min(100, int(request.query.get("per_page", "100") or 100))
        page_number = max(1, int(request.query.get("page", "1") or 1))
        with state.lock:
            items = [t for t in state.tickets.values() if _matches(t, terms)][:1000]
        start = (page_number - 1) * per_page
        chunk = items[start : start + per_page]
        more = start + per_page < len(items)
        next_page = f"{base_url()}{request.path}?{urlencode({**request.query, 'page': page_number + 1})}" if more else None
        return Response(200, {"results": [{**t, "result_type": "ticket"} for t in chunk], "count": len(items), "next_page": next_page, "previous_page": None, "facets": None})

    @router.route("GET", f"{api}/incremental/tickets/cursor.json")
    def incremental(request: Request) -> Response:
        limit = max(1, min(1000, int(request.query.get("per_page", "1000") or 1000)))
        with state.lock:
            if "cursor" in request.query:
                sequence = decode_cursor(request.query["cursor"])
                if not isinstance(sequence, int):
                    return Response(400, {"error": "InvalidCursor", "description": "cursor is not valid"})
            elif "start_time" in request.query:
                try:
                    start_time = float(request.query["start_time"])
                except ValueError:
                    return Response(400, {"error": "InvalidValue", "description": "start_time must be a number"})
                if start_time > now().timestamp() - 60:
                    return Response(422, {"error": "InvalidValue", "description": "start_time must be more than a minute in the past"})
                sequence = state.sequence_at(start_time)
            else:
                return Response(400, {"error": "InvalidValue", "description": "start_time or cursor is required"})
            ids, last, end = state.changes_after(sequence, limit)
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
            body.update(sideload(request, tickets))
            return Response(200, body)

    return router
