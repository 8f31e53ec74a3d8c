"""Find any ticket in Zendesk from the keyboard (issue 15): `f`, or `/` when nothing cached
matches, or the palette; the answer is the queue's search view, where every ticket key
works; escape goes back to the queue as it was. Keys are posted as a terminal sends them:
a burst in one read (tests/app/test_writes.py: burst)."""

from __future__ import annotations

from tests.app.palette import palette_top
from tests.app.test_writes import burst
from tests.waiting import until
from triage_tui.read.search import SEARCH_VIEW
from triage_tui.ui.screens.composer import Composer
from triage_tui.ui.widgets.detail import DetailPane
from triage_tui.ui.widgets.status import StatusLine

SMALL = (80, 24)


def toasts(app) -> list[str]:
    """Every toast the app shows from now on (recorded, then shown as usual)."""
    said: list[str] = []
    notify = app.notify

    def record(message, **options):
        said.append(str(message))
        return notify(message, **options)

    app.notify = record
    return said


def status(app) -> str:
    return str(app.main.query_one(StatusLine).render())


def detail(app) -> str:
    return app.main.query_one(DetailPane).plain_text


def ticket_with(sandbox, status_name: str) -> dict:
    return next(t for t in sandbox.state.tickets.values() if t["status"] == status_name)


async def found(pilot, app, ticket_id: int) -> None:
    await until(
        pilot,
        lambda: app.main.view == SEARCH_VIEW and app.queue_table.current_id == ticket_id,
        what=f"#{ticket_id} found and under the cursor",
    )


async def test_f_and_a_burst_find_a_solved_ticket_and_show_it(live, sandbox):
    solved = ticket_with(sandbox, "solved")
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        burst(live, "f", str(solved["id"]), "enter")
        await found(pilot, live, solved["id"])
        await until(pilot, lambda: f"#{solved['id']}" in detail(live), what="the detail shows it")
        assert "Status: Solved" in detail(live)
        assert f"Zendesk: {solved['id']}" in status(live)
        assert [row.entry.id for row in live.queue_table.rows] == [solved["id"]]


async def test_a_filter_that_matches_nothing_cached_asks_zendesk_on_enter(live):
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        burst(live, "/", "zqxjv")
        await until(pilot, lambda: not live.queue_table.rows, what="nothing cached matches")
        await until(pilot, lambda: "none cached: enter searches Zendesk" in status(live))
        burst(live, "enter")
        await until(pilot, lambda: "nothing found for zqxjv" in status(live), what="Zendesk answered")
        assert live.main.view == SEARCH_VIEW
        assert live.main.filter_text == ""  # the box's text became the search
        assert "nothing found for zqxjv" in detail(live) and "escape: back to the queue" in detail(live)


async def test_escape_goes_back_to_the_queue_as_it_was(live, sandbox):
    solved = ticket_with(sandbox, "solved")
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        await pilot.press("V")
        view = live.main.view
        burst(live, "f", str(solved["id"]), "enter")
        await found(pilot, live, solved["id"])
        await until(pilot, lambda: live.focused is live.queue_table, what="the results have the keys")
        assert SEARCH_VIEW in live.context.workspace.view_names()
        await pilot.press("escape")
        await until(pilot, lambda: live.main.view == view, what=f"back to {view}, not {live.main.view}")
        assert SEARCH_VIEW not in live.context.workspace.view_names()
        assert solved["id"] not in [row.entry.id for row in live.queue_table.rows]


async def test_the_palette_offers_to_find_what_it_does_not_hold(live, sandbox):
    closed = ticket_with(sandbox, "closed")
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        await pilot.press("ctrl+p", *f"#{closed['id']}")
        await until(pilot, lambda: palette_top(live).startswith("Find in Zendesk: "))
        assert palette_top(live) == f"Find in Zendesk: #{closed['id']}  (solved too)"
        await pilot.press("enter")
        await found(pilot, live, closed["id"])


async def test_a_reply_to_a_closed_ticket_is_refused_at_once_not_queued(live, sandbox):
    closed = ticket_with(sandbox, "closed")
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        burst(live, "f", str(closed["id"]), "enter")
        await found(pilot, live, closed["id"])
        said = toasts(live)
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(live.screen, Composer)
        assert any("closed: Zendesk allows no change" in message for message in said)
        assert not live.outbox.entries()


async def test_a_solved_ticket_found_can_be_replied_to_which_reopens_it(live, sandbox):
    solved = ticket_with(sandbox, "solved")
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        burst(live, "f", str(solved["id"]), "enter")
        await found(pilot, live, solved["id"])
        burst(live, "i", "found it again", "ctrl+s")
        await until(
            pilot,
            lambda: any(c["body"] == "found it again" for c in sandbox.state.comments.get(solved["id"], [])),
            what="the note reached Zendesk",
        )


async def test_cache_only_mode_says_zendesk_is_not_asked(harness):
    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: app.main.side_panes_ready)
        view = app.main.view
        said = toasts(app)
        burst(app, "f", "anything", "enter")
        await until(pilot, lambda: any("Zendesk is not asked" in message for message in said))
        assert app.main.view == view


async def test_the_key_bar_says_what_enter_does_in_the_box(harness):
    from triage_tui.ui.widgets.keybar import KeyBar

    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: app.main.side_panes_ready)
        bar = app.main.query_one(KeyBar)
        burst(app, "f")
        await until(pilot, lambda: "enter Find in Zendesk" in bar.plain(), what="find: enter asks Zendesk")
        assert "escape Close" in bar.plain() and "Keep" not in bar.plain()
        # Apart: a terminal sends escape then "/" in one read as alt+/ anyway.
        burst(app, "escape")
        await until(pilot, lambda: not app.main.has_class("-filtering"), what="escape closed the box")
        burst(app, "/")
        await until(pilot, lambda: "enter Keep" in bar.plain(), what="filter: enter keeps it")
        assert "Find in Zendesk" not in bar.plain()


async def test_f_from_the_incident_view_types_into_the_box_not_the_queue(live, sandbox):
    """Before, the incident view's mode change took the focus back after `f` opened the box:
    `abc` assigned the queue's ticket, an `s` asked to solve it."""
    async with live.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        for mode in ("2", "3"):
            await pilot.press(mode)
            burst(live, "f", "abc status:solved")
            await until(pilot, lambda: live.main.query_one("#filter").value == "abc status:solved")
            assert live.main.mode == "queue" and not live.outbox.entries()
            await pilot.press("escape")


async def test_escape_steps_back_from_the_conversation_to_the_results_then_to_the_ticket_you_left(live, sandbox):
    solved = ticket_with(sandbox, "solved")
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        await pilot.press("j", "j", "j")
        left_on = live.queue_table.current_id
        burst(live, "f", str(solved["id"]), "enter")
        await found(pilot, live, solved["id"])
        await pilot.press("enter")  # into the conversation
        await until(pilot, lambda: isinstance(live.focused, DetailPane))
        await pilot.press("escape")
        assert live.main.view == SEARCH_VIEW and live.focused is live.queue_table
        await pilot.press("escape")
        assert live.main.view != SEARCH_VIEW
        assert live.queue_table.current_id == left_on


async def test_the_filter_box_says_enter_finds_once_nothing_cached_matches(live, harness):
    from triage_tui.ui.widgets.keybar import KeyBar

    app = live
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: app.main.side_panes_ready)
        bar = app.main.query_one(KeyBar)
        burst(app, "/", "zq")
        await until(pilot, lambda: "enter Find in Zendesk" in bar.plain(), what="no cached match")
        burst(app, "backspace", "backspace")
        await until(pilot, lambda: "enter Keep" in bar.plain(), what="matches again")


async def test_in_cache_only_mode_enter_in_the_filter_keeps_it_as_it_says(harness):
    from triage_tui.ui.widgets.keybar import KeyBar

    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: app.main.side_panes_ready)
        burst(app, "/", "zq")
        await until(pilot, lambda: not app.queue_table.rows)
        assert "enter Keep" in app.main.query_one(KeyBar).plain()
        assert "searches Zendesk" not in status(app)


async def test_a_kept_filter_survives_the_find_box_and_the_search(live, sandbox):
    solved = ticket_with(sandbox, "solved")
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        burst(live, "/", "Hooli", "enter")
        await until(pilot, lambda: live.main.filter_text == "Hooli" and live.focused is live.queue_table)
        burst(live, "f")
        await until(pilot, lambda: live.main.has_class("-finding"))
        await pilot.press("escape")  # no search after all: the filter is as it was
        assert live.main.filter_text == "Hooli"
        burst(live, "f", str(solved["id"]), "enter")
        await found(pilot, live, solved["id"])
        assert live.main.filter_text == ""  # the results are not filtered by the queue's filter
        await pilot.press("escape")
        assert live.main.view != SEARCH_VIEW and live.main.filter_text == "Hooli"
        assert all("hooli" in row.entry.haystack for row in live.queue_table.rows)


async def test_the_same_words_searched_again_get_their_own_answer(live, sandbox):
    """Answers are matched to searches by number, not words: a retry is not answered by
    the failure of the search before it."""
    from triage_tui.sync.search_outcome import SearchOutcome

    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        workspace = live.context.workspace
        first = workspace.begin_search("acme")
        second = workspace.begin_search("acme")
        assert not workspace.finish_search(SearchOutcome("acme", first.number, error="timed out"))
        assert workspace.found is second and workspace.found.searching
        assert workspace.finish_search(SearchOutcome("acme", second.number, ids=[]))


async def test_a_search_out_when_sync_restarts_says_so_instead_of_searching_forever(live):
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        from triage_tui.sync.events import SyncEvent
        from triage_tui.ui.sync_bridge import SyncReported

        live.main.search_zendesk("anything at all")
        # What the sync bridge posts when the loop crashes (its tasks, the search's too, die).
        live.post_message(SyncReported(SyncEvent(lines=["sync stopped: boom"], crashed="RuntimeError: boom")))
        await until(pilot, lambda: "search failed: sync restarted" in status(live))


async def test_markup_typed_in_the_palette_or_in_a_subject_is_shown_as_typed(harness):
    """Before, `zz[/]` typed in the palette crashed the app (MarkupError) and a subject's
    `[@click=app.quit]` became a live link: titles are plain text now."""
    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: app.main.side_panes_ready)
        await pilot.press("ctrl+p", *"zz[/]")
        await until(pilot, lambda: palette_top(app) == "Find in Zendesk: zz[/]  (solved too)")
        await pilot.press("escape")
        entry = app.queue_table.rows[0].entry
        ticket = dict(app.store.ticket(entry.id))
        ticket["subject"] = "hello [@click=app.quit]click[/] world"
        ticket["updated_at"] = "2026-11-18T13:59:00Z"
        app.store.put_tickets([ticket])
        app.workspace.load()
        app.main.refresh_queue()
        await pilot.press("ctrl+p", *f"#{entry.id}")
        await until(pilot, lambda: palette_top(app).startswith(f"#{entry.id} hello [@click=app.quit]click[/] world"))
        assert app.is_running
