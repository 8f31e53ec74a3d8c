"""Untrusted text (tickets, incidents, issues) made inert before it reaches the terminal.

Rich `Text` never parses markup, but it passes characters through: an ESC in a subject
would reach the terminal as a live escape sequence (clear screen, OSC 52 clipboard
write, OSC 8 link). So escape sequences are removed, other control characters and
bidirectional overrides become visible placeholders, and nothing is ever given to a
markup parser.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, set_cell_size
from rich.text import Text

_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL/ST (clipboard, links, titles)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI (cursor moves, clear screen, colours)
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
)
# C0 and C1 controls (but tab and newline), DEL, bidi overrides and isolates, BOM.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
PLACEHOLDER = "\ufffd"


def clean(text: str | None, *, multiline: bool = False, limit: int | None = None) -> str:
    if not text:
        return ""
    if limit is not None and len(text) > limit:
        text = text[:limit]
    text = _ESCAPE_SEQUENCE.sub(PLACEHOLDER, text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if multiline:
        text = text.replace("\t", "    ")
    else:
        text = text.replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub(PLACEHOLDER, text)


def plain(text: str | None, style: str = "", *, multiline: bool = False, limit: int | None = None) -> Text:
    """A Rich Text of untrusted content: never markup, never an escape sequence."""
    return Text(clean(text, multiline=multiline, limit=limit), style=style, no_wrap=not multiline, end="")


def fit(text: str, width: int) -> str:
    """Exactly `width` cells (pads or truncates; wide characters counted as two)."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)
