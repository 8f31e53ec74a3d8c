"""Edit a draft in the user's own editor, as git, gh and lazygit do: `$VISUAL`, else
`$EDITOR`, else `vi`, on a private temporary file (0600, removed after), with the app
suspended so the editor has the terminal. At 80x24 the composer's box is a few lines; the
editor is the one every terminal user already has."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import App, SuspendNotSupported
from textual.widgets import TextArea

FALLBACK = "vi"


class EditorFailed(Exception):
    """The editor could not run or gave up: the one line the user reads (draft unchanged)."""


def editor_command(environ: dict[str, str] | None = None) -> list[str]:
    """The editor as git picks it: `$VISUAL`, else `$EDITOR` (with its arguments, such as
    `code --wait`), else vi."""
    env = os.environ if environ is None else environ
    value = (env.get("VISUAL") or "").strip() or (env.get("EDITOR") or "").strip() or FALLBACK
    try:
        return shlex.split(value) or [FALLBACK]
    except ValueError as error:  # an unbalanced quote in the variable
        raise EditorFailed(f"$VISUAL/$EDITOR is not a command ({error}): the draft is unchanged") from error


def edit_in_editor(text: str, command: list[str]) -> str:
    """Run the editor on `text` and return what it saved. Blocks while the editor runs."""
    handle, name = tempfile.mkstemp(prefix="triage-draft-", suffix=".md")  # 0600, ours alone
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text if text.endswith("\n") else text + "\n")  # a text file, as editors save it
        try:
            finished = subprocess.run([*command, str(path)], check=False)  # the user's own editor, on our file
        except OSError as error:  # not found, not executable
            raise EditorFailed(f"{command[0]} could not run ({error.strerror}): the draft is unchanged") from error
        if finished.returncode != 0:
            raise EditorFailed(f"{command[0]} exited with {finished.returncode}: the draft is unchanged")
        edited = path.read_text(encoding="utf-8", errors="replace")
    finally:
        path.unlink(missing_ok=True)
    # The file ends with a newline; the draft keeps the ending it had.
    return edited if text.endswith("\n") else edited.rstrip("\n")


def _attempt(text: str, command: list[str]) -> str | Exception:
    try:
        return edit_in_editor(text, command)
    except Exception as error:  # noqa: BLE001 - raised by the caller once the app is back
        return error


def edit_with_app_suspended(app: App, text: str) -> str:
    """Hand the terminal to the editor and take the text back; EditorFailed says why not.

    Nothing is raised inside `app.suspend()`: Textual resumes the app only when that block
    ends normally (an exception leaves the terminal in the editor's mode, the screen blank)."""
    command = editor_command()
    try:
        with app.suspend():
            outcome = _attempt(text, command)
    except SuspendNotSupported:
        if not app.is_headless:
            raise EditorFailed("this terminal cannot hand over to an editor: the draft is unchanged") from None
        # Headless (tests, a pipe): there is no terminal to hand over, the editor runs as it is.
        outcome = _attempt(text, command)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def edit_text_area(area: TextArea) -> None:
    """ctrl+o in a text box: its text through the editor and back, or a one-line error
    with the draft unchanged. The whole text is replaced in one edit, so ctrl+z undoes it."""
    try:
        edited = edit_with_app_suspended(area.app, area.text)
    except EditorFailed as error:
        area.notify(str(error), severity="error", markup=False, timeout=10)
        return
    if edited != area.text:
        area.replace(edited, area.document.start, area.document.end)
        area.move_cursor(area.document.end)
    area.focus()
