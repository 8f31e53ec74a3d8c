"""The command palette as a test reads it."""

from __future__ import annotations


def palette_top(app) -> str:
    """The title of the first hit the command palette offers now ("" while it has none)."""
    from textual.command import CommandList

    options = app.screen.query_one(CommandList)
    return str(options.get_option_at_index(0).prompt).split("\n")[0] if options.option_count else ""
