"""Command palette providers: tickets, groups (escalate), macros, incidents, views, actions."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from triage_tui.ui.safe import clean

ACTIONS = [
    ("Next ticket to take", "next_ticket"),
    ("Reply to the ticket", "reply"),
    ("Internal note", "note"),
    ("Solve the ticket", "solve"),
    ("Set Pending (with a reply)", "pending"),
    ("Set On-hold (with a reply)", "hold"),
    ("Escalate to a team", "escalate"),
    ("Assign to me", "assign_me"),
    ("Insert a macro", "macro"),
    ("Attach to an incident", "attach_incident"),
    ("Toggle the incident watch split", "toggle_incidents"),
    ("Incident watch, full screen", "mode('incidents')"),
    ("SDK rotation view", "mode('sdk')"),
    ("Back to the queue", "mode('queue')"),
    ("Resolve conflicts and failed writes", "conflicts"),
    ("Rotation handover note", "rotation_handover"),
    ("Sync now", "refresh"),
    ("Show the keys", "help"),
]


class CommandsProvider(Provider):
    """One provider for everything, so results rank against each other by the matcher."""

    def _commands(self) -> list[tuple[str, object, str]]:
        app = self.app
        commands: list[tuple[str, object, str]] = []
        for title, action in ACTIONS:
            commands.append((title, partial(app.run_action, action), "action"))
        for view, label in app.workspace.view_names().items():
            commands.append((f"View: {label}", partial(app.set_view, view), "queue view"))
        for row in app.queue_table.rows[:2000]:
            ticket = row.entry.ticket
            commands.append((f"#{ticket.id} {clean(ticket.title, limit=80)}", partial(self._goto, ticket.id), "open ticket"))
        for gid, name in app.workspace.groups.items():
            commands.append((f"Escalate to {clean(name, limit=60)}", partial(app.escalate_to, gid), "group"))
        for macro in app.workspace.macros():
            commands.append((f"Macro: {clean(macro.title, limit=80)}", partial(app.compose_macro, macro.id), "macro"))
        for incident in app.workspace.incidents():
            commands.append((f"{incident.reference} {clean(incident.name, limit=80)}", partial(self._show_incident, incident.id), "incident"))
        return commands

    def _goto(self, ticket_id: int) -> None:
        self.app.set_mode("queue")
        self.app.queue_table.move_to(ticket_id)

    async def _show_incident(self, incident_id: str) -> None:
        await self.app.action_mode("incidents")
        self.app.select_incident(incident_id)

    async def discover(self) -> Hits:
        for title, action in ACTIONS:
            yield DiscoveryHit(title, partial(self.app.run_action, action), help="action")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
