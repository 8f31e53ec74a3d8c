"""Every write says what the engineer meant (issue 12) and a confirmed write is never lost
(issue 14, the UI half). Each test asserts what reached the outbox and the sandbox, not
only the screen. Keys are posted in one burst, as a paste or an SSH client sends them,
once the screen they are typed into is up (text in the same read as the key that opens
it is the type-ahead item of issue 12, not covered here)."""

from __future__ import annotations

import shutil

import pytest
from textual import events
from textual.screen import Screen
from textual.widgets import Static, TextArea

from tests.conftest import Closing
from tests.helpers import Harness
from tests.reliability.machine import SmallDisk
from tests.waiting import until
from triage_tui.ui.screens.composer import Composer
from triage_tui.ui.screens.picker import FuzzyPicker
from triage_tui.ui.screens.text_editor import TextEditor
from triage_tui.ui.widgets.incidents import IncidentPane

SIZE = (160, 48)
SPECIAL = {" ": "space", "\n": "enter", "/": "slash"}


NAMED = {
    "space": " ",
    "enter": "\r",
    "tab": "\t",
    "escape": "\x1b",
    "down": None,
    "end": None,
    "ctrl+s": None,
    "ctrl+r": "\x12",
    "backspace": "\x7f",
}


def burst(app, *keys: str) -> None:
    """Post keys in one go, no pauses between them: named keys ("ctrl+s", "enter",
    "down") as one key each, any other string character by character."""
    for key in keys:
        if key in NAMED:
            app.post_message(events.Key(key, NAMED[key]))
            continue
        for char in key:
            app.post_message(events.Key(SPECIAL.get(char, char), char))


async def opened(pilot, app, key: str, screen: type[Screen]) -> None:
    await pilot.press(key)
    await up(pilot, app, screen, f"{key} opens {screen.__name__}")


async def up(pilot, app, screen: type[Screen], what: str = "") -> None:
    """Until `screen` is the active screen and mounted (its fields can be read)."""
    await until(pilot, lambda: isinstance(app.screen, screen) and app.screen.is_mounted, what=what or screen.__name__)


def first_name(app, ticket_id: int) -> str:
    ticket = app.context.reads.ticket(ticket_id)
    return app.context.workspace.user(ticket["requester_id"]).name.split(" ")[0]


def two_requesters(app) -> int:
    """The index of a queue row whose next row has a requester of another first name."""
    rows = app.queue_table.rows
    for index in range(len(rows) - 1):
        a, b = rows[index].entry.id, rows[index + 1].entry.id
        if first_name(app, a) != first_name(app, b):
            return index
    raise AssertionError("no two adjacent tickets with different requesters")


async def mark_two(app, pilot) -> list[int]:
    app.queue_table.cursor = two_requesters(app)
    await pilot.pause()
    await pilot.press("space", "space")
    marked = app.queue_table.selected_ids()
    assert len(marked) == 2
    return marked


# -- 1. bulk replies are N single replies ----------------------------------------------
async def test_bulk_hold_greets_each_requester_by_name_and_the_preview_shows_each(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        marked = await mark_two(app, pilot)
        names = {tid: first_name(app, tid) for tid in marked}
        await opened(pilot, app, "h", Composer)
        burst(app, "we are looking into it")
        await until(pilot, lambda: "looking into it" in app.screen.text)
        preview = str(app.screen.query_one("#composer-changes").render())
        for tid, name in names.items():
            assert f"#{tid}" in preview and f"Hey {name}," in preview
        assert "unfilled placeholders" not in preview
        burst(app, "ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, Composer))
    queued = harness.queued()
    assert sorted(e["payload"]["ticket_id"] for e in queued) == sorted(marked)
    await harness.send()
    for tid, name in names.items():
        body = harness.sandbox.state.comments[tid][-1]["body"]
        assert body.startswith(f"Hey {name},") and body.endswith("we are looking into it")
        assert harness.sandbox.state.tickets[tid]["status"] == "hold"


async def test_bulk_macro_fills_placeholders_per_ticket(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        marked = await mark_two(app, pilot)
        names = {tid: first_name(app, tid) for tid in marked}
        await opened(pilot, app, "m", FuzzyPicker)
        burst(app, "2fa removal confirmation")
        await pilot.pause()
        burst(app, "enter")
        await up(pilot, app, Composer)
        assert "{{ticket.requester.first_name" in app.screen.text  # filled per ticket on send
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, Composer))
    await harness.send()
    for tid, name in names.items():
        body = harness.sandbox.state.comments[tid][-1]["body"]
        assert body.startswith(f"Hey {name},") and f"ticket #{tid}," in body and "{{" not in body


# -- 2. F never tells customers a live incident is resolved -----------------------------
async def open_incident(app, pilot, reference: str) -> IncidentPane:
    await pilot.press("2")
    pane = app.main.query_one(IncidentPane)
    pane.query_one("#incident-list").highlighted = next(
        i for i, inc in enumerate(pane.incidents) if inc.reference == reference
    )
    await pilot.pause()
    return pane


async def test_F_on_a_live_incident_sends_an_update_in_its_real_state_never_resolved(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_incident(app, pilot, "INC-231")
        incident = pane.current
        assert incident is not None and incident.is_live
        status = incident.incident_status.name
        tagged = [t["id"] for t in app.context.workspace.tagged_tickets(incident) if t["status"] != "closed"]
        before = {tid: harness.sandbox.state.tickets[tid]["status"] for tid in tagged}
        await opened(pilot, app, "F", TextEditor)
        text = app.screen.query_one(TextArea).text
        assert "resolved" not in text.lower() and "not fixed yet" in text
        assert status in app.screen.title_text
        # Typing "resolved" into an update for a live incident is refused, the editor stays.
        app.screen.query_one(TextArea).insert("It has been resolved.")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, TextEditor) and harness.queued() == []
        app.screen.query_one(TextArea).load_text(text)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, TextEditor))
    await harness.send()
    assert tagged
    for tid in tagged:
        body = harness.sandbox.state.comments[tid][-1]["body"]
        assert "resolved" not in body.lower() and "not fixed yet" in body
        assert harness.sandbox.state.tickets[tid]["status"] == before[tid]  # not solved
    assert not [w for w in harness.writes() if w.get("kind") == "macro_delete" or "DELETE" in str(w)]


# -- 3. a confirmed write is never lost ----------------------------------------------------
@pytest.fixture
def disk(tmp_path):
    small = SmallDisk(tmp_path / "small", size="8m")
    yield small
    small.close()


async def test_a_reply_on_a_full_disk_stays_in_the_composer_and_goes_once_there_is_room(
    sandbox, disk, filled_cache, closing: Closing, monkeypatch
):
    """Reproduce by hand: the cache on a small tmpfs (`mount -t tmpfs -o size=8m tmpfs DIR`),
    fill it (`dd if=/dev/zero of=DIR/fill`), `r`, text, ctrl+s."""
    directory = disk.dir / "triage-tui"
    shutil.copytree(filled_cache, directory)
    harness = closing(Harness(sandbox, directory))
    app = harness.app()
    notes: list[tuple[str, str]] = []
    notify = app.notify

    def noted(message, severity="information", **kw):
        notes.append((str(message), severity))
        notify(message, severity=severity, **kw)

    monkeypatch.setattr(app, "notify", noted)
    async with app.run_test(size=SIZE) as pilot:
        ticket_id = app.queue_table.current_id
        with disk.full():
            await opened(pilot, app, "r", Composer)
            burst(app, "the fix ships today", "ctrl+s")
            await until(pilot, lambda: any(sev == "error" for _, sev in notes), what="the reason is shown")
            assert isinstance(app.screen, Composer)
            assert app.screen.text.endswith("the fix ships today")
            shown = str(app.screen.query_one("#composer-changes").render())
            assert "not queued" in shown and disk.full_reason in shown
            await pilot.press("escape")  # closing keeps it (in memory: the cache cannot)
            assert not isinstance(app.screen, Composer)
            await opened(pilot, app, "r", Composer)
            assert app.screen.text.endswith("the fix ships today")
        await pilot.press("ctrl+s")  # room again: queued once
        await until(pilot, lambda: not isinstance(app.screen, Composer))
    assert [e["payload"]["ticket_id"] for e in harness.queued()] == [ticket_id]
    await harness.send()
    bodies = [c["body"] for c in harness.sandbox.state.comments[ticket_id]]
    assert sum(b.endswith("the fix ships today") for b in bodies) == 1


async def test_status_and_attach_on_an_unavailable_outbox_say_why_without_a_traceback(harness):
    from triage_tui.sync.writes import OutboxUnavailable

    app = harness.app()
    notes: list[tuple[str, str]] = []
    app.notify = lambda message, severity="information", **kw: notes.append((str(message), severity))
    app.context.outbox.read_only_reason = "cache dir is read-only"
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "a")
        await until(pilot, lambda: notes, what="a message")
        burst(app, "s", "enter")  # the enter answers the dialog s opens (type-ahead of bindings works)
        await until(pilot, lambda: len(notes) >= 2, what="a second message")
        assert all(sev == "error" and "cache dir is read-only" in msg for msg, sev in notes)
        assert app.is_running
    with pytest.raises(OutboxUnavailable):
        app.context.writes.update_tickets([], None, "")
    assert harness.queued() == []


# -- 4. escalation notes: what the app knows is filled in; an untouched one is not sent ---
async def test_escalation_note_is_prefilled_and_an_untouched_template_is_refused(harness):
    app = harness.app()
    replay = next(g["id"] for g in harness.sandbox.state.groups.values() if g["name"] == "Replay")
    async with app.run_test(size=SIZE) as pilot:
        ticket_id = app.queue_table.current_id
        entry = app.context.workspace.entries[ticket_id]
        await opened(pilot, app, "e", FuzzyPicker)
        burst(app, "replay")
        await pilot.pause()
        burst(app, "enter")
        await up(pilot, app, Composer)
        text = app.screen.text
        assert f"/agent/tickets/{ticket_id}" in text and "SLA: " in text and "{{" not in text
        assert app.context.workspace.plan_label(entry.plan) in text
        burst(app, "ctrl+s")  # untouched: Found and Needed are empty
        await until(pilot, lambda: "Found:" in str(app.screen.query_one("#composer-changes").render()))
        assert isinstance(app.screen, Composer) and harness.queued() == []
        assert "Needed:" in str(app.screen.query_one("#composer-changes").render())
        # (a binding key like "down" in the middle of a burst is resolved by the app after
        # the characters behind it reach the text area: issue 12's type-ahead item)
        burst(app, "session replay drops frames")
        await pilot.press("down", "end")
        burst(app, "replay team to check the recorder", "ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, Composer))
    await harness.send()
    ticket = harness.sandbox.state.tickets[ticket_id]
    assert ticket["group_id"] == replay and "escalated" in ticket["tags"]
    note = harness.sandbox.state.comments[ticket_id][-1]
    assert note["public"] is False
    assert "Found: session replay drops frames" in note["body"]
    assert "Needed: replay team to check the recorder" in note["body"]
    assert f"/agent/tickets/{ticket_id}" in note["body"]


# -- 5. ctrl+t: no second greeting; the title follows the staged status -----------------
async def test_ctrl_t_does_not_greet_twice_and_the_title_follows_the_macro_status(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        ticket_id = app.queue_table.current_id
        await opened(pilot, app, "p", Composer)
        title = str(app.screen.query_one("#composer-title").render())
        assert "Pending" in title
        await pilot.press("ctrl+t")
        await up(pilot, app, FuzzyPicker)
        burst(app, "feature request logged")
        await pilot.pause()
        burst(app, "enter")
        await until(pilot, lambda: isinstance(app.screen, Composer) and "feature request" in app.screen.text)
        text = app.screen.text
        assert text.count("Hey ") == 1 and text.startswith("Hey ")
        title = str(app.screen.query_one("#composer-title").render())
        changes = str(app.screen.query_one("#composer-changes").render())
        assert "solve" in title and "Pending" not in title
        assert "-> Solved" in changes
        burst(app, "ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, Composer))
    await harness.send()
    body = harness.sandbox.state.comments[ticket_id][-1]["body"]
    assert body.count("Hey ") == 1 and "logged it as a feature request" in body
    assert harness.sandbox.state.tickets[ticket_id]["status"] == "solved"


# -- 6. the conflict screen names the person and the fields, with names, not ids ----------
async def test_the_conflict_screen_names_who_changed_which_fields(harness):
    import datetime as dt

    from tests.conftest import FROZEN_NOW
    from triage_tui.ui.screens.conflict import ConflictScreen

    state = harness.sandbox.state
    me = harness.engine.store.get("me")["id"]
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        ticket_id = app.queue_table.current_id
        colleague = next(u for u in state.users.values() if u["role"] == "agent" and u["id"] != me)
        groups = {g["id"]: g["name"] for g in state.groups.values()}
        with state.lock:  # a colleague moves it to another group first, through Zendesk
            theirs = state.tickets[ticket_id]
            before = theirs.get("group_id")
            after = next(gid for gid in groups if gid != before)
            theirs["group_id"] = after
            moment = FROZEN_NOW + dt.timedelta(minutes=5)
            state.touch(theirs, moment)
            state.audits.setdefault(ticket_id, []).append(
                {
                    "id": state.new_id(),
                    "ticket_id": ticket_id,
                    "author_id": colleague["id"],
                    "created_at": theirs["updated_at"],
                    "events": [
                        {
                            "id": state.new_id(),
                            "type": "Change",
                            "field_name": "group_id",
                            "value": after,
                            "previous_value": before,
                        }
                    ],
                }
            )
        burst(app, "s", "enter")
        await until(pilot, lambda: harness.queued(), what="the solve is queued")
        await harness.send()
        await pilot.press("C")
        await up(pilot, app, ConflictScreen)
        who = str(app.screen.query_one("#conflict-who").render())
        assert colleague["name"] in who and f"group {groups.get(before, 'none')} -> {groups[after]}" in who
        sides = "\n".join(str(w.render()) for w in app.screen.query(".conflict-side"))
        assert f"group: {groups[after]}" in sides and str(after) not in sides.replace(theirs["updated_at"], "")
        await pilot.press("r")
    await harness.send()
    assert state.tickets[ticket_id]["status"] == "solved" and state.tickets[ticket_id]["group_id"] == after


# -- 7. n: the handbook's next ticket, and why ------------------------------------------------
async def test_n_picks_by_tier_then_time_to_breach_and_says_why(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("G", "n")
        row = app.queue_table.current
        me = harness.engine.store.get("me")["id"]
        free = [r for r in app.queue_table.rows if r.entry.ticket.assignee_id in (None, me) and r.tier < 7]
        assert row.entry.id == free[0].entry.id  # tiers first, closest to breach first within one
        same_tier = [app.context.workspace.countdown(r).seconds_to_breach for r in free if r.tier == row.tier]
        known = [s for s in same_tier if s is not None]
        assert known == sorted(known)
        why = app.main.why_this_ticket(row)
        assert why.startswith(f"#{row.entry.id}: tier {row.tier}, ") and ("to breach" in why or "SLA" in why)


# -- issue 23: a uniform change to marked tickets is one bulk request ------------------------
async def test_marked_tickets_solved_go_as_one_bulk_request_and_a_failed_one_says_why_and_retries(harness):
    from triage_tui.ui.screens.conflict import ConflictScreen

    state = harness.sandbox.state
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        app.queue_table.cursor = 0
        await pilot.pause()
        burst(app, "space", "space", "space")
        await until(pilot, lambda: len(app.queue_table.selected_ids()) == 3, what="three marked")
        marked = app.queue_table.selected_ids()
        unlucky = marked[1]
        state.job_failures[unlucky] = "Ticket is being merged"
        burst(app, "s", "enter")
        await until(pilot, lambda: len(harness.queued()) == 3, what="the solves are queued")
        assert {e["kind"] for e in harness.queued()} == {"ticket_bulk"}
        await harness.send()
        bulk = [w for w in state.writes if str(w.get("path", "")).startswith("/api/v2/tickets/update_many")]
        assert [sorted(w["ids"]) for w in bulk] == [sorted(marked)]  # one request for the three
        await pilot.press("C")
        await up(pilot, app, ConflictScreen)
        assert f"Failed: #{unlucky}" in str(app.screen.query(Static).first().render())
        assert "Ticket is being merged" in str(app.screen.query_one("#conflict-who").render())
        await pilot.press("r")
    await harness.send()
    assert all(state.tickets[tid]["status"] == "solved" for tid in marked)
