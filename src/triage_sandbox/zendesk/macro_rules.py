"""Macros, as Zendesk applies them: placeholders rendered, actions played onto a ticket
(nothing saved).

Written for the sandbox alone. The product has its own code for some of these; the fake
that judges the product must not share its bugs, so nothing here imports the product.
"""

from __future__ import annotations

import html
import re
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*(?:\|\s*default:\s*(['\"])(.*?)\2\s*)?\}\}")


def render_placeholders(text: str, values: dict[str, str]) -> str:
    """Liquid-style `{{ticket.requester.first_name | default: 'there'}}`; unknown ones stay empty."""

    def replace(found: re.Match[str]) -> str:
        value = values.get(found.group(1), "")
        return value or (found.group(3) or "")

    return _PLACEHOLDER.sub(replace, text)


def placeholder_values(ticket: dict, requester: dict, organization: dict, agent: dict) -> dict[str, str]:
    def first(name: str | None) -> str:
        return (name or "").split(" ")[0]

    return {
        "ticket.id": str(ticket["id"]),
        "ticket.title": ticket.get("subject") or "",
        "ticket.status": ticket.get("status") or "",
        "ticket.priority": ticket.get("priority") or "",
        "ticket.requester.name": requester.get("name") or "",
        "ticket.requester.first_name": first(requester.get("name")),
        "ticket.requester.email": requester.get("email") or "",
        "ticket.organization.name": organization.get("name") or "",
        "current_user.name": agent.get("name") or "",
        "current_user.first_name": first(agent.get("name")),
    }


def apply_macro_actions(ticket: dict, actions: list[dict], values: dict[str, str]) -> dict[str, Any]:
    """The ticket as the macro would leave it (Zendesk's `result.ticket`), nothing saved."""
    result: dict[str, Any] = {"id": ticket["id"], "url": ticket.get("url")}
    tags = list(ticket.get("tags") or [])
    body: str | None = None
    html_body: str | None = None
    public = True
    for action in actions:
        field, value = action.get("field"), action.get("value")
        if isinstance(value, list):  # ["channel:all", "text"] and the like
            value = value[-1] if value else ""
        if field == "comment_value":
            body = render_placeholders(str(value or ""), values)
        elif field == "comment_value_html":
            html_body = render_placeholders(str(value or ""), values)
        elif field == "comment_mode_is_public":
            public = str(value).lower() != "false"
        elif field in ("status", "priority", "type"):
            result[field] = value
        elif field in ("group_id", "assignee_id"):
            result[field] = int(str(value)) if str(value).isdigit() else value
        elif field == "current_tags":  # adds tags
            tags += [tag for tag in str(value or "").split() if tag not in tags]
        elif field == "set_tags":
            tags = str(value or "").split()
        elif field == "remove_tags":
            gone = set(str(value or "").split())
            tags = [tag for tag in tags if tag not in gone]
    if tags != list(ticket.get("tags") or []):
        result["tags"] = tags
    if body is not None or html_body is not None:
        text = body if body is not None else re.sub(r"<[^>]+>", "", html_body or "")
        rendered_html = html_body if html_body is not None else "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
        result["comment"] = {
            "body": text,
            "html_body": rendered_html,
            "public": public,
            "scoped_body": [["channel:all", text]],
        }
    return result
