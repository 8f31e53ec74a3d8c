"""Zendesk's error answers, in its own shapes."""

from __future__ import annotations

from typing import Any

from triage_sandbox.http import Request, Response

NOT_FOUND = {"error": "RecordNotFound", "description": "Not found"}
CONFLICT = {
    "error": "UpdateConflict",
    "description": "Safe Update prevented the update due to outdated ticket data. "
    "Please fetch the latest ticket data and try again.",
}


def invalid(description: str, status: int = 400) -> Response:
    return Response(status, {"error": "InvalidValue", "description": description})


def record_invalid(field: str, text: str) -> Response:
    return Response(
        422,
        {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {field: [{"description": text}]},
        },
    )


def body_object(request: Request, key: str) -> tuple[dict[str, Any], dict[str, Any]] | Response:
    """The request's JSON body and the `key` object in it (`{"ticket": {...}}`), or Zendesk's
    400 when there is none."""
    body = request.body if isinstance(request.body, dict) else {}
    inner = body.get(key)
    if not isinstance(inner, dict):
        return Response(400, {"error": "InvalidEndpoint", "description": f"{key} object expected"})
    return body, inner
