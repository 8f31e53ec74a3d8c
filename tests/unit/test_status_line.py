"""The status line during a first sync (issue 15: it said "Zendesk ✓never" while the count
climbed 1000 → 5000): which page of about how many, then the SLA clocks."""

from __future__ import annotations

import datetime as dt

from triage_tui.ui.widgets.status import current, progress_words, status_text


def line(sources: dict, **extra) -> str:
    return status_text(
        view="All unsolved",
        count=3000,
        filter_text="",
        sources=sources,
        queued={},
        counts={},
        offline_mode=False,
        **extra,
    ).plain


def test_a_first_sync_says_which_page_of_about_how_many():
    progress = {"stage": "queue", "page": 3, "pages": 5, "total": 4811}
    shown = line({"zendesk": {"progress": progress}})
    assert "Zendesk syncing page 3 of ~5" in shown and "never" not in shown


def test_without_an_estimate_it_still_says_the_page():
    assert progress_words({"stage": "queue", "page": 2, "pages": None}) == "page 2"


def test_then_the_sla_clocks_then_groups_and_macros():
    assert progress_words({"stage": "sla", "done": 1200, "total": 4811}) == "SLAs 1,200 of 4,811"
    assert progress_words({"stage": "reference"}) == "groups and macros"


def test_a_resync_after_a_long_absence_shows_progress_over_the_last_success():
    state = {"last_success": "2026-11-18T14:00:00+00:00", "progress": {"stage": "queue", "page": 1, "pages": 5}}
    assert "Zendesk syncing page 1 of ~5" in line({"zendesk": state})


def test_a_note_follows_the_count():
    assert " All unsolved  3000 searching Zendesk… " in line({}, note="searching Zendesk…")


def test_progress_left_by_a_copy_that_died_mid_sync_is_not_shown():
    now = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC)
    fresh = {"stage": "queue", "page": 3, "pages": 5, "at": "2026-11-18T13:59:00Z"}
    old = {**fresh, "at": "2026-11-18T13:40:00Z"}
    assert current({"zendesk": {"progress": fresh}}, now)["zendesk"]["progress"] == fresh
    assert current({"zendesk": {"progress": old}}, now)["zendesk"]["progress"] is None
    assert current({"zendesk": {"progress": {"stage": "queue", "page": 1}}}, now)["zendesk"]["progress"] is None


def test_progress_shows_over_an_offline_state_it_is_retrying():
    state = {"offline_since": "2026-11-18T13:00:00Z", "progress": {"stage": "queue", "page": 2, "pages": 5}}
    shown = line({"zendesk": state})
    assert "Zendesk syncing page 2 of ~5" in shown and "offline" not in shown
