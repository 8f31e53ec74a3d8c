"""Colleagues on a ticket, as a copy fed by a team's relay shows them: the queue row, the
detail, `n` and the composer. The feed's part (NATS to the cache) is in test_relay.py;
here the cache holds what it wrote, and the app is told as a sync report tells it."""

from __future__ import annotations

import datetime as dt

from textual.widgets import TextArea

from tests.app.waiting import until
from triage_tui.relay.names import PRESENCE_STORE_KEY
from triage_tui.sync.requests import Presence
from triage_tui.ui.screens.composer import Composer
from triage_tui.ui.sync_bridge import SyncReported
from triage_tui.ui.widgets.detail import DetailPane

SIZE = (120, 40)
RELAY = {"url": "nats://127.0.0.1:4222"}


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def colleague_on(harness, ticket_id: int, name: str, doing: str, age: float = 0.0) -> None:
    at = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=age)).isoformat(timespec="seconds")
    board = harness.engine.store.get(PRESENCE_STORE_KEY) or {}
    board.setdefault(str(ticket_id), {})[f"copy-{name}"] = {"name": name, "doing": doing, "at": at}
    harness.engine.store.set(PRESENCE_STORE_KEY, board)


async def test_a_colleague_replying_shows_on_the_row_and_the_detail_and_n_passes_the_ticket_by(harness):
    app = harness.app(relay=RELAY)  # a copy of a team with a relay (the app here runs on its cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        chosen = app.queue_table.current_id
        colleague_on(harness, chosen, "Alex", "replying")
        colleague_on(harness, chosen, "Sam [bold]", "viewing")  # a name is text, never markup
        app.post_message(SyncReported([], [chosen], False))
        detail = app.main.query_one(DetailPane)
        await until(pilot, lambda: "Alex is replying" in detail.plain_text, what="the detail says it")
        assert "Alex is replying, Sam [bold] is viewing" in detail.plain_text
        row = next(r for r in app.queue_table.rows if r.entry.id == chosen)
        assert app.queue_table._cells(row)["subject"].startswith("[Alex is replying, Sam [bold] is viewing] ")

        await pilot.press("g", "n")
        assert app.queue_table.current_id != chosen  # a colleague is answering it: n takes the next


async def test_opening_the_composer_on_a_ticket_a_colleague_writes_on_says_so_first_and_is_announced(harness):
    app = harness.app(relay=RELAY)  # a copy of a team with a relay (the app here runs on its cache)
    async with app.run_test(size=SIZE) as pilot:
        ticket_id = app.queue_table.current_id
        colleague_on(harness, ticket_id, "Alex", "noting")
        colleague_on(harness, ticket_id + 1, "Old", "replying", age=120)  # aged out: not shown
        app.post_message(SyncReported([], [ticket_id], False))
        await pilot.press("r", *"On it")  # one burst: the warning does not eat the keys
        await until(pilot, lambda: isinstance(app.screen, Composer))
        await until(pilot, lambda: app.screen.query_one(TextArea).text.endswith("On it"))
        assert any(f"#{ticket_id}: Alex is writing a note" in t for t in toasts(app))
        asked = [request for request in app.requests._pending if isinstance(request, Presence)]
        assert asked[-1] == Presence(ticket_id, "replying")  # colleagues see this engineer replying
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, Composer))
        asked = [request for request in app.requests._pending if isinstance(request, Presence)]
        assert asked[-1] == Presence(ticket_id, "viewing")
        from triage_tui.presence import colleagues

        assert colleagues(app.workspace.store, ticket_id + 1) == []


async def test_without_a_relay_nothing_is_announced_and_rows_are_as_before(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        ticket_id = app.queue_table.current_id
        colleague_on(harness, ticket_id, "Alex", "replying")  # a stale entry from another set-up
        app.post_message(SyncReported([], [ticket_id], False))
        await pilot.press("j", "k", "r")
        await until(pilot, lambda: isinstance(app.screen, Composer))
        row = next(r for r in app.queue_table.rows if r.entry.id == ticket_id)
        assert not app.queue_table._cells(row)["subject"].startswith("[")
        assert not [request for request in app.requests._pending if isinstance(request, Presence)]
