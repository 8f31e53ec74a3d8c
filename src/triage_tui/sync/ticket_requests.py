"""What the screen asks Zendesk for outside the polls: a "find in Zendesk" and its answer,
a ticket's conversation (and, beside it, the macros its audits say were applied)."""

from __future__ import annotations

from triage_tui.sources.errors import NotFound, SourceError
from triage_tui.sources.zendesk import TicketPage
from triage_tui.sync.poll_base import PollerBase, SyncReport, dump
from triage_tui.sync.search_outcome import SearchOutcome
from triage_tui.triage.search import RESULT_LIMIT, plan_search
from triage_tui.triage.suggest import MACRO_USES_KEY, applied_macros

AUDIT_BUDGET_SHARE = 0.5  # read audits for the hints only while the account has this much left


class TicketRequests(PollerBase):
    async def search(self, text: str, number: int = 0) -> SearchOutcome:
        """Find tickets in Zendesk, solved ones included: by id (fetched directly: search
        indexes late), requester email, organization, or words. The found tickets are read
        again through show_many, so what is shown is their state now, with SLA metrics."""
        plan = plan_search(text, self.store.names("org").values())
        outcome = SearchOutcome(text, number, plan.meaning if plan else "")
        if plan is None:
            return outcome

        async def work(report: SyncReport) -> None:
            client = self.clients.zendesk
            assert client is not None
            if plan.ticket_id is not None:
                order = [plan.ticket_id]
            else:
                assert plan.query is not None
                result = await client.search_tickets(plan.query, RESULT_LIMIT)
                self._save_people(result.found)
                self._skipped(report, result.found.skipped)
                order = [t.id for t in result.found.tickets]
                outcome.count = result.count
            page = await client.tickets_many(order, waited_on=True) if order else TicketPage([])
            self._save_people(page)
            self._skipped(report, page.skipped)
            fresh = {t.id for t in page.tickets}
            # Deleted since search indexed them (show_many leaves those out): not found.
            outcome.ids = [i for i in order if i in fresh]
            if plan.ticket_id is not None:
                outcome.count = len(outcome.ids)
            else:
                outcome.count -= len(order) - len(outcome.ids)  # the deleted ones are not "more"
            tickets = [self._keep_local_metrics(dump(t)) for t in page.tickets]
            outcome.changed = self.store.put_tickets(tickets, only_if_newer=True)

        # A refused query or an unreachable service is the search's answer, not the queue's
        # state: the status line keeps saying what the polls say.
        report = await self._guard("zendesk", work, status="none")
        outcome.error = report.error
        return outcome

    async def comments(self, ticket_id: int) -> SyncReport:
        """Fetch a ticket's conversation when it is opened, unless the cached one is current."""

        async def work(report: SyncReport) -> None:
            client = self.clients.zendesk
            assert client is not None  # _guard reports an unconfigured source
            ticket = self.store.ticket(ticket_id)
            cached = self.store.comments(ticket_id)
            if cached and ticket and cached.get("ticket_updated_at") == ticket.get("updated_at"):
                return
            try:
                items, skipped = await client.comments(ticket_id)
            except NotFound:
                # Deleted (or merged away) since the last deletions poll: it leaves the queue
                # now rather than at the next one, and the source is not "in error" for it.
                report.changed += self.store.put_tickets([{"id": ticket_id, "status": "deleted"}])
                return
            self._skipped(report, skipped)
            self.store.put_comments(ticket_id, ticket.get("updated_at") if ticket else None, [dump(c) for c in items])
            missing = {c.author_id for c in items if c.author_id and not self.store.record("user", c.author_id)}
            if missing:
                users, bad = await client.users_many(sorted(missing))
                self.store.put_records("user", [dump(u) for u in users])
                self._skipped(report, bad)
            await self._learn_macros(ticket_id)
            report.changed.append(ticket_id)

        return await self._guard("zendesk", work, status="errors")

    async def _learn_macros(self, ticket_id: int) -> None:
        """Which macros engineers applied to a ticket, from its audits: one more request,
        only beside a conversation fetched anyway, and only while the account has half its
        budget left this minute (the hints learn slowly rather than slow a team's polls)."""
        client = self.clients.zendesk
        assert client is not None
        if client.http.budget.share_left() < AUDIT_BUDGET_SHARE:
            return
        try:
            audits = await client.audits(ticket_id)
        except SourceError:
            return  # a hint is not worth an error on the status line
        applied = applied_macros(dump(a) for a in audits)
        uses = self.store.get(MACRO_USES_KEY) or {}
        if uses.get(str(ticket_id), []) != applied:
            if applied:
                uses[str(ticket_id)] = applied
            else:
                uses.pop(str(ticket_id), None)
            self.store.set(MACRO_USES_KEY, uses)
