"""triage-tui: a keyboard-driven terminal workstation for support engineers."""

__version__ = "0.1.0"
