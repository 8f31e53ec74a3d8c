"""The composer types exactly what was typed (issue 24). Keys are posted in one burst, as a
terminal delivers a paste, a fast typist or an SSH read: every key in one go, in order."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.widgets import TextArea

from tests.app.test_writes import NAMED, burst, up
from tests.waiting import until
from triage_tui.ui.screens.composer import Composer

MORE_NAMED = {"left": None, "ctrl+o": None, "ctrl+g": None, "ctrl+t": None}


def keys_burst(app, *keys: str) -> None:
    """`burst`, with the cursor keys and the composer's control keys named too."""
    for key in keys:
        if key in MORE_NAMED and key not in NAMED:
            app.post_message(events.Key(key, MORE_NAMED[key]))
        else:
            burst(app, key)


def notes_queued(app) -> list[str]:
    return [entry["payload"]["ticket"]["comment"]["body"] for entry in app.outbox.entries()]


async def test_keys_after_ctrl_s_move_the_queue_and_never_reach_the_note(harness):
    """`i`, text, then `ctrl+s j j` in one read sent '… note.jj': after ctrl+s the note is
    frozen, and j j move the queue's cursor as they would with the composer closed."""
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.queue_table
        start = table.cursor
        burst(app, "i", "Checked the logs, all good.", "ctrl+s", "j", "j")
        await until(pilot, lambda: app.outbox.entries() and table.cursor == start + 2, what="sent, then j j")
        assert app.screen is app.main
        assert notes_queued(app) == ["Checked the logs, all good."]
        assert not app.main.query(TextArea)


async def test_q_after_ctrl_s_quits_and_the_note_is_exactly_what_was_typed(harness):
    """`ctrl+s q` sent '…q' and did not quit."""
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, "i", "Escalated to Replay", "ctrl+s", "q")
        await until(pilot, lambda: not app.is_running, what="q quits")
    assert notes_queued(app) == ["Escalated to Replay"]


async def test_a_burst_with_backspaces_types_every_key_in_order(harness):
    """One read of `Space a b c BSpace BSpace X Y 1 … X Y 4` gave ` abcXY1 abcXY2 abcXY`:
    TextArea handles a bound key (backspace) only once it has bubbled to the App, after the
    characters behind it were already typed."""
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        await up(pilot, app, Composer)
        typed = []
        for n in range(1, 5):
            typed += [" abc", "backspace", "backspace", f"XY{n}"]
        burst(app, *typed)
        area = app.screen.query_one(TextArea)
        await until(pilot, lambda: area.text.endswith("XY4"), what="the whole burst typed")
        for _ in range(5):
            await pilot.pause()
        assert area.text == " aXY1 aXY2 aXY3 aXY4"


async def test_arrows_in_a_burst_move_the_cursor_before_the_next_letters(harness):
    """Cursor keys are bindings too: `ab left X` must give `aXb`."""
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        await up(pilot, app, Composer)
        keys_burst(app, "ab", "left", "X", "end", "!")
        area = app.screen.query_one(TextArea)
        await until(pilot, lambda: area.text.endswith("!"), what="the burst typed")
        assert area.text == "aXb!"


async def test_escalation_picker_enter_then_the_note_in_one_burst_reaches_the_note(harness):
    """`e replay enter` then the findings: enter chooses on what was typed before it, and
    the text after it lands in the note it opens, not in the closed picker."""
    from triage_tui.ui.screens.picker import FuzzyPicker

    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await up(pilot, app, FuzzyPicker)
        burst(app, "replay", "enter", "session 42 is empty")
        await up(pilot, app, Composer)
        area = app.screen.query_one(TextArea)
        await until(pilot, lambda: "session 42 is empty" in area.text, what="the findings typed")
        assert "Escalate to Replay" in str(app.screen.query_one("#composer-title").render())
        assert area.text.splitlines()[0] == "Found: session 42 is empty"


async def test_the_text_editor_ctrl_s_then_j_saves_what_was_typed_and_moves_the_queue(harness):
    """The handover editor sends on ctrl+s too: keys after it go to the queue."""
    from triage_tui.ui.screens.text_editor import TextEditor

    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.queue_table
        start = table.cursor
        await pilot.press("H")
        await up(pilot, app, TextEditor)
        area = app.screen.query_one(TextArea)
        burst(app, "Over to you.", "ctrl+s", "j")
        await until(pilot, lambda: app.screen is app.main and table.cursor == start + 1, what="saved, then j")
        saved = list((harness.directory.parent / "xdg_state_home").rglob("*.md"))
    assert [path.read_text() for path in saved] == [area.text]
    assert area.text.startswith("Over to you.*Support Hero handover from")


def fake_editor(tmp_path, body: str) -> str:
    """A small shell script set as $EDITOR: `body` runs with the file as $1."""
    script = tmp_path / "fake-editor"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o700)
    return str(script)


async def open_note_with(app, pilot, text: str):
    await pilot.press("i")
    await up(pilot, app, Composer)
    burst(app, text)
    area = app.screen.query_one(TextArea)
    await until(pilot, lambda: area.text == text, what="the draft typed")
    return area


async def test_ctrl_o_opens_the_draft_in_editor_and_takes_the_text_back(harness, tmp_path, monkeypatch):
    """As git does: $VISUAL, else $EDITOR, on a private temporary file (0600) removed after."""
    import tempfile

    seen = tmp_path / "seen"
    drafts = tmp_path / "tmp"
    drafts.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(drafts))
    monkeypatch.delenv("VISUAL", raising=False)
    editor = fake_editor(tmp_path, f'stat -c %a "$1" > {seen}; cp "$1" {seen}.text; echo "Added in the editor" >> "$1"')
    monkeypatch.setenv("EDITOR", editor)
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        area = await open_note_with(app, pilot, "First line")
        keys_burst(app, "ctrl+o")
        await until(pilot, lambda: "Added in the editor" in area.text, what="the edited text back")
        assert area.text == "First line\nAdded in the editor"
        assert app.focused is area
    assert seen.read_text().strip() == "600"  # private while it exists
    assert (tmp_path / "seen.text").read_text() == "First line\n"  # the draft as typed, a text file
    assert not list(drafts.iterdir())  # removed after


async def test_visual_wins_over_editor(harness, tmp_path, monkeypatch):
    monkeypatch.setenv("VISUAL", fake_editor(tmp_path, 'echo "from VISUAL" >> "$1"'))
    monkeypatch.setenv("EDITOR", "false")
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        area = await open_note_with(app, pilot, "Note")
        keys_burst(app, "ctrl+o")
        await until(pilot, lambda: "from VISUAL" in area.text, what="VISUAL used")


async def test_an_editor_that_fails_or_is_missing_leaves_the_draft_and_says_why(harness, tmp_path, monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        area = await open_note_with(app, pilot, "Keep me")
        for editor, said in (
            (fake_editor(tmp_path, 'echo "half" >> "$1"; exit 3'), "exited with 3"),
            (str(tmp_path / "no-such-editor"), "could not run"),
        ):
            monkeypatch.setenv("EDITOR", editor)
            keys_burst(app, "ctrl+o")

            def told(said: str = said) -> bool:
                return any(said in n.message for n in app._notifications)

            await until(pilot, told, what=f"told: {said}")
            messages = [n.message for n in app._notifications if said in n.message]
            assert len(messages) == 1 and "\n" not in messages[0] and "draft is unchanged" in messages[0]
            assert area.text == "Keep me"
            assert isinstance(app.screen, Composer)


async def test_ctrl_g_discards_the_draft_after_asking_and_reopening_starts_empty(harness):
    """escape keeps a draft; ctrl+g throws it away (it asks first when there is text)."""
    from triage_tui.ui.screens.confirm import Confirm

    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        ticket_id = app.queue_table.current_id
        await open_note_with(app, pilot, "Half a thought")
        burst(app, "escape")  # kept
        await up(pilot, app, type(app.main))
        assert app.context.reads.draft(ticket_id, "note") == "Half a thought"
        await pilot.press("i")
        await up(pilot, app, Composer)
        assert app.screen.query_one(TextArea).text == "Half a thought"  # reopened with the draft
        keys_burst(app, "ctrl+g")
        await up(pilot, app, Confirm)
        burst(app, "escape")  # no: back in the composer, nothing lost
        await up(pilot, app, Composer)
        assert app.screen.query_one(TextArea).text == "Half a thought"
        keys_burst(app, "ctrl+g")
        await up(pilot, app, Confirm)
        burst(app, "enter")
        await up(pilot, app, type(app.main))
        assert app.context.reads.draft(ticket_id, "note") == ""
        await pilot.press("i")
        await up(pilot, app, Composer)
        assert app.screen.query_one(TextArea).text == ""
        keys_burst(app, "ctrl+g", "j")  # an empty draft: closed at once, j moves the queue
        await up(pilot, app, type(app.main))
        await until(pilot, lambda: app.queue_table.current_id != ticket_id, what="j after ctrl+g")
    assert not app.outbox.entries()


async def test_help_scrolls_with_j_k_space_b_g_G(harness):
    """At 80x24 the help is six screens that only PgDn scrolled."""
    from textual.containers import VerticalScroll

    from triage_tui.ui.screens.help import HelpScreen

    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await up(pilot, app, HelpScreen)
        box = app.screen.query_one("#help-box", VerticalScroll)
        await until(pilot, lambda: box.max_scroll_y > box.size.height, what="the help is taller than a page")
        page = box.scrollable_content_region.height
        for keys_typed, wanted in (
            (["j", "j", "j"], lambda: 3),
            (["k"], lambda: 2),
            (["space"], lambda: 2 + page),
            (["b"], lambda: 2),
            (["G"], lambda: box.max_scroll_y),
            (["g"], lambda: 0),
        ):
            burst(app, *keys_typed)

            def scrolled(wanted: Callable[[], float] = wanted) -> bool:
                return box.scroll_y == wanted()

            await until(pilot, scrolled, what=f"{keys_typed} scrolls")
        assert isinstance(app.screen, HelpScreen)


async def test_the_key_bar_shows_the_keys_of_the_dialog_that_is_open(harness):
    """It showed the queue's keys (r Reply, s Solve) under the composer, help and pickers."""
    from triage_tui.ui.screens.help import HelpScreen
    from triage_tui.ui.screens.picker import FuzzyPicker
    from triage_tui.ui.widgets.keybar import KeyBar

    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.main.query_one(KeyBar).plain(), what="the key bar")
        bar = app.main.query_one(KeyBar)
        queue_keys = ("r Reply", "s Solve", "e Escalate")

        async def shows(*wanted: str) -> str:
            await until(pilot, lambda: all(w in str(bar.render()) for w in wanted), what=f"key bar: {wanted}")
            return str(bar.render())

        await shows(*queue_keys)
        for opener, screen, wanted in (
            ("i", Composer, ("ctrl+s Send", "escape Keep draft", "ctrl+g Discard", "ctrl+o $EDITOR")),
            ("question_mark", HelpScreen, ("space Page", "escape Close")),
            ("e", FuzzyPicker, ("enter Choose", "escape Cancel")),
        ):
            await pilot.press(opener)
            await up(pilot, app, screen)
            shown = await shows(*wanted)
            assert not any(key in shown for key in queue_keys), shown
            own = app.screen.query_one(KeyBar)  # the dialog's own, over the backdrop

            def own_bar(own: KeyBar = own, shown: str = shown) -> bool:
                return str(own.render()) == shown

            await until(pilot, own_bar, what="the dialog's own bar")
            burst(app, "escape")
            await up(pilot, app, type(app.main))
            await shows(*queue_keys)


async def test_the_impact_form_ctrl_s_hands_the_keys_after_it_to_the_macro_editor(harness):
    """The incident macro: the facts, ctrl+s, then the next keys belong to the macro text
    the form opens, not to the closed form."""
    from tests.app.test_incidents_and_sdk import open_incident
    from triage_tui.ui.screens.text_editor import ImpactForm, TextEditor

    app = harness.app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_incident(app, pilot, "INC-232")
        burst(app, "M")
        await up(pilot, app, ImpactForm)
        broken = app.screen.query_one("#impact-broken").value
        burst(app, " and exports", "ctrl+s", "Heads-up: ")
        await up(pilot, app, TextEditor)
        area = app.screen.query_one(TextArea)
        await until(pilot, lambda: area.text.startswith("Heads-up: "), what="the keys after ctrl+s in the editor")
        incident = next(i for i in app.context.workspace.incidents() if i.reference == "INC-232")
        assert app.context.reads.impact(incident.id).broken == broken + " and exports"


async def test_keys_after_a_confirm_reach_the_queue(harness):
    """`s enter j j` in one read: the solve is confirmed and j j move the queue. Before, the
    confirm dialog answered only once enter had bubbled to the App, so the j's behind it
    were handed to the dialog, which had no use for them, and were lost."""
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.queue_table
        start = table.cursor
        burst(app, "s", "enter", "j", "j")
        await until(pilot, lambda: app.outbox.entries() and table.cursor == start + 2, what="solved, then j j")
        assert app.screen is app.main


async def test_keys_after_discarding_a_draft_reach_the_queue(harness):
    """`ctrl+g y j` lost the j: the same for the composer's discard question."""
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        ticket_id = app.queue_table.current_id
        await open_note_with(app, pilot, "Half a thought")
        keys_burst(app, "ctrl+g", "y", "j")
        await until(pilot, lambda: app.queue_table.current_id != ticket_id, what="j after ctrl+g y")
        assert app.screen is app.main
        assert app.context.reads.draft(ticket_id, "note") == ""


async def test_keys_typed_right_after_question_mark_scroll_the_help_not_the_queue(harness):
    """`? G` in one read (a fast typist): G goes to the help that ? opened, as r then text
    goes to the composer; the queue's cursor stays where it was."""
    from textual.containers import VerticalScroll

    from triage_tui.ui.screens.help import HelpScreen

    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        row = app.queue_table.cursor
        app.post_message(events.Key("question_mark", "?"))  # then G, in the same read
        burst(app, "G")
        await up(pilot, app, HelpScreen)
        box = app.screen.query_one("#help-box", VerticalScroll)
        await until(pilot, lambda: box.max_scroll_y > 0 and box.scroll_y == box.max_scroll_y, what="G scrolls the help")
        assert app.queue_table.cursor == row
