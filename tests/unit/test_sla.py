"""SLA clocks in business hours: each handbook rule, then properties of the arithmetic."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from triage_tui.triage.sla import (
    BusinessCalendar,
    ClockEvent,
    alert_due,
    format_duration,
    run_clock,
    stage_for,
)

UTC = dt.UTC
CAL = BusinessCalendar()  # handbook default: every hour of Monday to Friday, UTC
FRI_20 = dt.datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # a Friday evening
MON_00 = dt.datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
H = 3600.0


def test_weekend_hours_never_count():
    assert CAL.seconds_between(FRI_20, MON_00) == 4 * H
    assert CAL.seconds_between(dt.datetime(2026, 11, 21, 3, tzinfo=UTC), dt.datetime(2026, 11, 22, 23, tzinfo=UTC)) == 0


def test_enterprise_8h_target_set_friday_evening_breaches_monday_morning():
    clock = run_clock([ClockEvent(FRI_20, "awaiting")], 8, CAL)
    assert clock.state == "running"
    assert clock.breach_at == dt.datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def test_business_hours_and_timezone_are_configurable():
    cal = BusinessCalendar(tz=ZoneInfo("Europe/London"), day_start=dt.time(9), day_end_hour=17)
    start = dt.datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # Friday 16:00 London
    assert cal.add(start, 2 * H) == dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_holidays_do_not_count():
    cal = BusinessCalendar(holidays=frozenset({dt.date(2026, 11, 23)}))
    assert cal.seconds_between(FRI_20, dt.datetime(2026, 11, 24, 1, tzinfo=UTC)) == 5 * H


def test_customer_reply_restarts_the_clock():
    first = FRI_20 - dt.timedelta(days=4)  # Monday evening
    events = [
        ClockEvent(first, "awaiting"),
        ClockEvent(first + dt.timedelta(hours=1), "answered"),
        ClockEvent(FRI_20, "awaiting"),
    ]
    clock = run_clock(events, 24, CAL)
    assert clock.breach_at == CAL.add(FRI_20, 24 * H)


def test_public_reply_meets_the_target_and_stops_the_clock():
    clock = run_clock([ClockEvent(FRI_20, "awaiting"), ClockEvent(MON_00, "answered")], 8, CAL)
    assert clock.state == "idle"
    assert clock.seconds_to_breach(MON_00, CAL) is None


def test_pending_and_on_hold_pause_the_clock_and_resume_where_they_left():
    start = dt.datetime(2026, 11, 16, 8, tzinfo=UTC)  # Monday
    paused = run_clock([ClockEvent(start, "awaiting"), ClockEvent(start + dt.timedelta(hours=2), "paused")], 8, CAL)
    assert paused.state == "paused"
    assert paused.remaining_when_paused == 6 * H
    resumed_at = start + dt.timedelta(hours=30)
    resumed = run_clock(
        [
            ClockEvent(start, "awaiting"),
            ClockEvent(start + dt.timedelta(hours=2), "paused"),
            ClockEvent(resumed_at, "resumed"),
        ],
        8,
        CAL,
    )
    assert resumed.breach_at == resumed_at + dt.timedelta(hours=6)


def test_solved_and_closed_stop_the_clock():
    assert run_clock([ClockEvent(FRI_20, "awaiting"), ClockEvent(MON_00, "stopped")], 8, CAL).state == "idle"


def test_free_plan_has_no_target():
    assert run_clock([ClockEvent(FRI_20, "awaiting")], None, CAL).state == "idle"


def test_time_to_breach_is_negative_once_breached():
    clock = run_clock([ClockEvent(FRI_20, "awaiting")], 8, CAL)
    assert clock.seconds_to_breach(MON_00 + dt.timedelta(hours=5), CAL) == -1 * H


def test_warning_stages_are_3h_2h_1h_then_breached():
    assert stage_for(5 * H) is None
    assert stage_for(3 * H) == "3h"
    assert stage_for(2.5 * H) == "3h"
    assert stage_for(1.5 * H) == "2h"
    assert stage_for(10) == "1h"
    assert stage_for(0) == "breached"
    assert stage_for(None) is None


def test_each_alert_stage_fires_once_and_at_most_three_per_ticket():
    assert alert_due("3h", frozenset()) == "3h"
    assert alert_due("3h", frozenset({"3h"})) is None
    assert alert_due("1h", frozenset({"3h"})) == "1h"
    assert alert_due("breached", frozenset()) is None
    assert alert_due("1h", frozenset({"3h", "2h", "1h"})) is None


def test_duration_labels_are_compact():
    assert format_duration(3 * H + 12 * 60) == "3h12m"
    assert format_duration(-45 * 60) == "-45m"
    assert format_duration(50 * H) == "2d2h"
    assert format_duration(None) == "—"


moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2028, 12, 31), timezones=st.just(UTC))
calendars = st.builds(
    BusinessCalendar,
    tz=st.sampled_from([ZoneInfo("UTC"), ZoneInfo("Europe/London"), ZoneInfo("America/New_York")]),
    day_start=st.sampled_from([dt.time(0), dt.time(9), dt.time(8, 30)]),
    day_end_hour=st.sampled_from([24.0, 17.0, 18.5]),
)


@settings(max_examples=200, deadline=None)
@given(start=moments, hours=st.floats(min_value=0, max_value=24 * 14))
def test_time_never_counts_on_weekends(start, hours):
    end = start + dt.timedelta(hours=hours)
    total = CAL.seconds_between(start, end)
    weekend_free = sum(1 for i in range(int(hours * 4)) if (start + dt.timedelta(minutes=15 * i)).weekday() < 5) * 900
    # Sampling every 15 minutes: equal to within one sample at each end.
    assert abs(total - weekend_free) <= 1800 + 1e-6


@settings(max_examples=200, deadline=None)
@given(cal=calendars, start=moments, seconds=st.floats(min_value=0, max_value=200 * H))
def test_adding_business_time_then_measuring_returns_the_same_amount(cal, start, seconds):
    end = cal.add(start, seconds)
    assert abs(cal.seconds_between(start, end) - seconds) < 1e-3
    assert abs(cal.seconds_between(cal.add(end, -seconds), end) - seconds) < 1e-3


@settings(max_examples=200, deadline=None)
@given(cal=calendars, start=moments, hours=st.floats(min_value=0, max_value=400))
def test_time_never_counts_outside_business_hours(cal, start, hours):
    end = start + dt.timedelta(hours=hours)
    total = cal.seconds_between(start, end)
    assert 0 <= total <= (end - start).total_seconds()
    local = start.astimezone(cal.tz)
    if cal.window(local.date()) is None and local.date() == end.astimezone(cal.tz).date():
        assert total == 0


@settings(max_examples=200, deadline=None)
@given(start=moments, pause_after=st.floats(0, 8), pause_for=st.floats(0, 500))
def test_pausing_never_advances_a_breach(start, pause_after, pause_for):
    running = run_clock([ClockEvent(start, "awaiting")], 8, CAL)
    pause = start + dt.timedelta(hours=pause_after)
    resume = pause + dt.timedelta(hours=pause_for)
    paused = run_clock(
        [ClockEvent(start, "awaiting"), ClockEvent(pause, "paused"), ClockEvent(resume, "resumed")], 8, CAL
    )
    assert paused.breach_at is not None and running.breach_at is not None
    assert paused.breach_at >= running.breach_at


def test_slas_after_our_write_follow_what_zendesk_would_say():
    from triage_tui.triage.sla import slas_after_write

    active = {"policy_metrics": [{"metric": "next_reply_time", "stage": "active", "breach_at": "2026-11-18T12:00:00Z"}]}
    paused = {"policy_metrics": [{"metric": "next_reply_time", "stage": "paused", "breach_at": None}]}
    assert slas_after_write(active, "open", public_reply=False) == active  # assigned, tagged, noted
    replied = slas_after_write(active, "open", public_reply=True)
    assert replied is not None and replied["policy_metrics"][0]["stage"] == "achieved"
    pending = slas_after_write(active, "pending", public_reply=False)
    assert pending is not None and pending["policy_metrics"][0] == {
        "metric": "next_reply_time",
        "stage": "paused",
        "breach_at": None,
    }
    solved = slas_after_write(active, "solved", public_reply=False)
    assert solved is not None and solved["policy_metrics"][0]["stage"] == "achieved"
    assert slas_after_write(paused, "open", public_reply=False) is None  # resumed: only Zendesk knows when
    assert slas_after_write({"policy_metrics": []}, "open", public_reply=True) == {"policy_metrics": []}
