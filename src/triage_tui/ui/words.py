"""Counts as people write them: "1 ticket", "3 tickets", never "1 tickets" or "ticket(s)"."""

from __future__ import annotations


def tickets(count: int, kind: str = "") -> str:
    """`count` tickets, with an adjective when given: tickets(1, "tagged") is "1 tagged ticket"."""
    noun = "ticket" if count == 1 else "tickets"
    return f"{count} {kind} {noun}" if kind else f"{count} {noun}"
