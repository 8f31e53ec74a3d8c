"""Routing guards before a public reply: to a legal or abusive ticket it asks first (the
default is no: an internal note, or an assignment, instead); a community question refuses
public replies, and `Q` opens the question where it is answered."""

from __future__ import annotations

from triage_tui.triage.guards import ReplyGuard, flag_message, is_billing, reply_guard
from triage_tui.ui import keys
from triage_tui.ui.context import Context
from triage_tui.ui.links import open_or_copy, ticket_url
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.ticket_flows.screen import SelectionScreen
from triage_tui.ui.widgets.queue import QueueTable

NOTE, ASSIGN, REPLY = "note", "assign", "reply"


def ticket_texts(context: Context, ticket: dict) -> list[str]:
    texts = [str(ticket.get("subject") or ""), str(ticket.get("description") or "")]
    detail = context.workspace.detail(ticket["id"])
    if detail is not None:
        texts += [c.text for c in detail.comments or []]
    return texts


def _guards(context: Context, tickets: list[dict]) -> list[ReplyGuard]:
    found = (reply_guard(t["id"], t.get("tags") or [], ticket_texts(context, t)) for t in tickets)
    return [g for g in found if g is not None]


def _refusal(screen: SelectionScreen, guards: list[ReplyGuard]) -> str | None:
    refused = [g for g in guards if g.action == "refuse"]
    if not refused:
        return None
    opens = keys.label(screen.app, "ticket.question")
    note = keys.label(screen.app, "ticket.note")
    return (
        f"No public reply: #{refused[0].ticket_id} is {refused[0].reason} "
        f"({opens} opens the question, {note} writes the note)."
    )


async def public_reply(screen: SelectionScreen, tickets: list[dict]) -> str | None:
    """REPLY when a public reply to these tickets may be written; NOTE or ASSIGN when the
    engineer chose to flag the ticket instead (its message is copied for Slack); None when
    refused or cancelled."""
    guards = _guards(screen.context, tickets)
    refusal = _refusal(screen, guards)
    if refusal:
        screen.notify(refusal, severity="warning", markup=False, timeout=10)
        return None
    asked = [g for g in guards if g.action == "ask" and g.ticket_id not in screen.public_confirmed]
    if any(is_billing(t.get("tags") or [], ticket_texts(screen.context, t)) for t in tickets):
        billing = keys.label(screen.app, "ticket.billing")
        screen.notify(f"Billing: {billing} adds the billing lead as a follower, with an internal note.", markup=False)
    if not asked:
        return REPLY
    first = asked[0]
    more = f" (and {len(asked) - 1} more)" if len(asked) > 1 else ""
    choice = await screen.app.push_screen_wait(
        FuzzyPicker(
            f"#{first.ticket_id}{more} is {first.reason}. Reply publicly?",
            [
                Choice(NOTE, "No: write an internal note to flag it"),
                Choice(ASSIGN, "No: assign it to whoever takes it on"),
                Choice(REPLY, "Yes: reply publicly anyway"),
            ],
        )
    )
    if choice == REPLY:
        screen.public_confirmed.update(g.ticket_id for g in asked)
    elif choice in (NOTE, ASSIGN):
        _copy_flag_message(screen, first, tickets)
    return choice if choice in (NOTE, ASSIGN, REPLY) else None


def _copy_flag_message(screen: SelectionScreen, guard: ReplyGuard, tickets: list[dict]) -> None:
    """The handbook's flag goes to people on Slack: the message, ready to paste (OSC 52)."""
    links = [ticket_url(screen.context.config.zendesk, t["id"]) or f"#{t['id']}" for t in tickets]
    message = flag_message(guard, links)
    screen.app.copy_to_clipboard(message)
    screen.notify(f"Copied for Slack: {message}", markup=False, timeout=8)


def public_reply_refused(screen: SelectionScreen, tickets: list[dict]) -> str | None:
    """Why a public reply to these tickets is not sent now, or None."""
    guards = _guards(screen.context, tickets)
    refusal = _refusal(screen, guards)
    if refusal:
        return refusal
    asked = [g for g in guards if g.action == "ask" and g.ticket_id not in screen.public_confirmed]
    if asked:
        reply = keys.label(screen.app, "ticket.reply")
        return (
            f"Not sent: #{asked[0].ticket_id} is {asked[0].reason}. Send it as an internal note, "
            f"or press {reply} and choose to reply publicly anyway."
        )
    return None


def open_question(screen: SelectionScreen) -> None:
    """`Q`: the community question's page (answered there, not from Zendesk)."""
    ticket_id = screen.query_one(QueueTable).current_id
    ticket = screen.context.reads.ticket(ticket_id) if ticket_id is not None else None
    guard = (
        reply_guard(ticket["id"], ticket.get("tags") or [], ticket_texts(screen.context, ticket)) if ticket else None
    )
    if guard is None or guard.action != "refuse":
        screen.notify("Not a community question.", markup=False)
    elif not guard.question_url:
        screen.notify("A community question, but its link is not in the ticket: find it on /questions.", markup=False)
    else:
        open_or_copy(screen, guard.question_url, "question's link")
