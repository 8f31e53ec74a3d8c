"""Suggested macros, related tickets and bursts (triage/), and their figures on the
labelled set (tests/fixtures/labelled_support.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.fixtures.labelled_eval import measure
from triage_tui.triage.bursts import find_bursts
from triage_tui.triage.hints import Hints, ticket_text
from triage_tui.triage.related import TicketInfo
from triage_tui.triage.suggest import MacroSuggester, applied_macros
from triage_tui.triage.textindex import TextIndex, features

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


def info(tid: int, org: int | None, minutes: int = 60 * 24, status: str = "open") -> TicketInfo:
    moment = NOW - dt.timedelta(minutes=minutes)
    return TicketInfo(tid, org, status, moment, moment)


def test_the_labelled_set_meets_the_targets() -> None:
    figures = measure()
    assert figures.macro_top3 >= 0.7, figures
    assert figures.related_precision >= 0.8, figures
    assert figures.related_recall >= 0.8, figures
    assert figures.bursts == [(2001, 2002, 2003, 2004, 2005)], figures


def test_errors_frames_and_urls_are_features_of_their_own() -> None:
    found = features(
        "TypeError: e.capture is not a function\n    at PostHog.capture (array.js:1:20)\n"
        "see https://us.posthog.com/project/12/replay/abc, got 502, we set maskAllInputs"
    )
    for feature in (
        "s:err:typeerror",
        "s:frame:posthog.capture",
        "s:file:array.js",
        "s:host:us.posthog.com",
        "s:path:us.posthog.com/project/replay",
        "s:http:502",
        "s:id:maskallinputs",
    ):
        assert feature in found, feature


def test_a_status_with_its_reason_phrase_is_a_status() -> None:
    found = features("GET /api/projects/2/session_recordings/0193/snapshots 504 Gateway Timeout")
    assert "s:http:504" in found


def test_the_same_error_in_other_words_is_closer_than_the_same_subject_words() -> None:
    index = TextIndex()
    index.add(1, features("Checkout broken: TypeError: posthog.capture is not a function at capture (main.js)"))
    index.add(2, features("Our app crashes on load, console shows TypeError posthog.capture is not a function main.js"))
    index.add(3, features("Checkout broken after we changed the pricing page"))
    ranked = [doc for doc, _ in index.similar(doc_id=1)]
    assert ranked[0] == 2


def test_an_index_forgets_and_replaces_documents() -> None:
    index = TextIndex()
    index.add(1, features("recordings not loading"))
    index.add(2, features("recordings not loading in the player"))
    index.add(2, features("invoice missing VAT number"))
    assert index.similar(doc_id=1) == []
    index.remove(2)
    assert 2 not in index and len(index) == 1


def test_macros_applied_are_read_from_audits_not_triggers() -> None:
    audits: list[dict[str, Any]] = [
        {"via": {"channel": "web"}, "events": [{"type": "AgentMacroReference", "macro_id": "11"}]},
        {
            "events": [
                {"type": "Change", "via": {"channel": "rule", "source": {"from": {"id": 22}, "rel": "macro"}}},
                {"type": "Change", "via": {"channel": "rule", "source": {"from": {"id": 33}, "rel": "trigger"}}},
            ]
        },
    ]
    assert applied_macros(audits) == [11, 22]


def _macro(mid: int, title: str, text: str) -> dict:
    return {"id": mid, "title": title, "active": True, "actions": [{"field": "comment_value", "value": text}]}


def test_near_copies_show_once_under_the_most_used() -> None:
    text = "Recordings are blocked by ad blockers; set up a reverse proxy for session replay."
    suggester = MacroSuggester()
    suggester.set_macros(
        [
            _macro(1, "Replay: ad blockers", text),
            _macro(2, "Copy of Replay: ad blockers", text),
            _macro(3, "Replay: ad blockers (old)", text + " Update the SDK."),
            _macro(4, "Refunds", "Billing handles refunds."),
        ]
    )
    suggester.set_uses(100, [3])
    shown = suggester.suggest(features("session replay recordings missing, ad blockers?"))
    assert [s.macro_id for s in shown] == [3]


def test_nothing_fits_means_no_suggestion_and_inactive_macros_never_show() -> None:
    suggester = MacroSuggester()
    suggester.set_macros(
        [_macro(1, "Refunds", "Billing handles refunds."), {**_macro(2, "Old refunds", "refund"), "active": False}]
    )
    assert suggester.suggest(features("the toolbar heatmap overlays the wrong elements")) == []
    assert [s.macro_id for s in suggester.suggest(features("refund please"))] == [1]


def test_history_outweighs_words_when_engineers_chose_otherwise() -> None:
    hints = Hints()
    hints.set_macros([_macro(1, "Dashboards", "Dashboards explained."), _macro(2, "Ingestion delays", "Incident.")])
    for tid in (10, 11, 12):
        hints.put(info(tid, tid), ticket_text("dashboards empty", "live events empty, dashboards frozen"))
        hints.set_uses(tid, [2])
    hints.put(info(13, 13), ticket_text("dashboards empty for an hour", "live events empty"))
    assert next(s.macro_id for s in hints.suggested_macros(13)) == 2


def test_related_keeps_to_recent_days_and_adds_the_same_orgs_open_tickets() -> None:
    hints = Hints()
    text = ticket_text("HubSpot destination failing", "401 invalid_grant on every event")
    hints.put(info(1, 100), text)
    hints.put(info(2, 200, minutes=60 * 24 * 2), text)
    hints.put(info(3, 300, minutes=60 * 24 * 40, status="closed"), text)  # weeks ago
    hints.put(info(4, 100), ticket_text("Invite link expired", "resend please"))
    hints.put(info(5, 100, status="solved"), ticket_text("Old question", "answered"))
    assert hints.related(1, NOW) == [2, 4]


def test_a_burst_needs_several_organizations_within_the_hour() -> None:
    hints = Hints()
    text = "live events empty, ingestion delayed, dashboards not updating"
    for tid, org, minutes in ((1, 1, 50), (2, 2, 30), (3, 3, 10), (4, 4, 200)):
        hints.put(info(tid, org, minutes=minutes, status="new"), ticket_text("events delayed", text))
    bursts = hints.bursts(NOW)
    assert [b.ids for b in bursts] == [(1, 2, 3)]
    assert bursts[0].describe().startswith("Possible incident: 3 tickets like #1")
    same_org = Hints()
    for tid, minutes in ((1, 50), (2, 30), (3, 10)):
        same_org.put(info(tid, 9, minutes=minutes, status="new"), ticket_text("events delayed", text))
    assert find_bursts(same_org.infos, same_org.index, same_org.infos, NOW) == []


def test_tickets_attached_to_an_incident_are_no_burst() -> None:
    hints = Hints()
    text = "live events empty, ingestion delayed, dashboards not updating"
    for tid, org, minutes in ((1, 1, 50), (2, 2, 30), (3, 3, 10)):
        moment = NOW - dt.timedelta(minutes=minutes)
        info = TicketInfo(tid, org, "open", moment, moment, attached=tid != 3)
        hints.put(info, ticket_text("events delayed", text))
    assert hints.bursts(NOW) == []
