"""`C` on a write whose ticket was deleted meanwhile: says so and who, keeps the text to copy,
and `r` does not send it again into the same 404 (issue 24)."""

from __future__ import annotations

from textual.widgets import Static

from tests.waiting import until
from triage_tui.ui.screens.composer import Composer
from triage_tui.ui.screens.conflict import ConflictScreen

SIZE = (80, 24)
TEXT = "Here is the workaround: set persistence to memory."


def _shown(screen) -> str:
    return "\n".join(str(widget.render()) for widget in screen.query(Static))


async def test_a_write_to_a_deleted_ticket_is_not_a_conflict_and_keeps_the_text(harness):
    app = harness.app()
    copied: list[str] = []
    app.copy_to_clipboard = copied.append
    sandbox = harness.sandbox
    async with app.run_test(size=SIZE) as pilot:
        ticket_id = app.queue_table.current_id
        await pilot.press("r", *TEXT, "ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, Composer), what="the reply queued")
        with sandbox.state.lock:
            agents = [u for u in sandbox.state.users.values() if u.get("role") == "agent"]
            actor = next(u for u in agents if u["email"] != "agent@example.com")  # a colleague
            sandbox.state.delete_ticket(ticket_id, actor, sandbox.app.now())
        await harness.send()
        puts = sum(n for k, n in sandbox.state.requests.items() if k.startswith("zendesk PUT"))

        await pilot.press("C")
        await until(pilot, lambda: isinstance(app.screen, ConflictScreen), what="the problem shown")
        shown = _shown(app.screen)
        assert f"Ticket #{ticket_id} was deleted by {actor['name']}" in shown
        assert "Theirs" not in shown and "Someone changed" not in shown
        assert TEXT in shown

        await pilot.press("r")  # nothing to re-apply on: refused, the screen stays
        assert isinstance(app.screen, ConflictScreen)
        sent = harness.engine.outbox.entries(("failed",))[0]["payload"]["ticket"]["comment"]["body"]
        await pilot.press("c")
        assert copied == [sent] and sent.endswith(TEXT)  # the whole reply, greeting included
        await pilot.press("d")
        await until(pilot, lambda: not isinstance(app.screen, ConflictScreen), what="dropped")
    await harness.send()
    assert sum(n for k, n in sandbox.state.requests.items() if k.startswith("zendesk PUT")) == puts
    assert not harness.engine.outbox.entries(("pending", "sending", "failed", "conflict"))


def test_who_deleted_it_unknown_says_why():
    from triage_tui.ui.screens.conflict import Names, deleted_notice

    names = Names({}, lambda _id: None)
    refused = {"ticket_id": 7, "unknown": "GET /api/v2/deleted_tickets.json: not authorised (403)"}
    assert "may not list deleted tickets" in str(deleted_notice(refused, names))
    busy = {"ticket_id": 7, "unknown": "GET /api/v2/deleted_tickets.json: rate limited"}
    assert "did not answer" in str(deleted_notice(busy, names))
    assert "Ticket #7 was deleted." in str(deleted_notice({"ticket_id": 7}, names))


async def test_a_real_conflict_offers_to_copy_my_text_too(harness):
    entry = {
        "id": "x",
        "summary": "#1: reply",
        "payload": {"ticket_id": 1, "ticket": {"comment": {"body": "My long reply", "public": True}}},
        "theirs": {"status": "pending"},
        "their_changes": [],
    }
    app = harness.app()
    copied: list[str] = []
    app.copy_to_clipboard = copied.append
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ConflictScreen(entry))
        hint = lambda: str(app.screen.query_one("#conflict-hint").render())
        await until(pilot, lambda: "c copy my text" in hint(), what="the conflict's keys")
        await pilot.press("c")
        assert copied == ["My long reply"] and isinstance(app.screen, ConflictScreen)
