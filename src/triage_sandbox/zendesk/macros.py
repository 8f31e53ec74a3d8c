"""Macros: the lists, applying one to a ticket (nothing saved), creating, changing and deleting."""

from __future__ import annotations

from triage_sandbox.data import iso
from triage_sandbox.http import Request, Response
from triage_sandbox.zendesk import macro_rules
from triage_sandbox.zendesk.context import API, Zendesk
from triage_sandbox.zendesk.replies import NOT_FOUND


def register(z: Zendesk) -> None:
    """The macro endpoints."""
    state, router, api, base_url, now = z.state, z.router, API, z.base_url, z.now

    def macros_of(request: Request) -> list[dict]:
        # Shared and personal macros, active and inactive: `active=` filters only when given.
        active = request.query.get("active")
        items = list(state.macros.values())
        if active in ("true", "false"):
            items = [m for m in items if bool(m.get("active", True)) == (active == "true")]
        return items

    z.listing("macros", "macros", macros_of)
    z.listing("macros/active", "macros", lambda request: [m for m in state.macros.values() if m.get("active", True)])

    router.route("GET", rf"{api}/macros/(?P<id>\d+)")(z.show("macro", state.macros))

    @router.route("GET", rf"{api}/tickets/(?P<id>\d+)/macros/(?P<macro>\d+)/apply")
    def apply_macro(request: Request) -> Response:
        with state.lock:
            ticket = state.tickets.get(int(request.params["id"]))
            macro = state.macros.get(int(request.params["macro"]))
            if not z.live(ticket) or macro is None:
                return Response(404, NOT_FOUND)
            requester = state.users.get(ticket.get("requester_id"), {})
            org = state.organizations.get(ticket.get("organization_id"), {})
            values = macro_rules.placeholder_values(ticket, requester, org, request.user or {})
            # The spec's MacroApplyTicketResponse: the comment is inside result.ticket.
            return Response(
                200, {"result": {"ticket": macro_rules.apply_macro_actions(ticket, macro.get("actions", []), values)}}
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
