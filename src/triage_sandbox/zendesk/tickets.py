"""Tickets: show, update (with `safe_update`), delete, comments and audits, create, merge,
and the list of deleted tickets."""

from __future__ import annotations

from triage_sandbox import limits
from triage_sandbox.http import Request, Response
from triage_sandbox.zendesk import tag_rules, ticket_changes
from triage_sandbox.zendesk.context import API, Zendesk
from triage_sandbox.zendesk.pagination import listing_page
from triage_sandbox.zendesk.replies import CONFLICT, NOT_FOUND, body_object, invalid, record_invalid


def register(z: Zendesk) -> None:
    """The ticket endpoints."""
    state, router, api, base_url, now, settings = z.state, z.router, API, z.base_url, z.now, z.settings

    # -- tickets --------------------------------------------------------------------------
    @router.route("GET", rf"{api}/tickets/(?P<id>\d+)")
    def show_ticket(request: Request) -> Response:
        with state.lock:
            ticket = state.tickets.get(int(request.params["id"]))
            if not z.live(ticket):
                return Response(404, NOT_FOUND)
            if not z.reachable(ticket, request.user):
                return Response(403, dict(limits.FORBIDDEN))
            shown, extra = z.tickets_answer(request, [ticket])
            return Response(200, {"ticket": shown[0], **extra})

    @router.route("GET", f"{api}/tickets/show_many")
    def show_many_tickets(request: Request) -> Response:
        with state.lock:
            tickets = [state.tickets[i] for i in z.ids_of(request) if z.reachable(state.tickets.get(i), request.user)]
            shown, extra = z.tickets_answer(request, tickets)
            return Response(200, {"tickets": shown, **extra})

    @router.route("PUT", rf"{api}/tickets/(?P<id>\d+)")
    def update_ticket(request: Request) -> Response:
        given = body_object(request, "ticket")
        if isinstance(given, Response):
            return given
        _, changes = given
        ticket_id = int(request.params["id"])
        with state.lock:
            ticket = state.tickets.get(ticket_id)
            if not z.live(ticket):
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
            honoured = {k: v for k, v in changes.items() if k not in tag_rules.BULK_ONLY_FIELDS}
            events = ticket_changes.apply_update(state, ticket, honoured, request.user or {}, now())
            audit = ticket_changes.record_audit(state, ticket, events, request.user)
            state.writes.append({"api": "zendesk", "method": "PUT", "ticket_id": ticket_id, "body": changes})
            return Response(200, {"ticket": ticket, "audit": audit})

    @router.route("DELETE", rf"{api}/tickets/(?P<id>\d+)")
    def delete_ticket(request: Request) -> Response:
        with state.lock:
            if state.delete_ticket(int(request.params["id"]), request.user or {}, now()) is None:
                return Response(404, NOT_FOUND)
            state.writes.append({"api": "zendesk", "method": "DELETE", "path": request.path})
            return Response(204)

    @router.route("GET", rf"{api}/tickets/(?P<id>\d+)/comments")
    def comments(request: Request) -> Response:
        ticket_id = int(request.params["id"])
        with state.lock:
            ticket = state.tickets.get(ticket_id)
            if not z.live(ticket):
                return Response(404, NOT_FOUND)
            if not z.reachable(ticket, request.user):
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
            if not z.live(state.tickets.get(ticket_id)):
                return Response(404, NOT_FOUND)
            items = list(state.audits.get(ticket_id, []))
            return Response(
                200,
                listing_page(
                    request, base_url(), "audits", items, sort_key=lambda a: (a.get("created_at") or "", a["id"])
                ),
            )

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
            if target_id in sources or any(not z.reachable(state.tickets.get(i), request.user) for i in everyone):
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
