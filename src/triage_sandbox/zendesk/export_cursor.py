"""Search export's cursors expire: "The cursor specified by the `after_cursor` property in a
response expires after one hour" (spec ExportSearchResults). The sandbox's cursor carries the
moment it was given, and one older than an hour is refused, as a client continuing a
listing begun long ago (a laptop shut mid-listing) would be refused by Zendesk."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from triage_sandbox.http import Request, Response
from triage_sandbox.state import decode_cursor, encode_cursor
from triage_sandbox.zendesk.replies import invalid

LIFETIME = dt.timedelta(hours=1)


def opened(request: Request, now: dt.datetime) -> Request | Response:
    """The request with its `page[after]` as the pager reads it, or the 400 of a cursor this
    export did not give or gave over an hour ago."""
    text = request.query.get("page[after]")
    if not text:
        return request
    mark = decode_cursor(text)
    if not isinstance(mark, dict) or not isinstance(mark.get("after"), str) or not isinstance(mark.get("at"), float):
        return invalid("page[after] is not a cursor this search gave")
    if now.timestamp() - mark["at"] > LIFETIME.total_seconds():
        return Response(
            400,
            {"error": "InvalidPaginationParameter", "description": "page[after]: the cursor expired (after one hour)"},
        )
    return dataclasses.replace(request, query={**request.query, "page[after]": mark["after"]})


def stamped(body: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The answer with its next cursor (in `meta` and in `links.next`) stamped with `now`."""
    inner = body["meta"].get("after_cursor")
    if not inner:
        return body
    outer = encode_cursor({"after": inner, "at": now.timestamp()})
    body["meta"]["after_cursor"] = outer
    if body["links"].get("next"):
        body["links"]["next"] = body["links"]["next"].replace(
            urlencode({"page[after]": inner}), urlencode({"page[after]": outer})
        )
    return body
