"""A ticket's tags endpoints (../shared/api/README.md "Tags"; the spec's
/api/v2/tickets/{ticket_id}/tags): add, set and remove, safe when asked to be."""

from __future__ import annotations

from collections.abc import Callable

from triage_sandbox.http import Request, Response
from triage_sandbox.zendesk import tag_rules, ticket_changes
from triage_sandbox.zendesk.context import API, Zendesk
from triage_sandbox.zendesk.replies import CONFLICT, NOT_FOUND, invalid


def register(z: Zendesk) -> None:
    """GET, PUT (add), POST (set) and DELETE (remove) a ticket's tags."""
    state, router, api, now = z.state, z.router, API, z.now

    def tags_write(request: Request, tags_of: Callable[[list[str], list[str]], list[str]], status: int) -> Response:
        """PUT (add), POST (set) or DELETE (remove) a ticket's tags, safe when asked to be."""
        body = request.body if isinstance(request.body, dict) else {}
        wanted = tag_rules.tag_list(body.get("tags"))
        if not wanted and request.method == "DELETE":
            wanted = tag_rules.tag_list(request.query.get("tags"))  # the spec's DELETE query form
        if not wanted:
            return invalid("tags is required")
        with state.lock:
            ticket = state.tickets.get(int(request.params["id"]))
            if not z.live(ticket):
                return Response(404, NOT_FOUND)
            if ticket.get("status") == "closed":
                return Response(422, tag_rules.CLOSED_TICKET)
            # The spec (PutTagsTicket, "Safe Update"): "The tag update only occurs if the
            # updated_stamp timestamp matches the ticket's actual updated_at ... 409 Conflict".
            stamp = body.get("updated_stamp")
            if tag_rules.truthy(body.get("safe_update")) and stamp not in (None, ticket["updated_at"]):
                return Response(409, CONFLICT)
            event = ticket_changes.change_tags(state, ticket, tags_of(list(ticket.get("tags") or []), wanted))
            if event is not None:
                state.touch(ticket, now())
                ticket_changes.record_audit(state, ticket, [event], request.user)
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
            return (
                Response(200, {"tags": list(ticket.get("tags") or [])}) if z.live(ticket) else Response(404, NOT_FOUND)
            )

    @router.route("PUT", rf"{api}/tickets/(?P<id>\d+)/tags")
    def add_tags(request: Request) -> Response:
        return tags_write(request, lambda current, wanted: tag_rules.tags_after(current, wanted, []), 200)

    @router.route("POST", rf"{api}/tickets/(?P<id>\d+)/tags")
    def set_tags(request: Request) -> Response:
        return tags_write(request, lambda current, wanted: tag_rules.tags_after([], wanted, []), 201)

    @router.route("DELETE", rf"{api}/tickets/(?P<id>\d+)/tags")
    def remove_tags(request: Request) -> Response:
        return tags_write(request, lambda current, wanted: tag_rules.tags_after(current, [], wanted), 200)
