"""Handover texts, ready to paste into Slack (plain markdown)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from triage_tui.targets import Target
from triage_tui.triage.macros import STATUS_LABELS, render_placeholders, without_greeting
from triage_tui.triage.tiers import Tier


@dataclass(frozen=True)
class HandoverTicket:
    id: int
    subject: str
    status: str
    next_step: str = ""


def custom_field_text(entries: Iterable[Any], word: str) -> str:
    """The value of the incident's custom field whose name holds `word` ("Degraded",
    "What's degraded"), as incident.io's CustomFieldEntryV2 carries it: text, option, link or
    number. incident.io has no built-in field for it: an organisation adds one, or not."""
    for entry in entries:
        field = entry.get("custom_field") if isinstance(entry, dict) else None
        if not isinstance(field, dict) or word.lower() not in str(field.get("name") or "").lower():
            continue
        values = []
        for value in entry.get("values") or []:
            if not isinstance(value, dict):
                continue
            option = value.get("value_option")
            shown = value.get("value_text") or (option or {}).get("value") or value.get("value_link")
            shown = shown or value.get("value_numeric")
            if shown:
                values.append(str(shown).strip())
        if values:
            return ", ".join(values)
    return ""


def customer_wording(macro_text: str | None) -> str:
    """The incident macro's reply as a customer reads it, on one line: no greeting, no
    sign-off, no placeholder left as `{{...}}` (defaults filled, the rest left out)."""
    if not macro_text:
        return ""
    body = render_placeholders(without_greeting(macro_text), {})
    lines = []
    for line in body.splitlines():
        kept = " ".join(_LEFT_OVER.sub("", line).split())
        if not kept:  # a sign-off line that was only a placeholder leaves nothing
            continue
        # One line, so each of the reply's lines ends as a sentence ("...late. What works: ...");
        # a link is left as it is, a full stop would become part of it.
        ends_sentence = kept[-1] in ".!?:;" or kept.split()[-1].startswith(("http://", "https://"))
        lines.append(kept if ends_sentence else kept + ".")
    return " ".join(lines)


_LEFT_OVER = re.compile(r"\{\{[^}]*\}\}")


@dataclass(frozen=True)
class Update:
    """An incident update: when, and its message."""

    at: dt.datetime | None
    message: str


def incident_handover(
    *,
    reference: str,
    name: str,
    status: str,
    severity: str | None,
    broken: str,
    works: str,
    degraded: str,
    tagged_tickets: int,
    macro_text: str | None,
    summary: str | None,
    updates: Sequence[Update],
    now: dt.datetime,
) -> str:
    """The Support Watcher's handover (support-handbook.md: status, ticket count, key facts,
    what users were told). Users were told what the incident macro says (rendered as they
    read it), or, with no macro yet, the latest incident update (newest first in `updates`)."""
    told = customer_wording(macro_text)
    if told:
        told_line = f"{told} (the incident macro)"
    elif updates and updates[0].message.strip():
        told_line = f"{_one_line(updates[0].message)} (latest update{_at(updates[0].at)}; no incident macro yet)"
    else:
        told_line = "nothing yet: no incident macro and no update"
    lines = [
        f"*Support Watcher handover: {reference} {name}* ({now:%Y-%m-%d %H:%M} UTC)",
        f"• Status: {status}" + (f", severity {severity}" if severity else ""),
        f"• Broken: {broken or 'not yet described'}",
        f"• Degraded: {degraded or 'not yet described'}",
        f"• Works: {works or 'not yet described'}",
        f"• Tickets tagged: {tagged_tickets}",
        f"• Users were told: {told_line}",
    ]
    facts = ([_one_line(summary)] if summary and summary.strip() else []) + [
        f"{_one_line(u.message)}{_at(u.at)}" for u in updates[:3] if u.message.strip()
    ]
    if facts:
        lines.append("• Key facts:")
        lines += [f"  – {fact}" for fact in facts]
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _at(moment: dt.datetime | None) -> str:
    return f" ({moment:%H:%M} UTC)" if moment else ""


def rotation_handover(tickets: Sequence[HandoverTicket], *, engineer: str, now: dt.datetime) -> str:
    order = {"open": 0, "new": 0, "hold": 1, "pending": 2}
    lines = [f"*Support rotation handover from {engineer}* ({now:%Y-%m-%d})"]
    if not tickets:
        lines.append("Nothing in progress: the queue is yours, clean.")
        return "\n".join(lines)
    for ticket in sorted(tickets, key=lambda t: (order.get(t.status, 3), t.id)):
        step = f": {ticket.next_step}" if ticket.next_step else ""
        lines.append(f"• #{ticket.id} [{STATUS_LABELS.get(ticket.status, ticket.status)}] {ticket.subject}{step}")
    return "\n".join(lines)


# -- the handbook's handovers (issue 26, item 2) ------------------------------------------
# Support Hero: "items in 1-4 are resolved or passed to the next Support Hero"; the SDK
# rotation: "a public handover message in #support-client-libraries" of the work in
# progress, how the rotation went, learnings and feedback.
HANDED_TIERS = (Tier.CS_TAGGED, Tier.ESCALATED_HIGH, Tier.ESCALATED_NORMAL, Tier.NEARING_BREACH)


@dataclass(frozen=True)
class QueueItem:
    """One tier 1-4 ticket of my groups, assigned or not."""

    id: int
    subject: str
    status: str
    tier: int
    assignee: str = ""  # "" when unassigned
    next_step: str = ""  # the last internal note, its first line


@dataclass(frozen=True)
class Done:
    """One thing I did this rotation, from the outbox's sent history."""

    what: str  # "Replied", "Escalated", "Labelled"... (DONE_ORDER)
    ref: str  # "#123", "PostHog/posthog-js#12", "INC-240"


DONE_ORDER = (
    "Replied",
    "Internal notes",
    "Escalated",
    "Fields and statuses",
    "Labelled",
    "Issues opened",
    "Issue comments",
    "Incidents raised",
    "Attached to incidents",
    "Support Watcher on",
    "Follow-ups created",
    "Requesters moved to their org",
    "Macros",
)


def _ref(entry: Mapping[str, Any]) -> str:
    target = Target.parse(str(entry.get("target", "x:x")))
    if target.ticket_id is not None:
        return f"#{target.ticket_id}"
    if target.source == "github" and target.key:
        return target.key
    payload = entry.get("payload") or {}
    if "ticket_id" in payload:
        return f"#{payload['ticket_id']}"
    return str(entry.get("summary") or target.key or target.kind)


def classify(entry: Mapping[str, Any]) -> str | None:
    """What a sent outbox entry did, in the handover's words (None: not worth a line)."""
    kind = str(entry.get("kind", ""))
    body = (entry.get("payload") or {}).get("ticket") or {}
    if kind == "ticket_update":
        comment = body.get("comment") if isinstance(body, dict) else None
        if comment and comment.get("public", True):
            return "Replied"
        if comment and body.get("group_id") is not None:
            return "Escalated"
        return "Internal notes" if comment else "Fields and statuses"
    if kind == "ticket_bulk":
        return "Fields and statuses"
    if kind.startswith("github_") and "label" in kind:
        return "Labelled"
    if kind.startswith("github_") and ("create" in kind or kind.endswith("_issue") or "open" in kind):
        return "Issues opened"
    if kind.startswith("github_") and "comment" in kind:
        return "Issue comments"
    return {
        "incident_create": "Incidents raised",
        "incident_attach": "Attached to incidents",
        "incident_role": "Support Watcher on",
        "ticket_create": "Follow-ups created",
        "user_update": "Requesters moved to their org",
        "macro_create": "Macros",
        "macro_update": "Macros",
        "macro_delete": "Macros",
    }.get(kind)


def done_since(entries: Iterable[Mapping[str, Any]], since: dt.datetime) -> list[Done]:
    """What the sent entries since `since` did, each once per ticket or issue and kind."""
    found: dict[tuple[str, str], Done] = {}
    for entry in entries:
        if entry.get("status") != "sent" or not entry.get("sent_at"):
            continue
        sent = dt.datetime.fromisoformat(str(entry["sent_at"]))
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=dt.UTC)
        what = classify(entry)
        if what is None or sent < since:
            continue
        ref = _ref(entry)
        payload = entry.get("payload") or {}
        if what == "Incidents raised":
            ref = str(payload.get("incident", {}).get("name") or ref)
        elif what == "Follow-ups created":
            ref = f"of #{payload.get('ticket', {}).get('via_followup_source_id')}"
        elif what == "Requesters moved to their org":
            ref = str(entry.get("summary") or ref).removeprefix("Move ").replace(" to ", " -> ", 1)
        found.setdefault((what, ref), Done(what, ref))
    return list(found.values())


def my_last_notes(entries: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """The first line of the last internal note I sent to each ticket (the outbox's sent
    history, in send order): the next step where the conversation is not cached."""
    notes: dict[int, str] = {}
    for entry in sorted(entries, key=lambda e: str(e.get("sent_at") or "")):
        body = (entry.get("payload") or {}).get("ticket") or {}
        comment = body.get("comment") if isinstance(body, dict) else None
        ticket_id = Target.parse(str(entry.get("target", "x:x"))).ticket_id
        if entry.get("status") == "sent" and ticket_id and comment and comment.get("public") is False:
            lines = [line.strip() for line in str(comment.get("body") or "").splitlines() if line.strip()]
            if lines:
                notes[ticket_id] = lines[0]
    return notes


def _done_lines(done: Sequence[Done], limit: int = 12) -> list[str]:
    if not done:
        return ["• Nothing sent from triage-tui this rotation."]
    lines = []
    for what in DONE_ORDER:
        refs = [d.ref for d in done if d.what == what]
        if refs:
            shown = ", ".join(refs[:limit]) + (f" and {len(refs) - limit} more" if len(refs) > limit else "")
            lines.append(f"• {what} ({len(refs)}): {shown}")
    return lines


def hero_handover(
    items: Sequence[QueueItem],
    done: Sequence[Done],
    *,
    engineer: str,
    groups: Sequence[str],
    now: dt.datetime,
    since: dt.datetime,
) -> str:
    """The Support Hero's handover: every tier 1-4 ticket of my groups (resolved, or passed
    on with its state and next step), then what I did this rotation."""
    where = ", ".join(groups) if groups else "my groups"
    lines = [
        f"*Support Hero handover from {engineer}* ({now:%Y-%m-%d}; rotation since {since:%a %Y-%m-%d})",
        "",
        f"*Tiers 1-4 of {where}: resolved, or passed to the next Support Hero*",
    ]
    handed = sorted((i for i in items if i.tier in HANDED_TIERS), key=lambda i: (i.tier, i.id))
    if not handed:
        lines.append("• None left: tiers 1-4 are resolved.")
    for item in handed:
        owner = item.assignee or "unassigned"
        status = STATUS_LABELS.get(item.status, item.status)
        line = f"• #{item.id} [{status}, tier {item.tier}: {Tier(item.tier).words.brief}; {owner}] {item.subject}"
        lines.append(line)
        lines.append(f"  next: {item.next_step}" if item.next_step else "  next: (no internal note yet: add one)")
    lines += ["", "*What I did this rotation*", *_done_lines(done)]
    return "\n".join(lines)


@dataclass(frozen=True)
class IssueItem:
    ref: str  # "PostHog/posthog-js#12"
    title: str
    state: str
    url: str = ""


def sdk_handover(
    touched: Sequence[IssueItem],
    waiting: Sequence[IssueItem],
    done: Sequence[Done],
    *,
    engineer: str,
    label: str,
    now: dt.datetime,
    since: dt.datetime,
) -> str:
    """The SDK rotation's public handover for #support-client-libraries: the `SDK Support
    Hero` issues I touched (in progress for the next person), those still waiting, what I
    did, and learnings and feedback for the engineer to write."""
    lines = [
        f"*SDK support rotation handover from {engineer}* ({now:%Y-%m-%d}; rotation since {since:%a %Y-%m-%d})",
        "",
        f"*In progress: `{label}` issues I worked on*",
    ]
    lines += [f"• {i.ref} [{i.state}] {i.title} {i.url}".rstrip() for i in touched] or ["• None."]
    lines += ["", f"*Still open with `{label}`, not yet picked up* ({len(waiting)})"]
    lines += [f"• {i.ref} {i.title} {i.url}".rstrip() for i in waiting[:15]] or ["• None."]
    if len(waiting) > 15:
        lines.append(f"• and {len(waiting) - 15} more")
    lines += ["", "*What I did this rotation*", *_done_lines(done)]
    lines += ["", "*How the rotation went*", "", "*Learnings and feedback*", "• "]
    return "\n".join(lines)


def rotation_start(now: dt.datetime) -> dt.datetime:
    """A week's rotation begins on Monday: this week's Monday, 00:00 (in `now`'s zone)."""
    day = now - dt.timedelta(days=now.weekday())
    return day.replace(hour=0, minute=0, second=0, microsecond=0)
