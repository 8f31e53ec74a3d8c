"""The SDK rotation's Zendesk tickets (pure: no IO): each once, the shorter clock of a
mobile SDK ticket, closest to breach first. The page asks for a faster SLA on mobile SDKs
(a fix takes weeks or months to reach users through the app stores) without a figure; the
share of the plan's target is config."""

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


def rotation_tickets(views: list[dict]) -> list[tuple[dict, bool]]:
    """Each ticket of the rotation's Zendesk views once, first seen first, and whether a
    mobile view holds it (its SLA is then the mobile one)."""
    mobile_ids = {t["id"] for v in views if v.get("mobile") for t in v.get("tickets") or []}
    seen: dict[int, dict] = {}
    for view in views:
        for ticket in view.get("tickets") or []:
            seen.setdefault(ticket["id"], ticket)
    return [(ticket, ticket_id in mobile_ids) for ticket_id, ticket in seen.items()]


def breach_order(row: tuple[float | None, bool, dict]) -> tuple[bool, float, bool]:
    """Sort key of (seconds to breach, mobile, ticket): closest to breach first, a mobile
    ticket first at a tie, tickets without a clock last."""
    seconds, mobile, _ = row
    return (seconds is None, seconds if seconds is not None else 0.0, not mobile)
