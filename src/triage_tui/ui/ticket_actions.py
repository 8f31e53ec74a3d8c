"""The ticket keys: status, replies and notes, macros, escalation, incidents, conflicts.

They act on the queue's selection (the marked tickets, else the one under the cursor), so
they live on the screen that holds the queue: `MainScreen` is a `TicketScreen`. Each
multi-step action is one flow (a worker) awaiting its screens in turn: pick a macro, then
compose, then queue the writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.screen import Screen

from triage_tui.presence import writer as colleague_writing
from triage_tui.store.errors import StoreUnavailable
from triage_tui.sync.writes import OutboxUnavailable
from triage_tui.triage.incidents import incident_tag
from triage_tui.triage.macros import ChangeSet, changes_from_actions, render_placeholders
from triage_tui.triage.sla import format_duration
from triage_tui.ui import keys
from triage_tui.ui.flows import composer, not_queued, queue_write, run_flow
from triage_tui.ui.safe import clean, plain
from triage_tui.ui.screens.confirm import Confirm
from triage_tui.ui.screens.conflict import ConflictScreen, Names
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.widgets.queue import QueueTable

if TYPE_CHECKING:
    from triage_tui.models.zendesk import Macro
    from triage_tui.read.entries import Row
    from triage_tui.ui.context import Context
    from triage_tui.ui.screens.composer import Composed

GREETING = "Hey {{ticket.requester.first_name | default: 'there'}},\n\n"
# What you found and what is needed are the engineer's; the rest the app knows, per ticket.
ESCALATION_TEMPLATE = (
    "Found: \n"
    "Needed: \n"
    "\n"
    "Customer: {{ticket.organization.name | default: 'no organization'}} "
    "({{ticket.plan | default: 'plan unknown'}})\n"
    "Ticket: {{ticket.link}}\n"
    "SLA: {{ticket.sla}}"
)
ESCALATION_FIELDS = ("Found:", "Needed:")
# The composer's title follows the status its staged actions set (a macro may change it).
STATUS_TITLES = {
    "pending": "Pending: reply and wait for the customer (auto-solves after 7 days)",
    "hold": "On-hold: tell the customer why (use sparingly)",
    "solved": "Reply and solve (the customer can reopen within 20 days)",
    "open": "Reply and set Open",
}


# Why `n` chose a ticket: the handbook tier, in words.
TIER_REASONS = {
    1: "Customer Success tagged the team",
    2: "escalated, High priority",
    3: "escalated, Normal priority",
    4: "nearing or past its SLA breach",
    5: "open, Low priority",
    6: "in the queue",
    7: "waiting on the customer",
}


def why_next(ticket_id: int, tier: int, seconds_to_breach: float | None, plan: str = "") -> str:
    """The toast for `n`: "#123: tier 2, escalated, High priority; 40m to breach (first in
    its tier by time to breach; nothing unassigned ranks above it)"."""
    if seconds_to_breach is None:
        clock = f"no SLA clock ({plan} plan)" if plan else "no SLA clock"
    elif seconds_to_breach < 0:
        clock = f"breached {format_duration(-seconds_to_breach)} ago"
    else:
        clock = f"{format_duration(seconds_to_breach)} to breach"
    reason = TIER_REASONS.get(tier, f"tier {tier}")
    return (
        f"#{ticket_id}: tier {tier}, {reason}; {clock} "
        "(tiers first, then closest to breach; nothing unassigned or yours awaiting a reply ranks above it)"
    )


def escalation_gaps(text: str) -> list[str]:
    """The escalation fields left empty ("Found:" with nothing after it before the next
    field): an untouched template is not sent."""
    lines = text.splitlines()
    gaps = []
    for field in ESCALATION_FIELDS:
        start = next((i for i, line in enumerate(lines) if line.strip().startswith(field)), None)
        if start is None:
            continue  # the engineer wrote the note their own way
        body = [lines[start].strip()[len(field) :]]
        for line in lines[start + 1 :]:
            if not line.strip() or any(line.strip().startswith(f) for f in ESCALATION_FIELDS):
                break
            body.append(line)
        if not re.sub(r"<[^>\n]*>", "", "".join(body)).strip():  # "<what you checked>" is untouched too
            gaps.append(field)
    return gaps


def _plural(count: int) -> str:
    return f"{count} ticket{'s' if count != 1 else ''}"


class TicketScreen(Screen):
    """A screen with a queue whose selected tickets the ticket keys act on."""

    context: Context
    composing: int | None = None  # the ticket whose reply or note is open: colleagues see "replying"

    def refresh_queue(self, keep_id: int | None = None) -> None:
        """Redraw the queue (the marks of queued writes change): the subclass draws."""

    def refresh_detail(self) -> None:
        """Redraw the selected ticket's detail: the subclass draws."""

    async def public_reply_allowed(self, tickets: list[dict]) -> bool:
        """Whether a public reply to these tickets may be written (the routing guards'
        hook, ui/guards.py; here: always)."""
        return True

    def public_reply_refused(self, tickets: list[dict]) -> str | None:
        """Why a public reply to these tickets is not sent now, or None (the guards' hook)."""
        return None

    def why_this_ticket(self, row: Row) -> str:
        """What `n` says of the ticket it chose (the hook for MainScreen.action_next_ticket)."""
        workspace = self.context.workspace
        counted = workspace.countdown(row)
        plan = workspace.plan_label(row.entry.plan) if row.entry.plan else ""
        return why_next(row.entry.id, row.tier, counted.seconds_to_breach, plan)

    # -- the selection -----------------------------------------------------------------
    def _need_tickets(self) -> list[dict] | None:
        tickets = self.context.reads.tickets(self.query_one(QueueTable).selected_ids())
        closed = [t for t in tickets if t.get("status") == "closed"]
        if closed:
            # Zendesk refuses any change to a closed ticket: say so now, not as a failed write.
            ids = ", ".join(f"#{t['id']}" for t in closed[:5])
            follow_up = keys.label(self.app, "ticket.follow_up")
            self.notify(
                f"{ids} closed: Zendesk allows no change ({follow_up} writes a follow-up ticket).",
                severity="warning",
                markup=False,
            )
            tickets = [t for t in tickets if t.get("status") != "closed"]
        if not tickets:
            if not closed:
                self.notify("No ticket selected.", severity="warning")
            return None
        return tickets

    @property
    def unsent_drafts(self) -> dict[tuple[int, str], str]:
        """Texts the cache could not keep (disk full, read-only): (ticket id, "reply" or
        "note") -> text, offered again when the composer next opens for that ticket."""
        try:
            return self._unsent_drafts
        except AttributeError:
            self._unsent_drafts: dict[tuple[int, str], str] = {}
            return self._unsent_drafts

    def _draft(self, ticket_id: int, kind: str) -> str:
        return self.unsent_drafts.get((ticket_id, kind)) or self.context.reads.draft(ticket_id, kind)

    def _save_draft(self, ticket_id: int, kind: str, text: str) -> None:
        try:
            kept = self.context.local.save_draft(ticket_id, kind, text)
        except StoreUnavailable:
            kept = False
        if kept or not text.strip():
            self.unsent_drafts.pop((ticket_id, kind), None)
        else:
            self.unsent_drafts[ticket_id, kind] = text

    def _after_queue(self, tickets: list[dict], summary: str) -> None:
        """The screen after writes were queued: marks cleared, the toast, a redraw."""
        self.query_one(QueueTable).marked.clear()
        self.notify(f"Queued: {summary} ({_plural(len(tickets))})", markup=False)
        self.context.kick()
        self.refresh_queue()
        self.refresh_detail()

    def _queue_writes(self, tickets: list[dict], change: ChangeSet, summary: str) -> None:
        """One change to every selected ticket: all queued, or none (and the reason shown)."""
        writes = self.context.writes

        def write() -> list[dict]:
            if len(tickets) == 1:
                return [writes.update_ticket(tickets[0], change, f"#{tickets[0]['id']}: {summary}")]
            return writes.update_tickets(tickets, change, summary)

        if queue_write(self, f"Not queued: {summary}", write):
            self._after_queue(tickets, summary)

    # -- status --------------------------------------------------------------------------
    async def action_set_open(self) -> None:
        if tickets := self._need_tickets():
            await run_flow(self, self._confirm_status(tickets, "open"), "set status Open")

    async def action_solve(self) -> None:
        if tickets := self._need_tickets():
            await run_flow(self, self._confirm_status(tickets, "solved"), "set status Solved")

    async def _confirm_status(self, tickets: list[dict], status: str) -> None:
        label = {"open": "Open", "solved": "Solved"}[status]
        already = [t for t in tickets if t.get("status") == status]
        if already:
            ids = ", ".join(f"#{t['id']}" for t in already[:5])
            self.notify(f"{ids} already {label}.", markup=False)
            tickets = [t for t in tickets if t.get("status") != status]
            if not tickets:
                return
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
            await run_flow(self, self._compose_flow(tickets, public=True, change=ChangeSet(), title=""), "reply")

    async def action_note(self) -> None:
        if tickets := self._need_tickets():
            await run_flow(self, self._compose_flow(tickets, public=False, change=ChangeSet(), title=""), "note")

    def _placeholders(self, ticket: dict) -> dict[str, str]:
        """The placeholders of one ticket: Zendesk's, plus what an escalation note states
        (plan, ticket link, SLA state)."""
        workspace = self.context.workspace
        values = dict(workspace.placeholders(ticket))
        base = self.context.config.zendesk.base_url()
        if base:
            values["ticket.link"] = f"{base}/agent/tickets/{ticket['id']}"
        else:
            values["ticket.link"] = f"#{ticket['id']}"
        entry = workspace.entries.get(ticket["id"])
        if entry is not None:
            if entry.plan:
                values["ticket.plan"] = workspace.plan_label(entry.plan)
            clock = entry.clock
            if clock.state == "idle":
                values["ticket.sla"] = "no SLA clock"
            elif clock.state == "paused":
                values["ticket.sla"] = "paused (pending or on-hold)"
            else:
                seconds = clock.seconds_to_breach(self.context.now(), workspace.calendar)
                if seconds is None:
                    values["ticket.sla"] = "no SLA clock"
                elif seconds < 0:
                    values["ticket.sla"] = f"breached {format_duration(-seconds)} ago (business hours)"
                else:
                    values["ticket.sla"] = f"{format_duration(seconds)} to breach (business hours)"
        return values

    async def _compose_flow(
        self,
        tickets: list[dict],
        *,
        public: bool,
        change: ChangeSet,
        title: str,
        text: str | None = None,
        check: Callable[[str], str | None] | None = None,
        cursor_after: str | None = None,
    ) -> None:
        """The composer for the selected ticket(s); on send, one write per ticket, each
        with its own placeholders rendered (all queued, or none).

        One ticket: the text is shown rendered. Several: the text keeps its placeholders
        and the composer shows what each ticket will receive. `check` may refuse the text
        (the composer stays open and says why)."""
        if public and not await self.public_reply_allowed(tickets):
            return  # a routing guard stopped it, or led to a note or an assignment instead
        first = tickets[0]
        single = len(tickets) == 1
        contexts = {t["id"]: self._placeholders(t) for t in tickets}  # once, not per keystroke
        if text is None:
            draft = self._draft(first["id"], "reply" if public else "note") if single else ""
            text = draft or (GREETING if public else "")
        if single:
            text = render_placeholders(text, contexts[first["id"]])
        subject = clean(first.get("subject"), limit=60)
        where = f"#{first['id']} {subject}" if single else f"{len(tickets)} marked tickets"

        def heading(staged: ChangeSet) -> str:
            base = STATUS_TITLES.get(staged.status or "", title) if staged.status else title
            return f"{base} · {where}" if base else where  # the badge already says reply or note

        def save_draft(value: str, is_public: bool) -> None:
            if single:
                self._save_draft(first["id"], "reply" if is_public else "note", value)

        async def pick_macro() -> tuple[str, ChangeSet] | None:
            return await self._pick_macro(first, keep_placeholders=not single)

        def render_each(value: str) -> list[tuple[str, str]]:
            return [(self._who(t), render_placeholders(value, contexts[t["id"]])) for t in tickets]

        def send(composed: Composed) -> str | None:
            problem = check(composed.text) if check is not None else None
            if not problem and composed.public:
                problem = self.public_reply_refused(tickets)
            if problem:
                return problem
            kind = "reply" if composed.public else "note"
            summary = kind + (f" + {composed.change.status}" if composed.change.status else "")
            each = [(t, self._for_ticket(composed.change, contexts[t["id"]])) for t in tickets]
            try:
                self.context.writes.update_each(each, summary)
            except OutboxUnavailable as error:
                for ticket, its in each:  # kept in memory, offered again per ticket
                    self.unsent_drafts[ticket["id"], kind] = its.comment or ""
                return not_queued(f"Not sent ({kind})", error)
            for ticket in tickets:
                self.unsent_drafts.pop((ticket["id"], kind), None)
            self._after_queue(tickets, summary)
            return None

        # A colleague writing on it already: said before the composer opens (no dialog, so
        # a burst like `r` + text still lands in the composer).
        for ticket in tickets:
            if writer := colleague_writing(self.context.workspace.store, ticket["id"]):
                self.notify(
                    f"#{ticket['id']}: {writer} (their reply may cross yours)", severity="warning", markup=False
                )
                break
        self.composing = first["id"] if single else None
        self.context.presence(self.composing, "replying" if public else "noting")
        screen = composer().Composer(
            title=heading,
            public=public,
            text=text,
            change=change,
            describe=self._describe(first),
            save_draft=save_draft,
            pick_macro=pick_macro,
            send=send,
            render_each=None if single else render_each,
            cursor_after=cursor_after,
            customer=self._customer_said(first) if single else None,
        )
        try:
            await self.app.push_screen_wait(screen)
        finally:
            self.composing = None
            self.context.presence(first["id"] if single else None, "viewing")

    def _customer_said(self, ticket: dict) -> str | None:
        """The requester's latest public message, to answer with it in view (the composer
        covers the conversation at 80x24)."""
        detail = self.context.workspace.detail(ticket["id"])
        if detail is None:
            return None
        said = [
            c
            for c in detail.comments or []
            if c.public and c.author_id == detail.ticket.requester_id and c.text.strip()
        ]
        text = said[-1].text if said else (detail.ticket.description or "")
        if not text.strip():
            return None
        name = detail.requester.display_name if detail.requester else "The customer"
        return f"{name}: {text.strip()}"

    def _who(self, ticket: dict) -> str:
        requester = self.context.workspace.user(ticket.get("requester_id"))
        name = (requester.name or requester.email or "") if requester else ""
        return f"#{ticket['id']} {clean(name, limit=30)}".rstrip()

    @staticmethod
    def _for_ticket(change: ChangeSet, context: dict[str, str]) -> ChangeSet:
        if change.comment is None:
            return change
        return change.with_comment(render_placeholders(change.comment, context))

    def _describe(self, ticket: dict) -> Callable[[ChangeSet], list[str]]:
        me = self.context.reads.me().display
        groups = self.context.workspace.groups
        status, tags = ticket.get("status", ""), ticket.get("tags") or []
        return lambda change: change.describe(status=status, tags=tags, group_names=groups, me_name=me)

    def _macro_change(self, ticket: dict, macro: Macro, *, keep_placeholders: bool = False) -> tuple[str, ChangeSet]:
        """A macro's text and changes for this ticket, placeholders filled (or kept, to be
        filled per ticket of a bulk action)."""
        actions = [a.model_dump() for a in macro.actions]
        context = None if keep_placeholders else self.context.workspace.placeholders(ticket)
        change = changes_from_actions(actions, context)
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

    async def _pick_macro(self, ticket: dict, *, keep_placeholders: bool = False) -> tuple[str, ChangeSet] | None:
        """A macro from the picker (with a preview of what it changes): its text and changes."""
        macros = {str(m.id): m for m in self.context.workspace.macros()}
        if not macros:
            self.notify("No macros cached yet.", severity="warning")
            return None
        # The macros suggested for this ticket first, best first; then all of them by title.
        hints = self.context.workspace.suggestions.for_ticket(ticket["id"])
        suggested = [str(m) for m, _ in (hints.macros if hints else []) if str(m) in macros]
        choices = [Choice(key, macros[key].title, "suggested") for key in suggested] + [
            Choice(key, m.title)
            for key, m in sorted(macros.items(), key=lambda item: item[1].title.lower())
            if key not in suggested
        ]
        key = await self.app.push_screen_wait(FuzzyPicker("Macros", choices, self._macro_preview(ticket, macros)))
        return None if key is None else self._macro_change(ticket, macros[key], keep_placeholders=keep_placeholders)

    async def _compose_macro(self, tickets: list[dict], text: str, change: ChangeSet) -> None:
        await self._compose_flow(
            tickets, public=change.public, change=change.with_comment(None), title="Macro", text=text
        )

    async def action_macro(self) -> None:
        if tickets := self._need_tickets():
            await run_flow(self, self._macro_flow(tickets), "macro")

    async def _macro_flow(self, tickets: list[dict]) -> None:
        picked = await self._pick_macro(tickets[0], keep_placeholders=len(tickets) > 1)
        if picked is not None:
            await self._compose_macro(tickets, *picked)

    async def compose_macro(self, macro_id: int) -> None:
        """A macro chosen elsewhere (the palette): straight to the composer, actions staged."""
        if tickets := self._need_tickets():
            macro = next(m for m in self.context.workspace.macros() if m.id == macro_id)
            picked = self._macro_change(tickets[0], macro, keep_placeholders=len(tickets) > 1)
            await run_flow(self, self._compose_macro(tickets, *picked), "macro")

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

        def check(text: str) -> str | None:
            gaps = escalation_gaps(text)
            if not gaps:
                return None
            return (
                f"Not sent: nothing under {' and '.join(gaps)} yet. Say what you found and what "
                f"{team} needs to do (the rest is filled in)."
            )

        await self._compose_flow(
            tickets,
            public=False,
            change=change,
            title=title,
            text=ESCALATION_TEMPLATE,
            check=check,
            cursor_after="Found:",
        )

    # -- bug reports and feature requests (issue 26) -------------------------------------------
    async def action_bug_report(self) -> None:
        tickets = self._need_tickets()
        if not tickets:
            return
        if len(tickets) > 1:
            self.notify("A bug report is from one ticket: unmark the others first.", severity="warning", markup=False)
            return
        from triage_tui.ui.flows_bugreport import bug_report_flow

        await run_flow(self, bug_report_flow(self, self.context, tickets[0]), "bug report")

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
        attach = self.context.writes.attach_many
        if not queue_write(
            self, f"Not attached to {incident.reference}", lambda: attach(tickets, incident.model_dump(mode="json"))
        ):
            return
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
        workspace = self.context.workspace

        def user_name(user_id: int) -> str | None:
            user = workspace.user(user_id)
            return user.display_name if user else None

        names = Names(workspace.groups, user_name)
        choice = await self.app.push_screen_wait(ConflictScreen(entry, names))
        if choice == "reapply":
            if queue_write(self, "Not re-applied", lambda: self.context.outbox.reapply(entry["id"]) or True) is None:
                return
            self.notify("Re-applied on top of the current version.", markup=False)
            self.context.kick()
        elif choice == "drop":
            if queue_write(self, "Not dropped", lambda: self.context.outbox.drop(entry["id"]) or True) is None:
                return
            self.notify("Dropped your change; their version stays.", markup=False)
        self.refresh_queue()
        self.refresh_detail()
