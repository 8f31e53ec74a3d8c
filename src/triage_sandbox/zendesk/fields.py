"""Ticket values as Zendesk orders them, shared by views, search and SLAs."""

from __future__ import annotations

import datetime as dt
from typing import Any

STATUS_ORDER = ["new", "open", "pending", "hold", "solved", "closed"]
PRIORITY_ORDER = [None, "low", "normal", "high", "urgent"]


def parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def status_rank(status: Any) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else -1
