"""The handbook's handovers (issue 26, item 2): `H` on the queue writes the Support Hero's
(every tier 1-4 ticket of my groups, assigned or not, with its state and the last internal
note as the next step; what I did this rotation, from the outbox's sent history); `H` in
the SDK view writes the SDK rotation's for #support-client-libraries. Both are copied
(OSC 52) and saved."""

from __future__ import annotations

from textual.widgets import TextArea

from tests.app.test_writes import up
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage.macros import ChangeSet
from triage_tui.ui.screens.text_editor import TextEditor

SIZE = (80, 24)


async def test_hero_handover_lists_tiers_1_to_4_of_my_groups_with_next_steps_and_what_i_did(
    harness, tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    first = harness.app()
    first.context.workspace.load()
    support = next(gid for gid, name in first.context.workspace.groups.items() if name == "Support")
    mine = [r for r in first.context.workspace.rows("all") if r.tier <= 4 and r.entry.ticket.group_id == support]
    others = [r for r in first.context.workspace.rows("all") if r.tier <= 4 and r.entry.ticket.group_id != support]
    assert len(mine) >= 2 and others
    noted, replied = mine[0].entry.id, mine[1].entry.id
    writes = harness.engine.writes
    writes.update_ticket(
        TicketRef.of(harness.engine.store.ticket(noted)),
        ChangeSet(comment="Waiting on Replay's fix\nmore", public=False),
        "note",
    )
    writes.update_ticket(TicketRef.of(harness.engine.store.ticket(replied)), ChangeSet(comment="Hey, looking"), "reply")
    await harness.send()
    report = await harness.engine.engine.pollers.comments(noted)
    assert report.error is None

    app = harness.app()
    app.context.config = app.context.config.replace(zendesk=app.context.config.zendesk.replace(my_groups=["Support"]))
    copied: list[str] = []
    app.copy_to_clipboard = copied.append
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("H")
        await up(pilot, app, TextEditor, "H opens the handover")
        text = app.screen.query_one(TextArea).text
        rows = app.context.workspace.rows("all")
        await pilot.press("ctrl+s")
    # As the queue ranks them now (a reply may have taken a ticket out of tier 4).
    mine = [r for r in rows if r.tier <= 4 and r.entry.ticket.group_id == support]
    me = app.context.reads.me().id
    others = [
        r for r in rows if r.tier <= 4 and r.entry.ticket.group_id != support and r.entry.ticket.assignee_id != me
    ]
    assert mine and others  # tickets of other groups not mine are not handed over
    assert "Tiers 1-4 of Support: resolved, or passed to the next Support Hero" in text
    for row in mine:
        assert f"• #{row.entry.id} [" in text
    assert not any(f"• #{row.entry.id} [" in text for row in others)
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"• #{noted} ["))
    assert lines[at + 1] == "  next: Waiting on Replay's fix"
    assert f"• Replied (1): #{replied}" in text and f"• Internal notes (1): #{noted}" in text
    saved = list((tmp_path / "state" / "triage-tui").glob("handover-rotation-*.md"))
    assert saved and saved[0].read_text() == copied[0] == text


async def test_sdk_handover_lists_the_hero_label_issues_i_touched_and_those_waiting(harness):
    app = harness.app()
    app.context.workspace.load()
    label = app.context.config.github.hero_label
    issues = [
        i
        for i in app.context.workspace.issues()
        if label in [x["name"] for x in i.get("labels") or []] and i["state"] == "open"
    ]
    assert len(issues) >= 2
    touched = issues[0]
    harness.engine.writes.label_issue(touched["repo"], touched["number"], [label])
    await harness.send()
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.press("H")
        await up(pilot, app, TextEditor, "H in the SDK view opens its handover")
        text = app.screen.query_one(TextArea).text
        assert "#support-client-libraries" in app.screen.title_text
    ref = f"{touched['repo']}#{touched['number']}"
    progress, rest = text.split("not yet picked up")
    waiting = rest.split("*What I did")[0]
    assert ref in progress and ref not in waiting
    assert f"{issues[1]['repo']}#{issues[1]['number']}" in waiting
    assert f"• Labelled (1): {ref}" in text and "*Learnings and feedback*" in text
