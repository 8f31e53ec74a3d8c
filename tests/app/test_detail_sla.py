"""The detail's SLA line agrees with the queue and says where its number comes from."""

from __future__ import annotations

from triage_tui.ui.widgets.detail import _sla_text


async def test_the_sla_line_names_its_source_and_a_paused_clock_says_so(harness):
    app = harness.app()
    async with app.run_test(size=(80, 24)):
        workspace = app.workspace
        lines = {}
        for key, row in harness.engine.store.unsolved().items():
            detail = workspace.detail(int(key))
            if detail is None or detail.entry is None:
                continue
            lines[(row["status"], detail.entry.clock.from_zendesk)] = _sla_text(detail)
    paused = [text for (status, _), text in lines.items() if status in ("pending", "hold")]
    assert paused and all(text.startswith("paused (") for text in paused)
    assert any(text.endswith("· Zendesk") for (_, zendesk), text in lines.items() if zendesk)
    assert any(text.endswith("· handbook") for (_, zendesk), text in lines.items() if not zendesk)


async def test_n_says_why_this_ticket(harness):
    app = harness.app()
    said: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.main.notify = lambda message, **kw: said.append(message)
        await pilot.press("n")
        await pilot.pause()
    assert any("tier" in line and "breach" in line for line in said), said


async def test_the_reply_shows_what_the_customer_last_wrote(harness):
    """At 80x24 the composer covers the conversation: the customer's words stay in view."""
    from textual.widgets import Static

    from triage_tui.ui.screens.composer import Composer

    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        ticket_id = app.main.queue_table.current_id
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, Composer)
        shown = str(app.screen.query_one("#composer-customer").query_one(Static).render())
    comments = [c for c in harness.engine.store.comments(ticket_id)["items"] if c["public"]]
    ticket = harness.engine.store.ticket(ticket_id)
    latest = [c for c in comments if c["author_id"] == ticket["requester_id"]][-1]
    assert latest["plain_body"].strip().splitlines()[0] in shown
