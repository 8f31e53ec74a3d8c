"""The incident watch pane: live incidents, their updates and the tickets tagged with them,
and the Support Watcher's keys (w M F H), which act on the incident it shows."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.sync.writes import OutboxUnavailable
from triage_tui.targets import Target
from triage_tui.triage.handover import Update, custom_field_text, incident_handover
from triage_tui.triage.incidents import (
    follow_up_text,
    incident_macro,
    incident_tag,
    is_resolved,
    says_resolved,
    update_text,
)
from triage_tui.triage.macros import ChangeSet, render_placeholders
from triage_tui.ui import keys, words
from triage_tui.ui.flows import edit_until_valid, not_queued, queue_write, run_flow, save_handover, text_editor
from triage_tui.ui.links import open_or_copy
from triage_tui.ui.safe import clean, plain
from triage_tui.ui.widgets.queue import age

if TYPE_CHECKING:  # models pull in pydantic, which start-up does without
    from triage_tui.models.incidentio import Incident, IncidentUpdate
    from triage_tui.sync.events import SyncEvent
    from triage_tui.ui.context import Context


class IncidentPane(Vertical):
    ALLOW_MAXIMIZE = True  # z zooms the pane, list and detail together
    BINDINGS = keys.bindings(keys.INCIDENTS)

    class Written(Message):
        """Writes to tickets were queued: the queue's marks change."""

    def __init__(self, context: Context, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.incidents: list[Incident] = []
        self.watch_queued: set[str] = set()  # incidents where my Support Watcher role is queued

    def on_mount(self) -> None:
        self.context.reported.subscribe(self, self._synced)
        self.set_interval(60, self.reload)  # their ages ("45m ago") move on with no poll changing them

    def _synced(self, event: SyncEvent) -> None:
        # A queued watcher role turns from ↑ to confirmed when the outbox sends it.
        if event.incidents_changed or event.outbox_changed:
            self.reload()

    def compose(self) -> ComposeResult:
        yield Static(Text("Incident watch", style="bold"), id="incident-title")
        yield OptionList(id="incident-list")
        with VerticalScroll(id="incident-detail-scroll"):
            yield Static(id="incident-detail")

    @property
    def current(self) -> Incident | None:
        index = self.query_one(OptionList).highlighted
        return self.incidents[index] if index is not None and index < len(self.incidents) else None

    def set_incidents(
        self, incidents: list[Incident], watcher_role: str, now: dt.datetime, tagged: dict[str, int]
    ) -> None:
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
            status, since, count = (
                incident.incident_status.name,
                age(incident.created_at, now),
                tagged.get(incident.id, 0),
            )
            prompt.append(f"\n  {status} · {since} · {words.tickets(count)}", style="dim")
            if not incident.is_live:
                prompt.append(
                    f"  ✓ resolved: {keys.label(self.app, 'incident.follow_up')} follows up its tickets",
                    style="bold green",
                )
            elif incident.id in self.watch_queued:
                prompt.append("  ↑ you as Support Watcher (queued)", style="italic yellow")
            elif incident.assignee_of(watcher_role) is None:
                prompt.append("  ⚠ no support watcher", style="bold yellow")
            options.add_option(Option(prompt, id=incident.id))
        if not incidents:
            self.query_one("#incident-detail", Static).update(Text("No live incidents.", style="dim"))
            return
        index = next((i for i, inc in enumerate(incidents) if inc.id == keep), 0)
        options.highlighted = index

    def show_detail(
        self,
        incident: Incident,
        updates: list[IncidentUpdate],
        tickets: list[dict],
        watcher_role: str,
        status_page: str,
        now: dt.datetime,
    ) -> None:
        text = Text()
        text.append(f"{incident.reference} ", style="bold")
        text.append_text(plain(incident.name, "bold", limit=200))
        text.append("\n")
        lead = incident.lead()
        watcher = incident.assignee_of(watcher_role)
        severity = incident.severity.name if incident.severity else "?"
        text.append(
            f"Status: {incident.incident_status.name}  Severity: {severity}  Age: {age(incident.created_at, now)}\n"
        )
        text.append("Lead: ")
        text.append_text(plain(lead.name if lead else "none"))
        text.append("  Support Watcher: ")
        if incident.id in self.watch_queued:
            text.append("you ↑ (queued; confirmed when incident.io has it)", style="italic yellow")
        elif watcher:
            text.append_text(plain(watcher.name or watcher.email))
        else:
            text.append(f"none: press {keys.label(self.app, 'incident.watch')} to raise your hand", style="bold yellow")
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
        self.show_current()

    # -- reading the cache --------------------------------------------------------------
    def reload(self) -> None:
        """The incidents from the cache, with their tagged-ticket counts; the highlighted
        one's detail."""
        workspace, config = self.context.workspace, self.context.config
        incidents = workspace.incidents()
        # A raised hand shows at once, not at the next incident.io poll (16-45 s later).
        self.watch_queued = {
            i.id
            for i in incidents
            if any(e.get("kind") == "incident_role" for e in self.context.reads.unsent_for(Target.incident(i.id)))
        }
        tagged = {i.id: len(workspace.tagged_tickets(i)) for i in incidents}
        self.set_incidents(incidents, config.incidentio.watcher_role, self.context.now(), tagged)
        self.show_current()

    def show_current(self) -> None:
        incident = self.current
        if incident is None:
            return
        workspace, watch = self.context.workspace, self.context.config.incidentio
        updates = workspace.incident_updates(incident.id)
        tickets = workspace.tagged_tickets(incident)
        self.show_detail(incident, updates, tickets, watch.watcher_role, watch.status_page_url, self.context.now())

    def select(self, incident_id: str) -> None:
        for index, incident in enumerate(self.incidents):
            if incident.id == incident_id:
                self.query_one(OptionList).highlighted = index

    # -- the Support Watcher's keys -----------------------------------------------------
    def _chosen(self) -> Incident | None:
        if self.current is None:
            self.notify("No incident selected.", severity="warning")
        return self.current

    def action_incident_watch(self) -> None:
        """Raise my hand: the Support Watcher role on this incident, assigned to me."""
        incident = self._chosen()
        if incident is None:
            return
        context = self.context
        wanted = context.config.incidentio.watcher_role
        role = context.reads.role_named(wanted)
        if role is None:
            self.notify(f"incident.io has no role named {wanted!r}.", severity="error", markup=False)
            return
        email = context.reads.me().email or context.config.zendesk.email
        assign = context.writes.assign_role
        role_record = {"id": role.id, "name": role.name}
        if not queue_write(self, "Not queued", lambda: assign(incident.model_dump(mode="json"), role_record, email)):
            return
        self.notify(f"Queued: you are Support Watcher on {incident.reference}", markup=False)
        self.reload()
        context.kick()

    def action_incident_url(self) -> None:
        if (incident := self._chosen()) is not None:
            open_or_copy(self, incident.permalink, "incident.io link")

    async def action_incident_macro(self) -> None:
        if (incident := self._chosen()) is not None:
            await run_flow(self, self._incident_macro(incident), f"incident macro for {incident.reference}")

    async def _incident_macro(self, incident: Incident) -> None:
        """The impact form, then the macro text in the editor, then the macro's write."""
        context, app = self.context, self.app
        reads = context.reads
        editor = text_editor()
        saved = reads.impact(incident.id)
        title = f"Incident macro for {incident.reference}: the impact"
        impact = await app.push_screen_wait(editor.ImpactForm(title, saved.broken, saved.works, saved.degraded))
        if impact is None:
            return
        context.local.save_impact(incident.id, impact)
        template = (reads.incident_template() or {}).get("actions", [])
        status_page = context.config.incidentio.status_page_url
        body = incident_macro(template, incident.reference, incident.name, impact, status_page)["macro"]
        existing = reads.incident_macro(incident.reference)
        heading = f"{'Edit' if existing else 'New'} macro: {body['title']}"

        def send(final: str) -> dict | str:
            body["actions"][0]["value"] = final
            try:
                if existing:
                    return context.writes.update_macro(existing["id"], body)
                return context.writes.create_macro(body)
            except OutboxUnavailable as error:
                return not_queued("Macro not saved", error)

        text = body["actions"][0]["value"]
        if await edit_until_valid(self, heading, text, send, hint=self._editor_hint()) is None:
            return
        if existing:
            self.notify(f"Queued: update macro {clean(body['title'])}", markup=False)
        else:
            tag = incident_tag(incident.reference)
            self.notify(f"Queued: create macro {clean(body['title'])} (tag {tag})", markup=False)
        context.kick()

    def _editor_hint(self, save: str = "save") -> str:
        return keys.hint(self.app, ("editor.save", save), ("editor.cancel", "cancel"))

    async def action_incident_follow_up(self) -> None:
        if (incident := self._chosen()) is not None:
            await run_flow(self, self._follow_up(incident), f"follow up {incident.reference}")

    async def _follow_up(self, incident: Incident) -> None:
        """One reply to every ticket tagged with the incident. Resolved: the resolution
        reply, the tickets solved and the incident macro deleted. Not resolved: a progress
        update in the words of its real state; tickets and macro stay as they are."""
        context = self.context
        workspace = context.workspace
        tickets = [t for t in workspace.tagged_tickets(incident) if t.get("status") not in ("closed", "deleted")]
        status, category = incident.incident_status.name, incident.incident_status.category
        url = context.config.incidentio.status_page_url
        resolved = is_resolved(category)
        if resolved:
            macro = context.reads.incident_macro(incident.reference)
            text = follow_up_text(incident.reference, incident.name, url)
            hint = (
                f"This reply goes to {words.tickets(len(tickets), 'tagged')} (placeholders filled per ticket), "
                "then solved; "
            )
        else:
            macro = None
            text = update_text(incident.reference, incident.name, status, category, url)
            hint = (
                f"{incident.reference} is {status}, not resolved: this progress update goes to "
                f"{words.tickets(len(tickets), 'tagged')} (placeholders filled per ticket); their status and the "
                "incident macro stay; "
            )

        def send(final: str) -> list[dict] | str:
            if not resolved and says_resolved(final):
                return f"Not sent: {incident.reference} is {status}, not resolved; the text must not say it is."
            each = []
            for ticket in tickets:
                body = render_placeholders(final, workspace.placeholders(ticket))
                each.append(
                    (TicketRef.of(ticket), ChangeSet(comment=body, public=True, status="solved" if resolved else None))
                )
            summary = "incident follow-up" if resolved else f"incident update ({status})"
            try:
                return context.writes.incident_follow_up(each, summary, macro)
            except OutboxUnavailable as error:
                return not_queued("Follow-up not sent", error)

        title = f"Follow up {incident.reference}" if resolved else f"Update on {incident.reference} ({status})"
        if await edit_until_valid(self, title, text, send, hint=hint + self._editor_hint("send")) is None:
            return
        deleted = " and the incident macro deleted" if macro else ""
        what = "follow-up" if resolved else f"update ({status})"
        self.notify(f"Queued: {what} to {words.tickets(len(tickets))}{deleted}", markup=False)
        context.kick()
        self.post_message(self.Written())

    async def action_incident_handover(self) -> None:
        incident = self._chosen()
        if incident is None:
            return
        context = self.context
        workspace = context.workspace
        impact = context.reads.impact(incident.id)
        macro = context.reads.incident_macro(incident.reference)
        told = next((a["value"] for a in macro["actions"] if a["field"] == "comment_value"), None) if macro else None
        updates = sorted(workspace.incident_updates(incident.id), key=_newest_first)
        raw = next((i for i in context.reads.raw_incidents() if i.get("id") == incident.id), {})
        text = incident_handover(
            reference=incident.reference,
            name=incident.name,
            status=incident.incident_status.name,
            severity=incident.severity.name if incident.severity else None,
            broken=impact.broken,
            works=impact.works,
            # What the watcher wrote for the macro, else the incident's own field if it has one.
            degraded=impact.degraded or custom_field_text(raw.get("custom_field_entries") or [], "degraded"),
            tagged_tickets=len(workspace.tagged_tickets(incident)),
            macro_text=str(told) if told else None,
            summary=incident.summary,
            updates=[Update(u.created_at, u.message) for u in updates if u.message],
            now=context.now(),
        )
        flow = save_handover(
            self, f"Handover: {incident.reference}", text, f"handover-{incident.reference}", context.now
        )
        await run_flow(self, flow, f"handover of {incident.reference}")

    def action_list_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_list_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (getattr(self.app, "quitting", False) and action in keys.WORKSPACE_ACTIONS)


def _newest_first(update: IncidentUpdate) -> float:
    return -(update.created_at.timestamp() if update.created_at else 0.0)
