"""Zendesk's error answers, in its own shapes."""

from __future__ import annotations

from triage_sandbox.http import Response

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
