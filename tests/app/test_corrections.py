"""Follow-ups and corrections (issue 26, item 8), from the keyboard at 80x24, read back
from what reached the sandbox: `N` on a closed ticket creates one follow-up ticket
(`via_followup_source_id`), `O` moves a requester out of a temporary organization
(`PUT /api/v2/users/{id}` with `organization_id`)."""

from __future__ import annotations

from tests.app.test_find import found, ticket_with, toasts
from tests.app.test_writes import burst, up
from tests.waiting import until
from triage_tui.ui.screens.picker import FuzzyPicker
from triage_tui.ui.screens.text_editor import TextEditor

SMALL = (80, 24)


async def test_n_on_a_closed_ticket_creates_one_follow_up_for_its_requester(live, sandbox):
    closed = ticket_with(sandbox, "closed")
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        burst(live, "f", str(closed["id"]), "enter")
        await found(pilot, live, closed["id"])
        said = toasts(live)
        await pilot.press("r")  # a reply is refused, and says which key makes a follow-up
        await until(pilot, lambda: any("N writes a follow-up" in m for m in said))
        await pilot.press("N")
        await up(pilot, live, TextEditor, "N opens the follow-up editor")
        text = live.screen.query_one("#composer-text").text
        assert text.startswith("Follow-up: ") and "\nHey " in text
        burst(live, "the fix shipped today", "ctrl+s")
        await until(pilot, lambda: not isinstance(live.screen, TextEditor))
        made = lambda: [
            t for t in sandbox.state.tickets.values() if t.get("via", {}).get("source", {}).get("rel") == "follow_up"
        ]
        await until(pilot, lambda: made(), what="the follow-up reached Zendesk")
    [ticket] = made()
    assert ticket["via"]["source"]["from"]["ticket_id"] == closed["id"]
    assert ticket["requester_id"] == closed["requester_id"]
    [post] = [
        w for w in sandbox.state.writes if w.get("method") == "POST" and w.get("path", "").startswith("/api/v2/tickets")
    ]
    assert post["body"]["ticket"]["via_followup_source_id"] == closed["id"]
    body = sandbox.state.comments[ticket["id"]][0]
    assert body["public"] and body["body"].endswith("the fix shipped today")


async def test_n_on_an_open_ticket_says_to_reply_instead(live, sandbox):
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        said = toasts(live)
        await pilot.press("N")
        await until(pilot, lambda: any("is not closed" in m for m in said))
        assert not isinstance(live.screen, TextEditor) and not live.outbox.entries()


async def test_o_moves_a_requester_out_of_the_temporary_org(live, sandbox):
    temp = next(o for o in sandbox.state.organizations.values() if "please assign" in o["name"])
    ticket = next(
        t
        for t in sandbox.state.tickets.values()
        if t["status"] in ("new", "open")
        and sandbox.state.users[t["requester_id"]].get("organization_id") == temp["id"]
    )
    target = next(
        o
        for o in sandbox.state.organizations.values()
        if o["id"] != temp["id"] and "content_warning" not in o.get("tags", [])
    )
    async with live.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: live.main.side_panes_ready)
        burst(live, "f", str(ticket["id"]), "enter")
        await found(pilot, live, ticket["id"])
        await pilot.press("O")
        await up(pilot, live, FuzzyPicker, "O opens the organization picker")
        assert all("please assign" not in c.label for c in live.screen.shown)
        burst(live, target["name"])
        await until(pilot, lambda: live.screen.shown and live.screen.shown[0].label == target["name"])
        burst(live, "enter")
        user_id = ticket["requester_id"]
        await until(
            pilot, lambda: sandbox.state.users[user_id]["organization_id"] == target["id"], what="the user moved"
        )
    [put] = [w for w in sandbox.state.writes if w.get("path") == f"/api/v2/users/{user_id}.json"]
    assert put["body"] == {"user": {"organization_id": target["id"]}}
