"""Raise an incident from the selected ticket(s): a severity, a name and a summary (the
tickets' links filled in), then who watches it. One outbox entry creates it in incident.io
(with an idempotency key); its answer queues the tickets' tag and attachment.
"""

from __future__ import annotations

from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage.incident_text import TicketLink, incident_template, parse_incident_text
from triage_tui.ui import keys, words
from triage_tui.ui.flows import edit_until_valid, queue_write, run_flow
from triage_tui.ui.links import ticket_url
from triage_tui.ui.safe import clean
from triage_tui.ui.screens.picker import Choice, FuzzyPicker
from triage_tui.ui.ticket_flows.screen import SelectionScreen
from triage_tui.ui.ticket_flows.selection import need_tickets

WATCH, HAND_OVER = "watch", "hand-over"


async def raise_incident(screen: SelectionScreen) -> None:
    if tickets := need_tickets(screen):
        await run_flow(screen, _raise(screen, tickets), "raise an incident")


async def _raise(screen: SelectionScreen, tickets: list[dict]) -> None:
    context = screen.context
    severities = sorted(context.reads.store.list("incident_severities"), key=lambda s: s.get("rank", 0))
    severity_id: str | None = None
    if severities:
        severity_id = await screen.app.push_screen_wait(
            FuzzyPicker(
                "Raise an incident: how severe? (when in doubt, raise it)",
                [Choice(s["id"], s["name"], clean(s.get("description"), limit=60)) for s in severities],
            )
        )
        if severity_id is None:
            return
    else:
        screen.notify("No severities cached from incident.io yet: raised without one.", markup=False)
    links = [
        TicketLink(t["id"], clean(t.get("subject"), limit=80), ticket_url(context.config.zendesk, t["id"]) or "")
        for t in tickets
    ]
    hint = keys.hint(screen.app, ("editor.save", "next: who watches it"), ("editor.cancel", "cancel"))
    title = "Incident: the name on the first line, the summary below"
    draft = await edit_until_valid(screen, title, incident_template(links), parse_incident_text, hint=hint)
    if draft is None:
        return
    role = context.reads.role_named(context.config.incidentio.watcher_role)
    email = context.reads.me().email or context.config.zendesk.email
    watch = keys.label(screen.app, "incident.watch")
    choices = [Choice(HAND_OVER, f"Raise it; someone else watches (or {watch} in the incident view later)")]
    if role is not None and email:
        choices.insert(0, Choice(WATCH, f"Raise it and raise my hand: I am its {role.name}"))
    who = await screen.app.push_screen_wait(FuzzyPicker(f"Raise {draft.name!r}: who watches it?", choices))
    if who is None:
        screen.notify("Not raised.", markup=False)
        return
    watcher = (role.id, email) if who == WATCH and role is not None and email else None
    raise_it = context.writes.raise_incident
    entry = queue_write(
        screen,
        "Not raised",
        lambda: raise_it(
            TicketRef.each(tickets), name=draft.name, summary=draft.summary, severity_id=severity_id, watcher=watcher
        ),
    )
    if entry is None:
        return
    then = f" ({role.name}: you)" if watcher and role else f" (press {watch} in its view to watch it)"
    screen.notify(
        f"Queued: raise {draft.name!r}; once incident.io answers, {words.tickets(len(tickets))} tagged and attached"
        + then,
        markup=False,
    )
    context.kick()
    screen.refresh_queue()
