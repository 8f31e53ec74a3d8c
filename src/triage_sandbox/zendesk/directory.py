"""The account's people and records: users, organizations, groups, ticket fields, and the
admins' account-wide lists."""

from __future__ import annotations

from triage_sandbox.data import iso
from triage_sandbox.http import Request, Response
from triage_sandbox.limits import FORBIDDEN
from triage_sandbox.zendesk.context import API, Zendesk
from triage_sandbox.zendesk.pagination import listing_page
from triage_sandbox.zendesk.replies import NOT_FOUND, body_object, invalid


def register(z: Zendesk) -> None:
    """Users, organizations, groups and the account's lists."""
    state, router, api, base_url, now = z.state, z.router, API, z.base_url, z.now

    z.listing("groups", "groups", lambda request: list(state.groups.values()))
    z.listing("organizations", "organizations", lambda request: list(state.organizations.values()))
    z.listing("users", "users", lambda request: list(state.users.values()))

    # Admin-only (limits.ADMIN_ONLY): reached by admins alone.
    z.listing("tickets", "tickets", lambda request: [t for t in state.tickets.values() if z.live(t)])
    z.listing("slas/policies", "sla_policies", lambda request: list(state.sla_policies))
    z.listing("ticket_audits", "audits", lambda request: [a for items in state.audits.values() for a in items])
    z.listing("satisfaction_ratings", "satisfaction_ratings", lambda request: [])
    z.listing("suspended_tickets", "suspended_tickets", lambda request: [])
    z.listing("audit_logs", "audit_logs", lambda request: [])

    @router.route("GET", f"{api}/ticket_fields")
    def ticket_fields(request: Request) -> Response:
        return Response(200, listing_page(request, base_url(), "ticket_fields", state.ticket_fields))

    @router.route("GET", f"{api}/users/me")
    def me(request: Request) -> Response:
        return Response(200, {"user": request.user})

    router.route("GET", f"{api}/users/show_many")(z.show_many("users", state.users))
    router.route("GET", f"{api}/organizations/show_many")(z.show_many("organizations", state.organizations))

    router.route("GET", rf"{api}/users/(?P<id>\d+)")(z.show("user", state.users))
    router.route("GET", rf"{api}/organizations/(?P<id>\d+)")(z.show("organization", state.organizations))

    router.route("GET", rf"{api}/groups/(?P<id>\d+)")(z.show("group", state.groups))

    # spec: ListUserRequestedTickets (TicketsResponse); the README: the per-user lists are for
    # agents. Read as the tickets are now (no search lag): what a resend checks first.
    @router.route("GET", rf"{api}/users/(?P<id>\d+)/tickets/requested")
    def requested_tickets(request: Request) -> Response:
        user_id = int(request.params["id"])
        with state.lock:
            if user_id not in state.users:
                return Response(404, NOT_FOUND)
            mine = [t for t in state.tickets.values() if t.get("requester_id") == user_id and z.live(t)]
            mine.sort(key=lambda t: t["id"])
            return Response(200, listing_page(request, base_url(), "tickets", mine))

    # spec: UpdateUser (UserUpdateRequest {user}); Zendesk's reference gives it to agents for
    # end users only (an agent changing an agent or admin gets 403). organization_id must
    # name an organization of the account.
    @router.route("PUT", rf"{api}/users/(?P<id>\d+)")
    def update_user(request: Request) -> Response:
        given = body_object(request, "user")
        if isinstance(given, Response):
            return given
        body, changes = given
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
