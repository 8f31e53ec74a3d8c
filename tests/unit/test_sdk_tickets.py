"""The mobile SDK tickets' shorter SLA (sdk-support-rotation.md, "Mobile SDKs": "the SLA has
to be a bit faster"; the page gives no figure, the share is `[sdk] mobile_sla_factor`)."""

from __future__ import annotations

import datetime as dt

from triage_tui.config import SlaConfig
from triage_tui.triage.sdk_tickets import mobile_clock
from triage_tui.triage.sla import IDLE, BusinessCalendar, SlaClock

CALENDAR = BusinessCalendar.from_settings(SlaConfig())
MONDAY_9 = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)


def test_a_running_mobile_clock_breaches_after_half_the_plan_target():
    # Scale: 24 business hours; started Monday 09:00, breach Tuesday 09:00 (every hour of a weekday).
    clock = SlaClock("running", breach_at=CALENDAR.add(MONDAY_9, 24 * 3600), started_at=MONDAY_9)
    faster = mobile_clock(clock, 24, 0.5, CALENDAR)
    assert faster.breach_at == MONDAY_9 + dt.timedelta(hours=12)
    assert faster.seconds_to_breach(MONDAY_9, CALENDAR) == 12 * 3600


def test_a_breach_moved_back_across_a_weekend_counts_business_time_only():
    friday_20 = dt.datetime(2026, 11, 20, 20, 0, tzinfo=dt.UTC)
    breach = CALENDAR.add(friday_20, 8 * 3600)  # Enterprise 8h: Monday 04:00
    faster = mobile_clock(SlaClock("running", breach_at=breach), 8, 0.5, CALENDAR)
    assert faster.breach_at is not None and faster.breach_at < breach
    assert CALENDAR.seconds_between(friday_20, faster.breach_at) == 4 * 3600


def test_paused_clocks_keep_less_time_and_no_target_or_clock_is_left_alone():
    paused = SlaClock("paused", remaining_when_paused=20 * 3600)
    assert mobile_clock(paused, 24, 0.5, CALENDAR).remaining_when_paused == 8 * 3600
    assert mobile_clock(paused, None, 0.5, CALENDAR) == paused
    assert mobile_clock(IDLE, 24, 0.5, CALENDAR) == IDLE
