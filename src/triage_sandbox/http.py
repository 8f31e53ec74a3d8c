"""Tiny request/response types and a regex router shared by the three fake APIs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any = None
    params: dict[str, str] = field(default_factory=dict)
    user: dict | None = None  # the authenticated agent, when the API knows one
    # Every value of every query key, in order: `query` keeps only the last of a repeated key
    # (`status_category[one_of]=live&status_category[one_of]=triage`).
    multi: dict[str, list[str]] = field(default_factory=dict)

    def values(self, key: str) -> list[str]:
        if key in self.multi:
            return list(self.multi[key])
        return [self.query[key]] if key in self.query else []


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False  # drop the connection without answering (fault injection)

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, (bytes, bytearray)):
            return bytes(self.body)
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()

    @property
    def content_type(self) -> str:
        if isinstance(self.body, (str, bytes)):
            return "text/plain; charset=utf-8"
        return "application/json; charset=utf-8"


Handler = Callable[[Request], Response]


class Router:
    """Routes by method and path pattern. With `suffix` (Zendesk's ".json"), every path is
    served with and without it, as the real API does."""

    def __init__(self, suffix: str = "") -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.suffix = suffix

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        compiled = re.compile("^" + pattern + "$")

        def register(handler: Handler) -> Handler:
            self.routes.append((method, compiled, handler))
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        if self.suffix:
            path = path.removesuffix(self.suffix)
        for route_method, pattern, handler in self.routes:
            found = pattern.match(path)
            if found and route_method == method:
                return handler, found.groupdict()
        return None
