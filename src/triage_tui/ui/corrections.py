"""Follow-ups and corrections: `N` writes a follow-up ticket of a closed one (Zendesk
refuses any change to a closed ticket), `O` moves the requester out of a temporary
free-email organization into their real one."""

from __future__ import annotations

from triage_tui.triage.corrections import follow_up_template, parse_follow_up, real_org_choices
from triage_tui.triage.flags import is_temp_org
from triage_tui.triage.guards import reply_guard
from triage_tui.ui import keys
from triage_tui.ui.flows import queue_write, run_flow, text_editor
from triage_tui.ui.safe import clean
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.ticket_actions import TicketScreen
from triage_tui.ui.widgets.queue import QueueTable


class CorrectionScreen(TicketScreen):
    """The ticket screen's follow-up (`N`) and requester move (`O`)."""

    def _current(self) -> dict | None:
        ticket_id = self.query_one(QueueTable).current_id
        ticket = self.context.reads.ticket(ticket_id) if ticket_id is not None else None
        if ticket is None:
            self.notify("No ticket selected.", severity="warning")
        return ticket

    # -- a follow-up of a closed ticket ------------------------------------------------------
    async def action_follow_up(self) -> None:
        ticket = self._current()
        if ticket is None:
            return
        if ticket.get("status") != "closed":
            reply = keys.label(self.app, "ticket.reply")
            self.notify(
                f"#{ticket['id']} is not closed: reply to it ({reply}); a follow-up is for closed tickets.",
                severity="warning",
                markup=False,
            )
            return
        await run_flow(self, self._follow_up(ticket), "follow-up")

    async def _follow_up(self, closed: dict) -> None:
        requester = self.context.workspace.user(closed.get("requester_id"))
        first = (requester.name or "").split(" ")[0] if requester else ""
        parsed: list[tuple[str, str]] = []

        def check(text: str) -> str | None:
            result = parse_follow_up(text)
            if isinstance(result, str):
                return result
            parsed.append(result)
            return None

        hint = keys.hint(self.app, ("editor.save", "create the follow-up"), ("editor.cancel", "cancel"))
        title = f"Follow-up of closed #{closed['id']}: subject on the first line, your public reply below"
        text = await self.app.push_screen_wait(
            text_editor().TextEditor(
                title,
                follow_up_template(clean(closed.get("subject"), limit=100), first),
                hint,
                check,
                cursor_at_end=True,
            )
        )
        if text is None or not parsed:
            return
        subject, body = parsed[-1]
        follow_up = self.context.writes.follow_up
        if queue_write(self, "Not queued", lambda: follow_up(closed, subject=subject, text=body, public=True)):
            self.notify(f"Queued: a follow-up of #{closed['id']} for its requester", markup=False)
            self.context.kick()

    # -- a requester out of a temporary organization --------------------------------------
    async def action_move_requester(self) -> None:
        ticket = self._current()
        if ticket is not None:
            await run_flow(self, self._move_requester(ticket), "move the requester")

    async def _move_requester(self, ticket: dict) -> None:
        store = self.context.reads.store
        user = store.record("user", ticket.get("requester_id"))
        if user is None:
            self.notify(f"#{ticket['id']}: its requester is not cached yet.", severity="warning", markup=False)
            return
        texts = [str(ticket.get("subject") or ""), str(ticket.get("description") or "")]
        guard = reply_guard(ticket["id"], ticket.get("tags") or [], texts)
        if guard is not None and guard.action == "refuse":
            # The handbook: assign the real org unless it is a community question ticket.
            self.notify(f"#{ticket['id']} is a community question: its asker keeps their org.", markup=False)
            return
        current = self.context.reads.org_name(user.get("organization_id"))
        if not is_temp_org(current):
            self.notify(
                f"{clean(user.get('name'), limit=40)} is in {clean(current, limit=40) or 'no organization'}, "
                "not a temporary one: nothing to move.",
                markup=False,
            )
            return
        choices = real_org_choices(store.all_records("org").values(), user.get("email"))
        picked = await self.app.push_screen_wait(
            FuzzyPicker(
                f"Move {clean(user.get('name'), limit=30)} out of {clean(current, limit=45)} into:",
                [Choice(str(c.id), c.name, c.hint) for c in choices],
            )
        )
        if picked is None:
            return
        org = next(c for c in choices if str(c.id) == picked)
        move = self.context.writes.move_requester
        if queue_write(self, "Not queued", lambda: move(user, {"id": org.id, "name": org.name})):
            self.notify(
                f"Queued: {clean(user.get('name'), limit=40)} moves to {clean(org.name, limit=60)}", markup=False
            )
            self.context.kick()
