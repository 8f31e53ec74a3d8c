"""The incident watch pane: live incidents, their updates and the tickets tagged with them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from triage_tui.ui.safe import plain
from triage_tui.ui.widgets.queue import age

if TYPE_CHECKING:  # models pull in pydantic, which start-up does without
    from triage_tui.models.incidentio import Incident, IncidentUpdate


class IncidentPane(Vertical):
    BINDINGS = [
        Binding("w", "app.incident_watch", "Raise hand", id="incident.watch", tooltip="Assign the Support Watcher role on this incident to me"),
        Binding("M", "app.incident_macro", "Macro", id="incident.macro", tooltip="Create or edit this incident's macro"),
        Binding("F", "app.incident_follow_up", "Follow up", id="incident.follow_up", tooltip="Reply to every ticket tagged with this incident"),
        Binding("H", "app.incident_handover", "Handover", id="incident.handover", tooltip="Write the Support Watcher handover"),
    ]

    class Selected(Message):
        def __init__(self, incident: Incident | None) -> None:
            super().__init__()
            self.incident = incident

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.incidents: list[Incident] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("Incident watch", style="bold"), id="incident-title")
        yield OptionList(id="incident-list")
        with VerticalScroll(id="incident-detail-scroll"):
            yield Static(id="incident-detail")

    @property
    def current(self) -> Incident | None:
        index = self.query_one(OptionList).highlighted
        return self.incidents[index] if index is not None and index < len(self.incidents) else None

    def set_incidents(self, incidents: list[Incident], watcher_role: str, now: dt.datetime, tagged: dict[str, int]) -> None:
        keep = self.current.id if self.current else None
        self.incidents = incidents
        options = self.query_one(OptionList)
        options.clear_options()
        for incident in incidents:
            prompt = Text()
            severity = incident.severity.name if incident.severity else "?"
            prompt.append(f"{incident.reference} ", style="bold")
            prompt.append(f"[{severity}] ", style="bold red" if severity in ("Critical", "Major") else "yellow")
            prompt.append_text(plain(incident.name, limit=120))
            prompt.append(f"\n  {incident.incident_status.name} · {age(incident.created_at, now)} · {tagged.get(incident.id, 0)} tickets", style="dim")
            if not incident.is_live:
                prompt.append("  ✓ resolved: F follows up its tickets", style="bold green")
            elif incident.assignee_of(watcher_role) is None:
                prompt.append("  ⚠ no support watcher", style="bold yellow")
            options.add_option(Option(prompt, id=incident.id))
        if not incidents:
            self.query_one("#incident-detail", Static).update(Text("No live incidents.", style="dim"))
            return
        index = next((i for i, inc in enumerate(incidents) if inc.id == keep), 0)
        options.highlighted = index

    def show_detail(self, incident: Incident, updates: list[IncidentUpdate], tickets: list[dict], watcher_role: str, status_page: str, now: dt.datetime) -> None:
        text = Text()
        text.append(f"{incident.reference} ", style="bold")
        text.append_text(plain(incident.name, "bold", limit=200))
        text.append("\n")
        lead = incident.lead()
        watcher = incident.assignee_of(watcher_role)
        text.append(f"Status: {incident.incident_status.name}  Severity: {incident.severity.name if incident.severity else '?'}  Age: {age(incident.created_at, now)}\n")
        text.append("Lead: ")
        text.append_text(plain(lead.name if lead else "none"))
        text.append("  Support Watcher: ")
        if watcher:
            text.append_text(plain(watcher.name or watcher.email))
        else:
            text.append("none: press w to raise your hand", style="bold yellow")
        text.append("\n")
        if incident.summary:
            text.append_text(plain(incident.summary, "italic", multiline=True, limit=2000))
            text.append("\n")
        text.append(f"Status page: {status_page}\n", style="dim")
        if incident.permalink:
            text.append_text(plain(f"incident.io: {incident.permalink}", "dim"))
            text.append("\n")
        text.append("\nUpdates\n", style="bold underline")
        for update in updates[:8]:
            text.append(f"{age(update.created_at, now):>8}  ", style="dim")
            if update.new_incident_status:
                text.append(f"[{update.new_incident_status.name}] ", style="bold")
            text.append_text(plain(update.message, limit=400))
            text.append("\n")
        if not updates:
            text.append("  none yet\n", style="dim")
        text.append(f"\nTagged tickets ({len(tickets)}), newest first\n", style="bold underline")
        for ticket in sorted(tickets, key=lambda t: t.get("created_at") or "", reverse=True)[:15]:
            text.append(f"  #{ticket['id']} ", style="bold")
            text.append(f"{ticket.get('status', '')[:7]:7} ", style="dim")
            text.append_text(plain(ticket.get("subject"), limit=100))
            text.append("\n")
        self.query_one("#incident-detail", Static).update(text)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Selected(self.current))
