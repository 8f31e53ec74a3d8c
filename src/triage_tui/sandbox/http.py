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
    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        compiled = re.compile("^" + pattern + "$")

        def register(handler: Handler) -> Handler:
            self.routes.append((method, compiled, handler))
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for route_method, pattern, handler in self.routes:
            found = pattern.match(path)
            if found and route_method == method:
                return handler, found.groupdict()
        return None
