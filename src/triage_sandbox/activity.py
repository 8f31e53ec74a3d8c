"""Background activity for the demo: new tickets, customer replies, colleagues' solves,
merges, moves between groups and deletions, and incident updates."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from triage_sandbox.data import AGENT_EMAIL, TOPICS, iso
from triage_sandbox.state import SandboxState


class Activity:
    def __init__(self, state: SandboxState, every_seconds: float, now: Callable[[], dt.datetime]) -> None:
        self.state = state
        self.every = every_seconds
        self.now = now
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-activity", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.step()

    def step(self) -> str:
        """One event, chosen by the seeded generator; returns what happened."""
        with self.state.lock:
            roll = self.state.rng.random()
            if roll < 0.35:
                return self._new_ticket()
            if roll < 0.6:
                return self._customer_reply()
            if roll < 0.72:
                return self._colleague_solves()
            if roll < 0.77:
                return self._colleague_deletes()
            if roll < 0.82:
                return self._colleague_merges()
            if roll < 0.9:
                return self._colleague_moves()
            return self._incident_update()

    def _colleague(self) -> dict:
        # Never the demo's own agent: these are other people's changes.
        agents = [
            u
            for u in self.state.users.values()
            if u.get("role") in ("agent", "admin") and u.get("email") != AGENT_EMAIL
        ]
        return self.state.rng.choice(agents)

    def _colleague_solves(self) -> str:
        """A colleague solves a ticket: it leaves the unsolved views (and, later, search)."""
        candidates = [t for t in self.state.tickets.values() if t["status"] in ("new", "open", "pending", "hold")]
        if not candidates:
            return self._new_ticket()
        moment = self.now()
        ticket = self.state.rng.choice(sorted(candidates, key=lambda t: t["id"]))
        colleague = self._colleague()
        self.state.add_comment(
            ticket["id"],
            colleague["id"],
            "This should be sorted now; let us know if anything is still off.",
            True,
            moment,
        )
        ticket["status"] = "solved"
        ticket["assignee_id"] = ticket.get("assignee_id") or colleague["id"]
        metrics = self.state.metric_sets.setdefault(ticket["id"], {"ticket_id": ticket["id"]})
        metrics.update(
            {"status_updated_at": iso(moment), "solved_at": iso(moment), "latest_comment_added_at": iso(moment)}
        )
        self.state.touch(ticket, moment)
        return f"colleague solved {ticket['id']}"

    def _colleague_deletes(self) -> str:
        """A colleague deletes a spam ticket: it shows in deleted_tickets and leaves views."""
        candidates = [t for t in self.state.tickets.values() if t["status"] in ("new", "open")]
        if not candidates:
            return self._new_ticket()
        ticket = self.state.rng.choice(sorted(candidates, key=lambda t: t["id"]))
        self.state.delete_ticket(ticket["id"], self._colleague(), self.now())
        return f"colleague deleted {ticket['id']}"

    def _colleague_merges(self) -> str:
        """A colleague merges a duplicate into another ticket: the duplicate is closed, which
        no unsolved view shows, without ever being "solved"."""
        candidates = sorted(
            (t for t in self.state.tickets.values() if t["status"] in ("new", "open", "pending", "hold")),
            key=lambda t: t["id"],
        )
        if len(candidates) < 2:
            return self._new_ticket()
        source, target = self.state.rng.sample(candidates, 2)
        self.state.merge_tickets(target["id"], [source["id"]], self._colleague(), self.now())
        return f"colleague merged {source['id']} into {target['id']}"

    def _colleague_moves(self) -> str:
        """A colleague moves a ticket to another group: out of reach of agents restricted to
        their groups, whose views drop it without it changing for them."""
        candidates = sorted(
            (t for t in self.state.tickets.values() if t["status"] in ("new", "open", "pending", "hold")),
            key=lambda t: t["id"],
        )
        groups = sorted(self.state.groups)
        if not candidates or len(groups) < 2:
            return self._new_ticket()
        ticket = self.state.rng.choice(candidates)
        ticket["group_id"] = self.state.rng.choice([g for g in groups if g != ticket.get("group_id")])
        self.state.touch(ticket, self.now())
        return f"colleague moved {ticket['id']} to group {ticket['group_id']}"

    def _customer(self) -> dict:
        customers = [u for u in self.state.users.values() if u.get("role") == "end-user"]
        return self.state.rng.choice(customers)

    def _new_ticket(self) -> str:
        """A customer writes in: created as `POST /api/v2/tickets` creates one."""
        requester = self._customer()
        group, subject, body = self.state.rng.choice(TOPICS)
        support = next((g["id"] for g in self.state.groups.values() if g["name"] == "Support"), None)
        fields = {
            "subject": subject,
            "priority": "normal",
            "type": "question",
            "group_id": support,
            "tags": [group.lower().split(" ")[0]],
        }
        ticket = self.state.create_ticket(fields, requester, requester, body, self.now())
        return f"new ticket {ticket['id']}"

    def _customer_reply(self) -> str:
        moment = self.now()
        candidates = [t for t in self.state.tickets.values() if t["status"] in ("open", "pending")]
        if not candidates:
            return self._new_ticket()
        ticket = self.state.rng.choice(candidates)
        self.state.add_comment(
            ticket["id"], ticket["requester_id"], "Any update on this? It's still happening for us.", True, moment
        )
        ticket["status"] = "open"
        metrics = self.state.metric_sets.setdefault(ticket["id"], {"ticket_id": ticket["id"]})
        metrics.update(
            {
                "requester_updated_at": iso(moment),
                "status_updated_at": iso(moment),
                "latest_comment_added_at": iso(moment),
            }
        )
        self.state.touch(ticket, moment)
        return f"customer replied on {ticket['id']}"

    def _incident_update(self) -> str:
        live = [i for i in self.state.incidents.values() if i["incident_status"]["category"] in ("live", "triage")]
        if not live:
            return self._new_ticket()
        incident = self.state.rng.choice(live)
        moment = self.now()
        self.state.incident_updates.append(
            {
                "id": f"01UPD{self.state.new_id()}",
                "incident_id": incident["id"],
                "message": "Still working on it; next update in 30 minutes.",
                "new_incident_status": incident["incident_status"],
                "new_severity": incident.get("severity"),
                "updater": None,
                "created_at": iso(moment),
                "next_update_in_minutes": 30,
            }
        )
        incident["updated_at"] = iso(moment)
        return f"incident update on {incident['reference']}"
