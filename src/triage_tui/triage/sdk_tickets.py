"""The SDK rotation's Zendesk tickets (pure: no IO): the shorter clock of a mobile SDK
ticket. The page asks for a faster SLA on mobile SDKs (a fix takes weeks or months to reach
users through the app stores) without a figure; the share of the plan's target is config."""

from __future__ import annotations

from dataclasses import replace

from triage_tui.triage.sla import BusinessCalendar, SlaClock


def mobile_clock(clock: SlaClock, target_hours: float | None, share: float, calendar: BusinessCalendar) -> SlaClock:
    """`clock` with its target cut to `share` of `target_hours`: the same start, an earlier
    breach (running), or less time left (paused). No target (free plan), no clock: as is."""
    if not target_hours or share >= 1:
        return clock
    cut = target_hours * 3600 * (1 - share)
    if clock.state == "running" and clock.breach_at is not None:
        return replace(clock, breach_at=calendar.add(clock.breach_at, -cut))
    if clock.state == "paused" and clock.remaining_when_paused is not None:
        return replace(clock, remaining_when_paused=clock.remaining_when_paused - cut)
    return clock
