"""The one kind of error a command shows its user: one line on stderr, exit code 2."""

from __future__ import annotations


class UserError(Exception):
    """Printed as one line, exit code 2."""
