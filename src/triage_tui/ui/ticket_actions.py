"""The ticket keys: status, replies and notes, macros, escalation, incidents, conflicts.

They act on the queue's selection (the marked tickets, else the one under the cursor), so
they live on the screen that holds the queue: `MainScreen` is a `TicketScreen`. Each
multi-step action is one flow (a worker) awaiting its screens in turn: pick a macro, then
compose, then queue the writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.screen import Screen

from triage_tui.triage.incidents import incident_tag
from triage_tui.triage.macros import ChangeSet, changes_from_actions, render_placeholders
from triage_tui.ui.flows import composer, run_flow
from triage_tui.ui.safe import clean, plain
from triage_tui.ui.screens.confirm import Confirm
from triage_tui.ui.screens.conflict import ConflictScreen
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.widgets.queue import QueueTable

if TYPE_CHECKING:
    from triage_tui.models.zendesk import Macro
    from triage_tui.ui.context import Context

GREETING = "Hey {{ticket.requester.first_name | default: 'there'}},\n\n"
ESCALATION_TEMPLATE = "Found: \nNeeded: \nCustomer plan: "


def _plural(count: int) -> str:
    return f"{count} ticket{'s' if count != 1 else ''}"


class TicketScreen(Screen):
    """A screen with a queue whose selected tickets the ticket keys act on."""

    context: Context

    def refresh_queue(self, keep_id: int | None = None) -> None:
        """Redraw the queue (the marks of queued writes change): the subclass draws."""

    def refresh_detail(self) -> None:
        """Redraw the selected ticket's detail: the subclass draws."""

    # -- the selection -----------------------------------------------------------------
    def _need_tickets(self) -> list[dict] | None:
        tickets = self.context.reads.tickets(self.query_one(QueueTable).selected_ids())
        if not tickets:
            self.notify("No ticket selected.", severity="warning")
            return None
        return tickets

    def _queue_writes(self, tickets: list[dict], change: ChangeSet, summary: str) -> None:
        for ticket in tickets:
            self.context.writes.update_ticket(ticket, change, f"#{ticket['id']}: {summary}")
        self.query_one(QueueTable).marked.clear()
        self.notify(f"Queued: {summary} ({_plural(len(tickets))})", markup=False)
        self.context.kick()
        self.refresh_queue()
        self.refresh_detail()

    # -- status --------------------------------------------------------------------------
    async def action_set_open(self) -> None:
        if tickets := self._need_tickets():
            await run_flow(self, self._confirm_status(tickets, "open"), "set status Open")

    async def action_solve(self) -> None:
        if tickets := self._need_tickets():
            await run_flow(self, self._confirm_status(tickets, "solved"), "set status Solved")

    async def _confirm_status(self, tickets: list[dict], status: str) -> None:
        label = {"open": "Open", "solved": "Solved"}[status]
        body = Text()
        body.append(f"Set {_plural(len(tickets))} to {label}:\n")
        for ticket in tickets[:10]:
            body.append(f"  #{ticket['id']} ")
            body.append_text(plain(ticket.get("subject"), limit=80))
            body.append("\n")
        if status == "solved":
            body.append("\nThe customer can reopen within 20 days; a CSAT survey follows after 3 days.", style="dim")
        if await self.app.push_screen_wait(Confirm(f"Set status {label}?", body)):
            self._queue_writes(tickets, ChangeSet(status=status), f"status {label}")

    async def action_pending(self) -> None:
        await self._reply_with_status("pending", "Pending: reply and wait for the customer (auto-solves after 7 days)")

    async def action_hold(self) -> None:
        await self._reply_with_status("hold", "On-hold: tell the customer why (use sparingly)")

    async def _reply_with_status(self, status: str, title: str) -> None:
        if tickets := self._need_tickets():
            await run_flow(
                self, self._compose_flow(tickets, public=True, change=ChangeSet(status=status), title=title), title
            )

    def action_assign_me(self) -> None:
        if tickets := self._need_tickets():
            self._queue_writes(tickets, ChangeSet(assign_to_me=True), "assign to me")

    # -- replies, notes, macros ---------------------------------------------------------
    async def action_reply(self) -> None:
        if tickets := self._need_tickets():
            await run_flow(self, self._compose_flow(tickets, public=True, change=ChangeSet(), title="Reply"), "reply")

    async def action_note(self) -> None:
        if tickets := self._need_tickets():
            await run_flow(
                self, self._compose_flow(tickets, public=False, change=ChangeSet(), title="Internal note"), "note"
            )

    async def _compose_flow(
        self, tickets: list[dict], *, public: bool, change: ChangeSet, title: str, text: str | None = None
    ) -> None:
        """The composer for the selected ticket(s); on send, one write per ticket."""
        first, reads = tickets[0], self.context.reads
        single = len(tickets) == 1
        if text is None:
            draft = reads.draft(first["id"], "reply" if public else "note") if single else ""
            greeting = render_placeholders(GREETING, self.context.workspace.placeholders(first)) if public else ""
            text = draft or greeting
        subject = clean(first.get("subject"), limit=60)
        heading = f"{title} · #{first['id']} {subject}" if single else f"{title} · {len(tickets)} marked tickets"

        def save_draft(value: str, is_public: bool) -> None:
            if single:
                reads.save_draft(first["id"], "reply" if is_public else "note", value)

        async def pick_macro() -> tuple[str, ChangeSet] | None:
            return await self._pick_macro(first)

        screen = composer().Composer(
            title=heading,
            public=public,
            text=text,
            change=change,
            describe=self._describe(first),
            save_draft=save_draft,
            pick_macro=pick_macro,
        )
        result = await self.app.push_screen_wait(screen)
        if result is not None:
            kind = "reply" if result.public else "note"
            self._queue_writes(
                tickets, result.change, kind + (f" + {result.change.status}" if result.change.status else "")
            )

    def _describe(self, ticket: dict) -> Callable[[ChangeSet], list[str]]:
        me = self.context.reads.me().display
        groups = self.context.workspace.groups
        status, tags = ticket.get("status", ""), ticket.get("tags") or []
        return lambda change: change.describe(status=status, tags=tags, group_names=groups, me_name=me)

    def _macro_change(self, ticket: dict, macro: Macro) -> tuple[str, ChangeSet]:
        """A macro's text and changes for this ticket, placeholders filled."""
        actions = [a.model_dump() for a in macro.actions]
        change = changes_from_actions(actions, self.context.workspace.placeholders(ticket))
        return change.comment or "", change

    def _macro_preview(self, ticket: dict, macros: dict[str, Macro]) -> Callable[[str], Text]:
        describe = self._describe(ticket)

        def preview(key: str) -> Text:
            _, change = self._macro_change(ticket, macros[key])
            text = Text()
            for line in describe(change):
                text.append("• ")
                text.append_text(plain(line, limit=200))
                text.append("\n")
            if change.comment:
                text.append("\n")
                text.append_text(plain(change.comment, multiline=True, limit=4000))
            return text

        return preview

    async def _pick_macro(self, ticket: dict) -> tuple[str, ChangeSet] | None:
        """A macro from the picker (with a preview of what it changes): its text and changes."""
        macros = {str(m.id): m for m in self.context.workspace.macros()}
        if not macros:
            self.notify("No macros cached yet.", severity="warning")
            return None
        choices = [Choice(key, m.title) for key, m in sorted(macros.items(), key=lambda item: item[1].title.lower())]
        key = await self.app.push_screen_wait(FuzzyPicker("Macros", choices, self._macro_preview(ticket, macros)))
        return None if key is None else self._macro_change(ticket, macros[key])

    async def _compose_macro(self, tickets: list[dict], text: str, change: ChangeSet) -> None:
        await self._compose_flow(
            tickets, public=change.public, change=change.with_comment(None), title="Macro", text=text
        )

    async def action_macro(self) -> None:
        if tickets := self._need_tickets():
            await run_flow(self, self._macro_flow(tickets), "macro")

    async def _macro_flow(self, tickets: list[dict]) -> None:
        picked = await self._pick_macro(tickets[0])
        if picked is not None:
            await self._compose_macro(tickets, *picked)

    async def compose_macro(self, macro_id: int) -> None:
        """A macro chosen elsewhere (the palette): straight to the composer, actions staged."""
        if tickets := self._need_tickets():
            macro = next(m for m in self.context.workspace.macros() if m.id == macro_id)
            await run_flow(self, self._compose_macro(tickets, *self._macro_change(tickets[0], macro)), "macro")

    # -- escalation ------------------------------------------------------------------------
    async def action_escalate(self) -> None:
        if tickets := self._need_tickets():
            await run_flow(self, self._escalate(tickets), "escalate")

    async def _escalate(self, tickets: list[dict]) -> None:
        wanted = [name.lower() for name in self.context.config.zendesk.escalation_groups]
        groups = sorted(self.context.workspace.groups.items(), key=lambda g: (g[1].lower() not in wanted, g[1].lower()))
        choices = [Choice(str(gid), name, "team" if name.lower() in wanted else "") for gid, name in groups]
        key = await self.app.push_screen_wait(FuzzyPicker(f"Escalate {len(tickets)} ticket(s) to which team?", choices))
        if key is not None:
            await self._escalation_note(tickets, int(key))

    async def escalate_to(self, group_id: int) -> None:
        """The escalation note for the selected ticket(s): sets the group and the tag on send."""
        if tickets := self._need_tickets():
            await run_flow(self, self._escalation_note(tickets, group_id), "escalate")

    async def _escalation_note(self, tickets: list[dict], group_id: int) -> None:
        change = ChangeSet(group_id=group_id, add_tags=(self.context.config.zendesk.escalation_tag,))
        team = self.context.workspace.groups.get(group_id, group_id)
        title = f"Escalate to {team}: what you found, what is needed"
        await self._compose_flow(tickets, public=False, change=change, title=title, text=ESCALATION_TEMPLATE)

    # -- incidents ---------------------------------------------------------------------------
    async def action_attach_incident(self) -> None:
        if tickets := self._need_tickets():
            await run_flow(self, self._attach_flow(tickets), "attach to an incident")

    async def _attach_flow(self, tickets: list[dict]) -> None:
        incidents = self.context.workspace.incidents()
        if not incidents:
            self.notify("No live incidents.", markup=False)
            return
        choices = [Choice(i.id, f"{i.reference} {i.name}", i.incident_status.name) for i in incidents]
        key = await self.app.push_screen_wait(
            FuzzyPicker(f"Attach {len(tickets)} ticket(s) to which incident?", choices)
        )
        if key is None:
            return
        incident = next(i for i in incidents if i.id == key)
        for ticket in tickets:
            self.context.writes.attach_to_incident(ticket, incident.model_dump(mode="json"))
        self.query_one(QueueTable).marked.clear()
        tag = incident_tag(incident.reference)
        self.notify(f"Queued: {len(tickets)} ticket(s) tagged {tag} and attached", markup=False)
        self.context.kick()
        self.refresh_queue()

    # -- the outbox's conflicts and failures ------------------------------------------
    async def action_conflicts(self) -> None:
        problems = self.context.reads.problems()
        if not problems:
            self.notify("No conflicts or failed writes.", markup=False)
            return
        await run_flow(self, self._resolve(problems[0]), "resolve a conflict")

    async def _resolve(self, entry: dict) -> None:
        choice = await self.app.push_screen_wait(ConflictScreen(entry))
        if choice == "reapply":
            self.context.outbox.reapply(entry["id"])
            self.notify("Re-applied on top of the current version.", markup=False)
            self.context.kick()
        elif choice == "drop":
            self.context.outbox.drop(entry["id"])
            self.notify("Dropped your change; their version stays.", markup=False)
        self.refresh_queue()
        self.refresh_detail()
