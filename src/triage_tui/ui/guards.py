"""Routing guards on the ticket screen: a public reply to a legal or abusive ticket asks
first (the default is no: an internal note, or an assignment, instead); a community
question refuses public replies and `Q` opens the question; `$` adds the billing lead as a
follower of a billing ticket with an internal note."""

from __future__ import annotations

from triage_tui.triage.guards import BILLING_NOTE, ReplyGuard, flag_message, is_billing, reply_guard
from triage_tui.triage.macros import ChangeSet
from triage_tui.ui import keys
from triage_tui.ui.field_edits import FieldEditScreen
from triage_tui.ui.flows import run_flow
from triage_tui.ui.links import open_or_copy, ticket_url
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.ticket_flows.compose import compose
from triage_tui.ui.ticket_flows.selection import need_tickets
from triage_tui.ui.widgets.queue import QueueTable

NOTE, ASSIGN, REPLY = "note", "assign", "reply"


class GuardScreen(FieldEditScreen):
    """The routing guards' hooks of TicketScreen, and the `Q` and `$` keys."""

    @property
    def public_confirmed(self) -> set[int]:
        """Guarded tickets the engineer chose to answer publicly anyway (this session)."""
        try:
            return self._public_confirmed
        except AttributeError:
            self._public_confirmed: set[int] = set()
            return self._public_confirmed

    def _texts(self, ticket: dict) -> list[str]:
        texts = [str(ticket.get("subject") or ""), str(ticket.get("description") or "")]
        detail = self.context.workspace.detail(ticket["id"])
        if detail is not None:
            texts += [c.text for c in detail.comments or []]
        return texts

    def _guards(self, tickets: list[dict]) -> list[ReplyGuard]:
        found = (reply_guard(t["id"], t.get("tags") or [], self._texts(t)) for t in tickets)
        return [g for g in found if g is not None]

    def _refusal(self, guards: list[ReplyGuard]) -> str | None:
        refused = [g for g in guards if g.action == "refuse"]
        if not refused:
            return None
        opens = keys.label(self.app, "ticket.question")
        note = keys.label(self.app, "ticket.note")
        return (
            f"No public reply: #{refused[0].ticket_id} is {refused[0].reason} "
            f"({opens} opens the question, {note} writes the note)."
        )

    async def public_reply_allowed(self, tickets: list[dict]) -> bool:
        guards = self._guards(tickets)
        refusal = self._refusal(guards)
        if refusal:
            self.notify(refusal, severity="warning", markup=False, timeout=10)
            return False
        asked = [g for g in guards if g.action == "ask" and g.ticket_id not in self.public_confirmed]
        if any(is_billing(t.get("tags") or [], self._texts(t)) for t in tickets):
            billing = keys.label(self.app, "ticket.billing")
            self.notify(f"Billing: {billing} adds the billing lead as a follower, with an internal note.", markup=False)
        if not asked:
            return True
        first = asked[0]
        more = f" (and {len(asked) - 1} more)" if len(asked) > 1 else ""
        choice = await self.app.push_screen_wait(
            FuzzyPicker(
                f"#{first.ticket_id}{more} is {first.reason}. Reply publicly?",
                [
                    Choice(NOTE, "No: write an internal note to flag it"),
                    Choice(ASSIGN, "No: assign it to whoever takes it on"),
                    Choice(REPLY, "Yes: reply publicly anyway"),
                ],
            )
        )
        if choice == REPLY:
            self.public_confirmed.update(g.ticket_id for g in asked)
            return True
        if choice in (NOTE, ASSIGN):
            self._copy_flag_message(first, tickets)
        if choice == NOTE:
            await compose(self, tickets, public=False, change=ChangeSet(), title="Flag it: internal note")
        elif choice == ASSIGN:
            await self._edit_field(tickets, "assignee")
        return False

    def _copy_flag_message(self, guard: ReplyGuard, tickets: list[dict]) -> None:
        """The handbook's flag goes to people on Slack: the message, ready to paste (OSC 52)."""
        links = [ticket_url(self.context.config.zendesk, t["id"]) or f"#{t['id']}" for t in tickets]
        message = flag_message(guard, links)
        self.app.copy_to_clipboard(message)
        self.notify(f"Copied for Slack: {message}", markup=False, timeout=8)

    def public_reply_refused(self, tickets: list[dict]) -> str | None:
        guards = self._guards(tickets)
        refusal = self._refusal(guards)
        if refusal:
            return refusal
        asked = [g for g in guards if g.action == "ask" and g.ticket_id not in self.public_confirmed]
        if asked:
            reply = keys.label(self.app, "ticket.reply")
            return (
                f"Not sent: #{asked[0].ticket_id} is {asked[0].reason}. Send it as an internal note, "
                f"or press {reply} and choose to reply publicly anyway."
            )
        return None

    # -- Q: the community question's page ---------------------------------------------------
    def action_open_question(self) -> None:
        ticket_id = self.query_one(QueueTable).current_id
        ticket = self.context.reads.ticket(ticket_id) if ticket_id is not None else None
        guard = reply_guard(ticket["id"], ticket.get("tags") or [], self._texts(ticket)) if ticket else None
        if guard is None or guard.action != "refuse":
            self.notify("Not a community question.", markup=False)
        elif not guard.question_url:
            self.notify("A community question, but its link is not in the ticket: find it on /questions.", markup=False)
        else:
            open_or_copy(self, guard.question_url, "question's link")

    # -- B: billing lead as a follower, with an internal note ---------------------------------
    async def action_billing_follower(self) -> None:
        if tickets := need_tickets(self):
            await run_flow(self, self._billing_follower(tickets), "billing follower")

    async def _billing_follower(self, tickets: list[dict]) -> None:
        lead = self.context.config.zendesk.billing_lead
        if not lead:
            self.notify('No billing lead configured: set [zendesk] billing_lead = "email".', severity="warning")
            return
        await compose(
            self,
            tickets,
            public=False,
            change=ChangeSet(followers=(lead,)),
            title=f"Billing: {lead} follows; say what will eventually be needed",
            text=BILLING_NOTE.format(lead=lead),
            cursor_after="needed: ",
        )
