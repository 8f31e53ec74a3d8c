"""Routing guards (issue 26, item 6), read back from what reached the sandbox: a public
reply to a legal or abusive ticket asks first (enter means no: an internal note instead),
a community question refuses public replies and `Q` opens its page, `$` adds the billing
lead as a follower (`followers` on the update) with an internal note."""

from __future__ import annotations

from tests.app.test_find import toasts
from tests.app.test_writes import burst, up
from tests.waiting import until
from triage_tui.ui.screens.composer import Composer
from triage_tui.ui.screens.picker import FuzzyPicker

SIZE = (80, 24)
QUESTION = "https://posthog.com/questions/how-do-i-filter-by-cohort"


def mark_current(harness, app, **changes) -> dict:
    """Give the ticket under the cursor `changes` (tags, text), in the cache and in Zendesk."""
    ticket_id = app.queue_table.current_id
    cached = {**app.context.reads.ticket(ticket_id), **changes}
    app.context.reads.store.put_tickets([cached])
    harness.sandbox.state.tickets[ticket_id].update(changes)
    app.context.workspace.update([ticket_id])
    return cached


async def test_a_reply_to_a_legal_ticket_asks_first_and_enter_writes_an_internal_note(harness):
    app = harness.app()
    copied: list[str] = []
    app.copy_to_clipboard = copied.append
    async with app.run_test(size=SIZE) as pilot:
        ticket = mark_current(harness, app, tags=["legal"])
        await pilot.press("r")
        await up(pilot, app, FuzzyPicker, "r asks first")
        assert "legal request" in app.screen.title_text and app.screen.shown[0].label.startswith("No:")
        burst(app, "enter")  # the default: no public reply
        await up(pilot, app, Composer)
        assert not app.screen.public
        # The flag for Slack, ready to paste: what it is and the ticket's link.
        link = f"{harness.sandbox.url}/agent/tickets/{ticket['id']}"
        wanted = (
            f"Flagging a legal request in Zendesk, not answered: {link}. Could you take it on or advise how to reply?"
        )
        assert copied == [wanted]
        burst(app, "flagged to the team lead", "ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, Composer))
    await harness.send()
    last = harness.sandbox.state.comments[ticket["id"]][-1]
    assert last["body"] == "flagged to the team lead" and last["public"] is False


async def test_a_reply_to_an_abusive_ticket_goes_only_when_chosen_and_not_by_toggling(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        ticket = mark_current(harness, app, tags=["abusive"])
        said = toasts(app)
        # A note toggled to a reply in the composer is refused at send.
        await pilot.press("i")
        await up(pilot, app, Composer)
        await pilot.press("ctrl+r")
        assert app.screen.public
        burst(app, "hello", "ctrl+s")
        await until(pilot, lambda: any("abusive message" in m for m in said))
        assert isinstance(app.screen, Composer)
        burst(app, "escape")
        await until(pilot, lambda: not isinstance(app.screen, Composer))
        await pilot.press("r")
        await up(pilot, app, FuzzyPicker)
        burst(app, "Yes", "enter")
        await up(pilot, app, Composer)
        assert app.screen.public
        burst(app, "ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, Composer))
    await harness.send()
    assert harness.sandbox.state.comments[ticket["id"]][-1]["public"] is True


async def test_a_community_question_refuses_public_replies_and_q_opens_the_question(harness):
    app = harness.app()
    async with app.run_test(size=SIZE) as pilot:
        mark_current(harness, app, description=f"Asked on {QUESTION}\nHow do I filter?")
        said = toasts(app)
        await pilot.press("r")
        await until(pilot, lambda: any("community question" in m for m in said))
        assert not isinstance(app.screen, (Composer, FuzzyPicker))
        copied: list[str] = []
        app.copy_to_clipboard = copied.append
        await pilot.press("Q")
        await until(pilot, lambda: copied == [QUESTION])
    assert harness.queued() == []


async def test_b_adds_the_billing_lead_as_a_follower_with_an_internal_note(harness):
    app = harness.app()
    lead = next(u for u in harness.sandbox.state.users.values() if u["email"] == "cass@example.com")
    zendesk = app.context.config.zendesk.replace(billing_lead=lead["email"])
    app.context.config = app.context.config.replace(zendesk=zendesk)
    async with app.run_test(size=SIZE) as pilot:
        ticket_id = app.queue_table.current_id
        await pilot.press("dollar_sign")
        await up(pilot, app, Composer, "B opens the note")
        assert not app.screen.public and "cass@example.com" in app.screen.text
        burst(app, "a refund once the export is fixed", "ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, Composer))
    [entry] = harness.queued()
    assert entry["payload"]["ticket"]["followers"] == [{"user_email": "cass@example.com", "action": "put"}]
    await harness.send()
    assert lead["id"] in harness.sandbox.state.tickets[ticket_id]["follower_ids"]
    note = harness.sandbox.state.comments[ticket_id][-1]
    assert note["public"] is False and "a refund once the export is fixed" in note["body"]
