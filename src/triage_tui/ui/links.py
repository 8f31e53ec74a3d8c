"""A link the user wants: opened in the browser when this machine has a display of its
own, and always copied to the clipboard with OSC 52, which reaches the laptop over SSH."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from triage_tui.ui.safe import clean

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widget import Widget

    from triage_tui.config import ZendeskConfig

_SSH = ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY")


def has_local_display(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """A browser here would open on the user's screen: a desktop session, not over SSH."""
    env = os.environ if env is None else env
    if any(env.get(name) for name in _SSH):
        return False
    if (platform or sys.platform) in ("darwin", "win32"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def ticket_url(zendesk: ZendeskConfig, ticket_id: int) -> str | None:
    """The agent's view of a ticket in Zendesk (none without a configured Zendesk)."""
    base = zendesk.base_url()
    return f"{base}/agent/tickets/{ticket_id}" if base else None


def open_or_copy(node: Widget | Screen, url: str | None, what: str = "link") -> None:
    """Open `url` in the browser (a local display) and copy it (OSC 52), saying which."""
    if not url:
        node.notify(f"No {what} known for this one.", severity="warning", markup=False)
        return
    url = clean(url, limit=500)  # untrusted: no escape sequence reaches the terminal
    app = node.app
    app.copy_to_clipboard(url)
    if has_local_display() and not app.is_headless:
        app.open_url(url)
        node.notify(f"Opened in the browser (and copied):\n{url}", markup=False, timeout=8)
    else:
        node.notify(f"Copied to your clipboard (OSC 52):\n{url}", markup=False, timeout=10)
