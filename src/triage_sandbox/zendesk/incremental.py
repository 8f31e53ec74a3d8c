"""The incremental ticket export (admins only), cursor-based, leaving out the last minute."""

from __future__ import annotations

from urllib.parse import urlencode

from triage_sandbox.http import Request, Response
from triage_sandbox.state import decode_cursor, encode_cursor
from triage_sandbox.zendesk.context import API, Zendesk
from triage_sandbox.zendesk.pagination import query_int
from triage_sandbox.zendesk.replies import invalid


def register(z: Zendesk) -> None:
    """incremental/tickets/cursor."""
    state, router, api, base_url, now, settings = z.state, z.router, API, z.base_url, z.now, z.settings

    @router.route("GET", f"{api}/incremental/tickets/cursor")
    def incremental(request: Request) -> Response:
        limit = max(1, min(1000, query_int(request.query.get("per_page"), 1000)))
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
            body.update(z.sideload(z.flat_includes(request), tickets))
            return Response(200, body)
