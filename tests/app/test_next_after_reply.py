"""Issue 24: after replying to the ticket `n` chose, `n` offers the next one. The ticket
stays Open, but our public reply is its latest word: the customer's turn. This holds at once
(the reply still in the outbox), once it is sent, and once Zendesk's answer is read again
(the sandbox says the reply metric is fulfilled, as Zendesk does). Keys come in bursts."""

from __future__ import annotations

from tests.app.test_writes import burst, up
from tests.waiting import until
from triage_tui.sync.events import SyncEvent
from triage_tui.ui.screens.composer import Composer
from triage_tui.ui.sync_bridge import SyncReported


async def test_n_after_replying_to_its_ticket_offers_another(harness, monkeypatch):
    app = harness.app()
    said: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        notify = app.main.notify

        def told(message, **kw):
            said.append(message)
            notify(message, **kw)

        monkeypatch.setattr(app.main, "notify", told)
        table = app.main.queue_table
        first = app.workspace.next_row(table.rows)
        assert first is not None
        burst(app, "n")
        await until(pilot, lambda: table.current_id == first.entry.id, what="n chose its ticket")
        burst(app, "r")
        await up(pilot, app, Composer)
        burst(app, "Found it: a fix ships today")
        await until(pilot, lambda: "a fix ships today" in app.screen.text)
        burst(app, "ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, Composer) and harness.queued(), what="reply queued")

        # At once: the reply has not left the outbox yet.
        burst(app, "n", "n")
        await until(pilot, lambda: table.current_id not in (None, first.entry.id), what="n moved on")
        second = table.current_id

        # Sent, its echo stored; then read again from Zendesk (show_many with its SLA).
        await harness.send()
        app.post_message(SyncReported(SyncEvent(changed_tickets=[first.entry.id], outbox_changed=True)))
        await pilot.pause()
        await next_again(pilot, app, said)
        assert table.current_id == second, "n after the send"
        page = await harness.engine.clients.zendesk.tickets_many([first.entry.id])
        harness.engine.store.put_tickets([page.tickets[0].model_dump(mode="json")])
        app.post_message(SyncReported(SyncEvent(changed_tickets=[first.entry.id])))
        await pilot.pause()
        await next_again(pilot, app, said)
        assert table.current_id == second, "n after Zendesk's answer"


async def next_again(pilot, app, said: list[str]) -> None:
    """Up to the replied ticket, then `n`, in one burst; until `n` has said why its ticket."""
    before = len(said)
    burst(app, "g", "n")
    await until(pilot, lambda: len(said) > before, what="n's toast")
