"""Zendesk's pagination: offset pages (`next_page`, `previous_page`, `count`), cursor pages
(`page[size]`, `page[after]`/`page[before]`, with `meta` and `links`), and a view's cursor,
which is an offset into the list as it is at each request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from triage_sandbox.http import Request
from triage_sandbox.state import decode_cursor, encode_cursor


def query_int(text: str | None, default: int) -> int:
    try:
        return int(text) if text not in (None, "") else default
    except ValueError:
        return default


def wants_cursor(request: Request) -> bool:
    return any(key in request.query for key in ("page[size]", "page[after]", "page[before]"))


def offset_page(request: Request, base_url: str, key: str, items: list[Any], maximum: int = 100) -> dict[str, Any]:
    """Zendesk offset pagination: `per_page` (at most 100), `page`, and `count` of all."""
    per_page = max(1, min(maximum, query_int(request.query.get("per_page"), maximum)))
    page = max(1, query_int(request.query.get("page"), 1))
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
    size = max(1, min(maximum, query_int(request.query.get("page[size]"), 100)))
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
    size = max(1, min(100, query_int(request.query.get("page[size]"), 100)))
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
