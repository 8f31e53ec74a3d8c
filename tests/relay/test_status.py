"""The status line says which path feeds the queue when a team's relay is configured."""

from __future__ import annotations

from triage_tui.ui.widgets.status import status_text


def line(zendesk: dict) -> str:
    return status_text(
        view="All unsolved",
        count=12,
        filter_text="",
        sources={"zendesk": zendesk},
        queued={},
        counts={},
        offline_mode=False,
    ).plain


def test_the_status_line_says_via_relay_or_direct_since_the_relay_was_lost():
    synced = {"last_success": "2026-12-07T10:42:00Z"}
    assert "Zendesk ✓10:42 via relay" in line({**synced, "path": "relay"})
    assert "Zendesk ✓10:42 direct, relay lost 10:40" in line({**synced, "path": "zendesk: relay lost 10:40"})
    assert line(synced).rstrip().endswith("Zendesk ✓10:42")  # no relay configured: as before
