"""The demo's macros follow the support handbook (/work/shared/handbook, issue 24).

Each rule quotes the handbook; every seeded macro is checked against every rule, so a
macro added later is held to them too.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import FROZEN_NOW
from triage_sandbox.data import generate

ISSUE_LINK = re.compile(r"https://github\.com/[\w.-]+/[\w.-]+/issues/\S+")


def _macros() -> list[dict]:
    return generate(seed=7, tickets=20, now=FROZEN_NOW)["macros"]


def _action(macro: dict, field: str) -> str | None:
    return next((str(a["value"]) for a in macro["actions"] if a["field"] == field), None)


def _reply(macro: dict) -> str:
    return _action(macro, "comment_value") or ""


def _public(macro: dict) -> bool:
    return bool(_reply(macro)) and _action(macro, "comment_mode_is_public") != "false"


def _by_title(title: str) -> dict:
    return next(m for m in _macros() if m["title"] == title)


MACROS = _macros()
IDS = [m["title"] for m in MACROS]


@pytest.mark.parametrize("macro", MACROS, ids=IDS)
def test_no_macro_puts_a_ticket_on_hold(macro):
    """support-hero.md, Ticket Status: On-Hold "Use this one sparingly ... On-Hold tickets are
    too easily overlooked ... (If you've opened a bug ticket or feature request, On-Hold isn't
    needed, see Solved below.)" A canned reply is the opposite of sparingly."""
    assert _action(macro, "status") != "hold"


@pytest.mark.parametrize("macro", MACROS, ids=IDS)
def test_a_macro_solves_only_when_it_shares_the_issue_link(macro):
    """support-hero.md, Ticket Status: Solved is for "The user has replied to confirm that the
    ticket is resolved, or you've created a bug report or feature request and shared the link
    with the user"; Pending "Use this for most replies ... Even if you think the issue is
    solved, the user may disagree". A macro cannot know the user confirmed: only the link."""
    if _action(macro, "status") == "solved":
        assert ISSUE_LINK.search(_reply(macro)), macro["title"]


@pytest.mark.parametrize("macro", MACROS, ids=IDS)
def test_a_bug_report_or_feature_request_reply_links_the_issue(macro):
    """support-hero.md, "How do I handle a bug report or feature request?": "Let them know
    you've opened a bug report and provide a link to it ... they can follow the bug report on
    GitHub for updates ... change the ticket from Open to Pending"."""
    text = _reply(macro).lower()
    if _public(macro) and ("bug report" in text or "feature request" in text):
        assert ISSUE_LINK.search(_reply(macro)), macro["title"]
        assert _action(macro, "status") in ("pending", "solved"), macro["title"]


@pytest.mark.parametrize("macro", MACROS, ids=IDS)
def test_public_replies_greet_by_first_name(macro):
    """DESIGN.md / the handbook: replies start "Hey {first name}, ..."."""
    if _public(macro):
        assert _reply(macro).startswith("Hey {{ticket.requester.first_name"), macro["title"]


def test_2fa_removal_asks_for_confirmation_first():
    """support-hero.md, "How should I handle 2FA removal?": send "Confirmation Required ... Could
    you please confirm this by replying ...? If you haven't requested this change, please let
    me know immediately"; "After the user responded and confirmed the change, delete their
    TOTP device". The macro must neither claim the removal nor solve."""
    macro = _by_title("2FA removal confirmation")
    text = _reply(macro).lower()
    assert "confirm" in text and "haven't requested" in text
    assert "i've removed" not in text and "removed two-factor" not in text
    assert _action(macro, "status") == "pending"


def test_the_incident_macro_says_what_is_broken_degraded_working_and_links_the_status_page():
    """support-handbook.md, "Creating a macro for the incident": "The specific impact to users
    (what's broken, what's working, what's degraded)" and "A link to the incident on our
    status page"; "Always link to the status page in ticket responses"."""
    text = _reply(_by_title("Incident information"))
    assert "broken" in text and "degraded" in text and "works" in text
    assert "https://status.posthog.com" in text


def test_create_a_lead_tags_sf_lead_and_internal_notes_stay_internal():
    """support-handbook.md, "Handling sales leads": "The macro adds the sf-lead tag"; escalation
    is "an internal note saying what was found and what is needed" (DESIGN.md)."""
    assert "sf-lead" in (_action(_by_title("Create a lead"), "current_tags") or "").split()
    note = _by_title("Escalate: internal note template")
    assert not _public(note) and "Found:" in _reply(note) and "Needed:" in _reply(note)
