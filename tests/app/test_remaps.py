"""Keys have one source: remap every binding id and no screen shows a stale key."""

from __future__ import annotations

import re

from textual.widgets import Input, Static

from tests.app.test_incidents_and_sdk import open_incident
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.ui import keys
from triage_tui.ui.screens.composer import Composer
from triage_tui.ui.screens.confirm import Confirm
from triage_tui.ui.screens.conflict import ConflictScreen
from triage_tui.ui.screens.help import HelpScreen
from triage_tui.ui.screens.text_editor import ImpactForm, TextEditor
from triage_tui.ui.widgets.detail import DetailPane
from triage_tui.ui.widgets.incidents import IncidentPane
from triage_tui.ui.widgets.status import StatusLine

SIZE = (160, 48)
# Every id to a key of its own, none of them a default: f1, f2, ...
REMAP = {binding_id: f"f{n}" for n, binding_id in enumerate(sorted(keys.binding_ids()), start=1)}
# How the defaults read in a hint: none of these may survive a remap.
STALE = re.compile(r"ctrl\+[a-z]|\bescape\b|\benter\b|j/k|space, b|press [A-Za-z]\b|: C\b|\b[A-Z] follows")


def text_of(widget: Static) -> str:
    return str(widget.render())


def assert_fresh(text: str, *binding_ids: str) -> None:
    assert not STALE.search(text), text
    for binding_id in binding_ids:
        assert re.search(rf"\b{REMAP[binding_id]}\b", text), (binding_id, text)


async def test_every_id_can_be_remapped_and_the_app_checks_the_same_ids():
    from triage_tui.ui.app import binding_ids

    assert binding_ids() == set(keys.BY_ID)
    assert {
        "composer.send",
        "editor.save",
        "impact.save",
        "picker.choose",
        "confirm.yes",
        "help.close",
    } <= binding_ids()


async def test_no_screen_shows_a_stale_key_after_a_remap(harness):
    app = harness.app(keys=REMAP)
    async with app.run_test(size=SIZE) as pilot:
        # `?` lists every id, the dialogs' ones too (such as composer.send), with its new key.
        await pilot.press(REMAP["app.help"])
        assert isinstance(app.screen, HelpScreen)
        shown = {binding_id: keys for keys, _, binding_id in app.screen.rows}
        assert shown == REMAP
        assert_fresh(text_of(app.screen.query(Static).last()), "help.close")
        await pilot.press(REMAP["help.close"])

        main = app.main
        await main.mount_side_panes()
        filter_box = main.query_one("#filter", Input)
        assert_fresh(filter_box.placeholder, "ticket.open", "queue.clear")

        # A conflict: the status line and the ticket's detail name the conflicts key.
        ticket_id = app.queue_table.current_id
        entry = main.context.writes.update_ticket(TicketRef.of(app.store.ticket(ticket_id)), _solve(), "status Solved")
        app.outbox.update(entry["id"], status="conflict", theirs={"status": "open"})
        main.refresh_queue()
        main.refresh_detail()
        await pilot.pause()
        assert_fresh(text_of(main.query_one(StatusLine)), "outbox.conflicts")
        assert_fresh(main.query_one(DetailPane).plain_text, "outbox.conflicts")

        await pilot.press(REMAP["ticket.reply"])
        assert isinstance(app.screen, Composer)
        assert_fresh(
            text_of(app.screen.query_one("#composer-hint", Static)),
            "composer.send",
            "composer.close",
            "composer.macro",
            "composer.toggle",
        )
        await pilot.press(REMAP["composer.close"])

        await pilot.press(REMAP["ticket.solve"])
        assert isinstance(app.screen, Confirm)
        assert_fresh(text_of(app.screen.query_one("#confirm-hint", Static)), "confirm.yes", "confirm.no")
        await pilot.press(REMAP["confirm.no"])

        await pilot.press(REMAP["outbox.conflicts"])
        assert isinstance(app.screen, ConflictScreen)
        assert_fresh(
            text_of(app.screen.query_one("#conflict-hint", Static)),
            "conflict.reapply",
            "conflict.drop",
            "conflict.later",
        )
        await pilot.press(REMAP["conflict.later"])

        await pilot.press(REMAP["app.handover"])
        assert isinstance(app.screen, TextEditor)
        assert_fresh(text_of(app.screen.query_one("#composer-hint", Static)), "editor.save", "editor.cancel")
        await pilot.press(REMAP["editor.cancel"])


async def test_the_incident_pane_names_its_remapped_keys(harness):
    app = harness.app(keys=REMAP)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(REMAP["app.mode_incidents"])
        await open_incident(app, pilot, "INC-232", mode_key=REMAP["app.mode_incidents"])
        pane = app.main.query_one(IncidentPane)
        assert_fresh(text_of(pane.query_one("#incident-detail", Static)), "incident.watch")
        await pilot.press(REMAP["incident.macro"])
        assert isinstance(app.screen, ImpactForm)
        assert_fresh(text_of(app.screen.query_one("#composer-hint", Static)), "impact.save", "impact.cancel")
        await pilot.press(REMAP["impact.cancel"])
        await pilot.press(REMAP["incident.follow_up"])
        assert isinstance(app.screen, TextEditor)
        assert_fresh(text_of(app.screen.query_one("#composer-hint", Static)), "editor.save", "editor.cancel")


def _solve():
    from triage_tui.triage.macros import ChangeSet

    return ChangeSet(status="solved")
