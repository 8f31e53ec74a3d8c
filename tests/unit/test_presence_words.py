"""What another copy announces is untrusted: an activity this version does not know is
shown as "viewing", never as free text inside our sentence."""

from __future__ import annotations

import datetime as dt

from triage_tui.presence import colleagues, line
from triage_tui.relay.names import PRESENCE_STORE_KEY


class Board:
    def __init__(self, entries: dict) -> None:
        self.values = {PRESENCE_STORE_KEY: {"7": entries}}

    def get(self, key: str):
        return self.values.get(key)


def test_an_unknown_activity_reads_as_viewing_and_a_known_one_as_itself():
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    board = Board(
        {
            "a": {"name": "Alex", "doing": "replying", "at": at},
            "b": {"name": "Mallory", "doing": "deleting your tickets \x1b[2J" * 20, "at": at},
            "c": {"name": "Sam", "doing": ["noting"], "at": at},
        }
    )
    assert line(colleagues(board, 7)) == "Alex is replying, Mallory is viewing, Sam is viewing"
