"""Routing guards: which tickets a public reply should not simply go to, and why. Pure.

The handbook: legal requests and abusive messages are not answered but flagged (notify the
named people, who take them on or advise); a community question is answered on the page
where it was asked, never from Zendesk (then an internal note saying so); billing is
handled by the billing engineers: add the billing lead as a follower from the outset, with
an internal note of what will eventually be needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from triage_tui.triage.flags import ticket_flags

COMMUNITY_TAGS = frozenset({"community_question", "community-question"})
_QUESTION_LINK = re.compile(r"https?://[^\s<>\"')\]]*(?:/questions/|/community/)[^\s<>\"')\]]*")
BILLING_NOTE = "Billing: {lead} added as a follower.\nWhat will eventually be needed: \nWhat I found so far: "


@dataclass(frozen=True)
class ReplyGuard:
    """Why a public reply to this ticket needs care: "ask" (legal, abusive: default no)
    or "refuse" (a community question: answered on its page)."""

    ticket_id: int
    action: str  # "ask" | "refuse"
    reason: str
    question_url: str | None = None


def question_url(tags: Iterable[str], texts: Sequence[str]) -> str | None:
    """The community question's page, when the ticket is one (its link, else "" for a
    ticket tagged as one whose link is not in what we hold)."""
    for text in texts:
        found = _QUESTION_LINK.search(text or "")
        if found:
            return found.group(0)
    return "" if COMMUNITY_TAGS & set(tags) else None


def reply_guard(ticket_id: int, tags: Iterable[str], texts: Sequence[str]) -> ReplyGuard | None:
    """The guard on a public reply to one ticket, or None when a reply may simply go."""
    tags = list(tags)
    url = question_url(tags, texts)
    if url is not None:
        return ReplyGuard(
            ticket_id,
            "refuse",
            "a community question: answer it on its page, not from Zendesk, then leave an internal note",
            url or None,
        )
    text = "\n".join(texts)
    for flag in ticket_flags(tags=tags, text=text, org_name=None):
        if flag.key == "legal":
            return ReplyGuard(ticket_id, "ask", "a legal request: the handbook says do not answer, flag it")
        if flag.key == "abusive":
            return ReplyGuard(ticket_id, "ask", "an abusive message: the handbook says do not answer, flag it")
    return None


def is_billing(tags: Iterable[str], texts: Sequence[str]) -> bool:
    return any(flag.key == "billing" for flag in ticket_flags(tags=tags, text="\n".join(texts), org_name=None))


def flag_message(guard: ReplyGuard, links: Sequence[str]) -> str:
    """The Slack message that flags a legal or abusive ticket to the people the handbook
    names (they take it on, or advise how to reply)."""
    what = guard.reason.split(":")[0]
    return f"Flagging {what} in Zendesk, not answered: {' '.join(links)}. Could you take it on or advise how to reply?"
