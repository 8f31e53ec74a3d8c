"""Modal screens and the full-screen views."""


def settle_cursors(screen) -> None:
    """Turn cursor blinking off when the app asks (snapshots, and users who prefer it)."""
    if getattr(screen.app, "cursor_blink", True):
        return
    for widget in screen.query("Input, TextArea"):
        widget.cursor_blink = False
