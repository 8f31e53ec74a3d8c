"""Replies and notes: the composer for the selected ticket(s), its drafts, and one write
per ticket on send, each with its own placeholders rendered (all queued, or none)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from triage_tui.presence import writer as colleague_writing
from triage_tui.store.errors import StoreUnavailable
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.sync.writes import OutboxUnavailable
from triage_tui.triage.macros import ChangeSet, render_placeholders
from triage_tui.triage.status_words import GREETING, status_title
from triage_tui.ui.flows import composer, not_queued, run_flow
from triage_tui.ui.safe import clean
from triage_tui.ui.ticket_flows import guards
from triage_tui.ui.ticket_flows.fields import edit_field
from triage_tui.ui.ticket_flows.macro_picker import describe, pick_macro
from triage_tui.ui.ticket_flows.placeholders import placeholders
from triage_tui.ui.ticket_flows.screen import SelectionScreen
from triage_tui.ui.ticket_flows.selection import after_queue, need_tickets

if TYPE_CHECKING:
    from triage_tui.ui.context import Context
    from triage_tui.ui.screens.composer import Composed


async def reply(screen: SelectionScreen) -> None:
    """A public reply to the selected ticket(s)."""
    if tickets := need_tickets(screen):
        await run_flow(screen, compose(screen, tickets, public=True, change=ChangeSet(), title=""), "reply")


async def note(screen: SelectionScreen) -> None:
    """An internal note on the selected ticket(s)."""
    if tickets := need_tickets(screen):
        await run_flow(screen, compose(screen, tickets, public=False, change=ChangeSet(), title=""), "note")


def _draft(screen: SelectionScreen, ticket_id: int, kind: str) -> str:
    return screen.unsent_drafts.get((ticket_id, kind)) or screen.context.reads.draft(ticket_id, kind)


def _save_draft(screen: SelectionScreen, ticket_id: int, kind: str, text: str) -> None:
    try:
        kept = screen.context.local.save_draft(ticket_id, kind, text)
    except StoreUnavailable:
        kept = False
    if kept or not text.strip():
        screen.unsent_drafts.pop((ticket_id, kind), None)
    else:
        screen.unsent_drafts[ticket_id, kind] = text


async def compose(
    screen: SelectionScreen,
    tickets: list[dict],
    *,
    public: bool,
    change: ChangeSet,
    title: str,
    text: str | None = None,
    check: Callable[[str], str | None] | None = None,
    cursor_after: str | None = None,
) -> None:
    """The composer for the selected ticket(s); on send, one write per ticket, each
    with its own placeholders rendered (all queued, or none).

    One ticket: the text is shown rendered. Several: the text keeps its placeholders
    and the composer shows what each ticket will receive. `check` may refuse the text
    (the composer stays open and says why)."""
    if public:
        answer = await guards.public_reply(screen, tickets)
        # A routing guard stopped it, or led to a note or an assignment instead.
        if answer == guards.NOTE:
            await compose(screen, tickets, public=False, change=ChangeSet(), title="Flag it: internal note")
        elif answer == guards.ASSIGN:
            await edit_field(screen, tickets, "assignee")
        if answer != guards.REPLY:
            return
    context = screen.context
    first = tickets[0]
    single = len(tickets) == 1
    contexts = {t["id"]: placeholders(context, t) for t in tickets}  # once, not per keystroke
    if text is None:
        draft = _draft(screen, first["id"], "reply" if public else "note") if single else ""
        text = draft or (GREETING if public else "")
    if single:
        text = render_placeholders(text, contexts[first["id"]])
    subject = clean(first.get("subject"), limit=60)
    where = f"#{first['id']} {subject}" if single else f"{len(tickets)} marked tickets"

    def heading(staged: ChangeSet) -> str:
        base = status_title(staged.status, title)
        return f"{base} · {where}" if base else where  # the badge already says reply or note

    def save_draft(value: str, is_public: bool) -> None:
        if single:
            _save_draft(screen, first["id"], "reply" if is_public else "note", value)

    async def pick() -> tuple[str, ChangeSet] | None:
        return await pick_macro(screen, first, keep_placeholders=not single)

    def render_each(value: str) -> list[tuple[str, str]]:
        return [(_who(context, t), render_placeholders(value, contexts[t["id"]])) for t in tickets]

    def send(composed: Composed) -> str | None:
        problem = check(composed.text) if check is not None else None
        if not problem and composed.public:
            problem = guards.public_reply_refused(screen, tickets)
        if problem:
            return problem
        kind = "reply" if composed.public else "note"
        summary = kind + (f" + {composed.change.status}" if composed.change.status else "")
        each = [(TicketRef.of(t), _for_ticket(composed.change, contexts[t["id"]])) for t in tickets]
        try:
            context.writes.update_each(each, summary)
        except OutboxUnavailable as error:
            for ref, its in each:  # kept in memory, offered again per ticket
                screen.unsent_drafts[ref.id, kind] = its.comment or ""
            return not_queued(f"Not sent ({kind})", error)
        for ticket in tickets:
            screen.unsent_drafts.pop((ticket["id"], kind), None)
        after_queue(screen, tickets, summary)
        return None

    # A colleague writing on it already: said before the composer opens (no dialog, so
    # a burst like `r` + text still lands in the composer).
    for ticket in tickets:
        if writer := colleague_writing(context.workspace.store, ticket["id"]):
            screen.notify(f"#{ticket['id']}: {writer} (their reply may cross yours)", severity="warning", markup=False)
            break
    screen.composing = first["id"] if single else None
    context.presence(screen.composing, "replying" if public else "noting")
    opened = composer().Composer(
        title=heading,
        public=public,
        text=text,
        change=change,
        describe=describe(context, first),
        save_draft=save_draft,
        pick_macro=pick,
        send=send,
        render_each=None if single else render_each,
        cursor_after=cursor_after,
        customer=_customer_said(context, first) if single else None,
    )
    try:
        await screen.app.push_screen_wait(opened)
    finally:
        screen.composing = None
        context.presence(first["id"] if single else None, "viewing")


def _customer_said(context: Context, ticket: dict) -> str | None:
    """The requester's latest public message, to answer with it in view (the composer
    covers the conversation at 80x24)."""
    detail = context.workspace.detail(ticket["id"])
    if detail is None:
        return None
    said = [
        c for c in detail.comments or [] if c.public and c.author_id == detail.ticket.requester_id and c.text.strip()
    ]
    text = said[-1].text if said else (detail.ticket.description or "")
    if not text.strip():
        return None
    name = detail.requester.display_name if detail.requester else "The customer"
    return f"{name}: {text.strip()}"


def _who(context: Context, ticket: dict) -> str:
    requester = context.workspace.user(ticket.get("requester_id"))
    name = (requester.name or requester.email or "") if requester else ""
    return f"#{ticket['id']} {clean(name, limit=30)}".rstrip()


def _for_ticket(change: ChangeSet, values: dict[str, str]) -> ChangeSet:
    if change.comment is None:
        return change
    return change.with_comment(render_placeholders(change.comment, values))
