"""Ticket, incident and issue text is untrusted: it renders as inert text."""

from __future__ import annotations

import copy

import pytest

from tests.conftest import Closing
from tests.helpers import Harness
from triage_sandbox.server import Sandbox
from triage_tui.ui.safe import clean, fit
from triage_tui.ui.widgets.detail import DetailPane

HOSTILE = (
    "[bold]bold[/bold] [@click=app.quit]click me[/] [link=https://evil.example]link[/link] "
    "\x1b[2J\x1b[H cleared \x1b]52;c;ZXZpbA==\x07 clip \x1b]8;;https://evil.example\x1b\\osc8\x1b]8;;\x1b\\ "
    "nul\x00 bell\x07 \u202eevil\u202c wide 漢字 emoji 🔥 \x9b31m c1"
)


def test_clean_removes_escape_sequences_and_controls():
    text = clean(HOSTILE)
    assert "\x1b" not in text and "\x07" not in text and "\x00" not in text and "\x9b" not in text
    assert "\u202e" not in text
    assert "[bold]bold[/bold]" in text and "[@click=app.quit]" in text  # kept, as literal text
    assert "漢字" in text and "🔥" in text


def test_fit_counts_wide_characters_as_two_cells():
    from rich.cells import cell_len

    assert cell_len(fit("漢字漢字漢字", 5)) == 5
    assert cell_len(fit("x" * 10_000, 40)) == 40


@pytest.fixture
def hostile_dataset(dataset):
    data = copy.deepcopy(dataset)
    ticket = next(t for t in data["tickets"] if t["status"] == "open" and "cs_tagged" not in t["tags"])
    ticket["subject"] = HOSTILE + " " + "s" * 10_000
    ticket["tags"] = ticket["tags"] + ["[red]tag[/red]"]
    body = HOSTILE + "\n" + ("A" * 1000 + "\n") * 1000  # about 1 MB
    data["comments"][str(ticket["id"])] = [
        {
            "id": 1,
            "type": "Comment",
            "author_id": ticket["requester_id"],
            "body": body,
            "plain_body": body,
            "public": True,
            "attachments": [],
            "created_at": ticket["created_at"],
        }
    ]
    requester = next(u for u in data["users"] if u["id"] == ticket["requester_id"])
    requester["name"] = "[blink]Mallory[/blink] \x1b[31mred"
    data["incidents"][0]["name"] = HOSTILE
    next(iter(data["issues"].values()))[0]["title"] = HOSTILE
    return data, ticket["id"]


async def test_hostile_ticket_renders_inert_and_the_layout_holds(hostile_dataset, tmp_path, closing: Closing):
    data, ticket_id = hostile_dataset
    with Sandbox(data) as sandbox:
        harness = closing(Harness(sandbox, tmp_path / "cache"))
        await harness.fill()
        app = harness.app()
        async with app.run_test(size=(100, 30)) as pilot:
            assert app.queue_table.move_to(ticket_id)
            await pilot.pause()
            detail = app.main.query_one(DetailPane)
            assert detail.detail is not None and detail.detail.ticket.id == ticket_id
            screen = app.export_screenshot()
            assert "\x1b" not in screen and "\x07" not in screen and "\u202e" not in screen
            assert "[@click=app.quit]" in screen.replace("&#160;", " ")  # shown, not parsed
            # The 10,000-character subject stays on one queue line.
            line = app.queue_table.render_line(app.queue_table.cursor + 1 - int(app.queue_table.scroll_offset.y))
            assert line.cell_length == app.queue_table.scrollable_content_region.width
            # Clicking on the text fires nothing: the app is still running afterwards.
            await pilot.click(DetailPane, offset=(5, 0))
            await pilot.press("2", "3", "1")
            assert app.is_running
            conversation = app.main.query_one(DetailPane).plain_text
            assert "more characters not shown" in conversation
