"""What the user does, as outbox entries: persisted now, sent by the sender later.

The UI calls these; nothing here talks HTTP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from triage_tui.store.cache import Store
from triage_tui.store.outbox import Outbox
from triage_tui.triage.incidents import incident_tag
from triage_tui.triage.macros import ChangeSet


class Writes:
    def __init__(self, outbox: Outbox, store: Store, now: Callable[[], dt.datetime]) -> None:
        self.outbox = outbox
        self.store = store
        self.now = now

    def me_id(self) -> int | None:
        return (self.store.get("me") or {}).get("id")

    def update_ticket(self, ticket: dict[str, Any], change: ChangeSet, summary: str, *, safe: bool = True) -> dict:
        """Queue a ticket update carrying the stamp of the version the user saw."""
        stamp = ticket.get("updated_at") if safe else None
        payload = change.to_payload(updated_stamp=stamp, me=self.me_id(), current_tags=ticket.get("tags") or [])
        return self.outbox.add(
            "ticket_update",
            f"zendesk:ticket:{ticket['id']}",
            {"ticket_id": ticket["id"], "ticket": payload["ticket"]},
            summary=summary,
            now=self.now(),
            seen_updated_at=stamp,
        )

    def attach_to_incident(self, ticket: dict[str, Any], incident: dict[str, Any]) -> list[dict]:
        """Tag `incident/<n>` (additive, so no stale-view risk) and attach in incident.io."""
        tag = incident_tag(incident["reference"])
        entries = [
            self.update_ticket(ticket, ChangeSet(add_tags=(tag,)), f"#{ticket['id']}: tag {tag}", safe=False),
            self.outbox.add(
                "incident_attach",
                f"incidentio:incident:{incident['id']}",
                {"incident_id": incident["id"], "ticket_id": ticket["id"]},
                summary=f"Attach #{ticket['id']} to {incident['reference']}",
                now=self.now(),
            ),
        ]
        return entries

    def assign_role(self, incident: dict[str, Any], role: dict[str, Any], email: str) -> dict:
        return self.outbox.add(
            "incident_role",
            f"incidentio:incident:{incident['id']}",
            {"incident_id": incident["id"], "role_id": role["id"], "email": email},
            summary=f"{role['name']} on {incident['reference']}: {email}",
            now=self.now(),
        )

    def create_macro(self, macro: dict[str, Any]) -> dict:
        return self.outbox.add("macro_create", "zendesk:macros", {"macro": macro}, summary=f"Create macro {macro['title']!r}", now=self.now())

    def update_macro(self, macro_id: int, macro: dict[str, Any]) -> dict:
        return self.outbox.add("macro_update", "zendesk:macros", {"macro_id": macro_id, "macro": macro}, summary=f"Update macro {macro.get('title', macro_id)!r}", now=self.now())

    def delete_macro(self, macro_id: int, title: str) -> dict:
        return self.outbox.add("macro_delete", "zendesk:macros", {"macro_id": macro_id}, summary=f"Delete macro {title!r}", now=self.now())

    def label_issue(self, repo: str, number: int, labels: list[str]) -> dict:
        return self.outbox.add(
            "github_labels",
            f"github:issue:{repo}#{number}",
            {"repo": repo, "number": number, "labels": labels},
            summary=f"{repo}#{number}: label {', '.join(labels)}",
            now=self.now(),
        )

    def pending_targets(self) -> set[str]:
        return {entry["target"] for entry in self.outbox.entries(("pending", "sending", "conflict", "failed"))}
