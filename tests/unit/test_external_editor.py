"""The external editor (ctrl+o in the composer): which editor, and the terminal handed back."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from triage_tui.ui.external_editor import EditorFailed, edit_with_app_suspended, editor_command


def test_visual_then_editor_then_vi_with_their_arguments():
    assert editor_command({"VISUAL": "code --wait", "EDITOR": "nano"}) == ["code", "--wait"]
    assert editor_command({"VISUAL": " ", "EDITOR": "nano -R"}) == ["nano", "-R"]
    assert editor_command({}) == ["vi"]


def test_an_unbalanced_quote_is_one_line_not_a_traceback():
    with pytest.raises(EditorFailed, match="not a command"):
        editor_command({"EDITOR": "'vim"})


class SuspendingApp:
    """Textual's App.suspend as it is: the app resumes only when the block ends normally."""

    is_headless = False

    def __init__(self) -> None:
        self.resumed = False

    @contextmanager
    def suspend(self):
        yield
        self.resumed = True


def test_a_failing_editor_still_gives_the_terminal_back_to_the_app(monkeypatch, tmp_path):
    """`:cq` in vim left the screen blank: the failure was raised inside app.suspend()."""
    script = tmp_path / "fails"
    script.write_text("#!/bin/sh\nexit 1\n")
    script.chmod(0o700)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    app = SuspendingApp()
    with pytest.raises(EditorFailed, match="exited with 1"):
        edit_with_app_suspended(app, "draft")  # type: ignore[arg-type]  # a stand-in: suspend() only
    assert app.resumed


def test_a_missing_editor_still_gives_the_terminal_back_to_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("EDITOR", str(tmp_path / "nowhere"))
    monkeypatch.delenv("VISUAL", raising=False)
    app = SuspendingApp()
    with pytest.raises(EditorFailed, match="could not run"):
        edit_with_app_suspended(app, "draft")  # type: ignore[arg-type]  # a stand-in: suspend() only
    assert app.resumed
