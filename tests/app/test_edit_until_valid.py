"""One editor loop for text that must parse before it is used (a raised incident's name
and summary, a follow-up's subject and reply): the editor stays open, the text as typed,
with the reason, until the text is taken; cancel gives nothing."""

from __future__ import annotations

from textual.app import App
from textual.widgets import TextArea

from tests.app.test_writes import burst, up
from tests.waiting import until
from triage_tui.ui.flows import edit_until_valid
from triage_tui.ui.screens.text_editor import TextEditor


def first_word(text: str) -> str | tuple[str, int]:
    """Taken: the first word and the line count; refused (a str): why."""
    words = text.split()
    if not words or words[0] == "draft":
        return "Write a word first, not the template."
    return words[0], len(text.splitlines())


def editor(app: App) -> TextEditor:
    assert isinstance(app.screen, TextEditor)
    return app.screen


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.taken: list[tuple[str, int] | None] = []
        self.parsed: list[str] = []

    def on_mount(self) -> None:
        self.run_worker(self.edit())

    async def edit(self) -> None:
        def parse(text: str) -> str | tuple[str, int]:
            self.parsed.append(text)
            return first_word(text)

        self.taken.append(await edit_until_valid(self, "Pick a word", "draft", parse, hint="ctrl+s take it"))


async def refused(pilot, app: Host) -> TextEditor:
    """The editor as it opened, saved once: the template is refused."""
    await up(pilot, app, TextEditor)
    burst(app, "ctrl+s")
    await until(pilot, lambda: editor(app).error is not None, what="the reason")
    return editor(app)


async def test_a_refused_text_keeps_the_editor_open_with_the_reason_and_a_taken_one_is_returned():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        opened = await refused(pilot, app)
        assert opened.error == "Write a word first, not the template." and app.taken == []
        # Still the text as typed: the refused text is edited, not lost.
        assert opened.query_one(TextArea).text == "draft"
        burst(app, "Exports ", "ctrl+s")  # typed where the cursor starts: the beginning
        await until(pilot, lambda: app.taken, what="the taken value")
    assert app.taken == [("Exports", 1)]
    assert app.parsed == ["draft", "Exports draft"]


async def test_cancel_gives_nothing_even_after_a_refusal():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await refused(pilot, app)
        burst(app, "escape")
        await until(pilot, lambda: app.taken, what="the editor closed")
    assert app.taken == [None]
