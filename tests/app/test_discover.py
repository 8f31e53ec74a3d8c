"""At 80x24 the screen teaches the tool (issue 15), and the queue keys act on what is
seen (issue 12): the key bar per pane, `?` grouped with a legend, markers that combine,
tier words, ticket keys only with the queue on screen, j/k in every list, marks that
outlive a filter, the cursor that keeps its place after an action, links."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tests.app.test_writes import burst
from tests.waiting import until
from triage_tui.sync.events import SyncEvent
from triage_tui.ui import keys
from triage_tui.ui.links import has_local_display
from triage_tui.ui.screens.composer import Composer
from triage_tui.ui.screens.confirm import Confirm
from triage_tui.ui.screens.help import HelpScreen
from triage_tui.ui.sync_bridge import SyncReported
from triage_tui.ui.widgets.incidents import IncidentPane
from triage_tui.ui.widgets.keybar import KeyBar
from triage_tui.ui.widgets.queue import LEGEND
from triage_tui.ui.widgets.sdk import SdkPane
from triage_tui.ui.widgets.status import StatusLine

SMALL = (80, 24)
ALWAYS = ["e Escalate", "m Macro", "r Reply", "i Note", "p Pending", "s Solve", "n Next"]


async def keybar(app, pilot) -> str:
    await app.main.mount_side_panes()
    await pilot.pause()
    bar = app.main.query_one(KeyBar)
    text = str(bar.render())
    assert len(text) <= 80
    return text


def status(app) -> str:
    rendered = app.main.query_one(StatusLine).render()
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


async def test_key_bar_at_80x24_shows_the_pane_first_and_the_most_used_always(harness):
    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        queue = await keybar(app, pilot)
        assert queue.startswith(" space Mark")  # the focused queue's own key first
        assert all(item in queue for item in ALWAYS) and queue.rstrip().endswith("? more")

        await pilot.press("tab")  # the conversation: the ticket keys still shown
        detail = await keybar(app, pilot)
        assert all(item in detail for item in ALWAYS) and "space Mark" not in detail

        await pilot.press("2")  # incidents, full screen: their keys; no ticket key
        incidents = await keybar(app, pilot)
        assert incidents.startswith(" w Raise hand M Macro F Follow up H Handover u URL")
        assert "s Solve" not in incidents and "r Reply" not in incidents and "? more" in incidents

        await pilot.press("3")
        sdk = await keybar(app, pilot)
        assert sdk.startswith(" l Label u URL") and "s Solve" not in sdk

        await pilot.press("1", "I", "tab")  # the split (the detail makes room): the incident list
        assert app.focused is app.main.query_one("#incident-list")
        split = await keybar(app, pilot)
        assert split.startswith(" w Raise hand") and "? more" in split


async def test_key_bar_reads_the_remaps(harness):
    app = harness.app(keys={"queue.next": "N", "ticket.solve": "S", "app.help": "f1"})
    async with app.run_test(size=SMALL) as pilot:
        text = await keybar(app, pilot)
        assert "N Next" in text and "S Solve" in text and "f1 more" in text
        assert "n Next" not in text and "s Solve" not in text


async def test_help_is_grouped_lists_ctrl_keys_and_a_legend(harness):
    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        titles = "\n".join(str(s.render()) for s in app.screen.query(Static))
        for title in ("Queue", "Ticket", "Composer", "Incidents", "SDK rotation", "Global", "Queue rows"):
            assert title in titles, title
        sections = dict(app.screen._sections())
        shown_keys = " ".join(row[0] for rows in sections.values() for row in rows)
        for ctrl in ("^s", "^t", "^r", "^p", "^d", "^u"):
            assert ctrl in shown_keys, ctrl
        assert any("palette" in does for _, does, _ in sections["Terminal app"])
        markers = [marker for marker, _, _ in LEGEND]
        for marker in ("●", "↑", "⇡", "!", "⚠", "Breached", "SLA <3h", "paused"):
            assert marker in markers, marker
        # Every binding id once, in one section.
        assert {k.id for _, section in keys.SECTIONS for k in section} == set(keys.BY_ID)


async def test_markers_combine_and_tiers_say_what_they_mean(harness):
    app = harness.app()
    async with app.run_test(size=SMALL):
        table = app.queue_table
        cells = {row.entry.id: (row, table._cells(row)) for row in table.rows}
        both = [c for r, c in cells.values() if "⇡" in c["mark"] and "!" in c["mark"]]
        assert both, "an escalated ticket tagged with an incident shows both markers"
        for row, cell in cells.values():
            if row.tier == 4:
                late = row.seconds_to_breach is not None and row.seconds_to_breach < 0
                assert cell["tier"] == ("Breached" if late else "SLA <3h")
            if row.entry.clock.state == "paused":
                assert cell["sla"] == "paused" and cell["tier"] == "Waiting"
        assert any(c["tier"] == "SLA <3h" for r, c in cells.values() if r.tier == 4) or all(
            r.seconds_to_breach < 0 for r, _ in cells.values() if r.tier == 4
        )


async def test_ticket_keys_do_not_act_on_the_hidden_queue(harness):
    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("2", "s", "r", "p")
        assert not isinstance(app.screen, Confirm | Composer)
        await pilot.press("3", "s", "r")
        assert not isinstance(app.screen, Confirm | Composer)
        await pilot.press("1", "s")
        assert isinstance(app.screen, Confirm)
    assert not harness.queued()


async def test_j_k_move_in_the_incident_and_sdk_lists(harness):
    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("2", "j")
        incidents = app.main.query_one(IncidentPane)
        assert incidents.query_one("#incident-list").highlighted == 1
        await pilot.press("k")
        assert incidents.query_one("#incident-list").highlighted == 0
        await pilot.press("3", "j", "j", "k")
        assert app.main.query_one(SdkPane).query_one("#sdk-list").highlighted == 1


async def test_marks_survive_a_filter_and_are_counted(harness):
    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        table = app.queue_table
        await pilot.press("space", "space")
        marked = set(table.marked)
        assert len(marked) == 2 and "●2 marked" in status(app)
        other = next(r for r in table.rows if r.entry.id not in marked)
        await pilot.press("slash", *str(other.entry.id), "enter")
        await until(pilot, lambda: [r.entry.id for r in table.rows] == [other.entry.id], what="the filter applies")
        assert table.marked == marked and "●2 hidden" in status(app)
        assert table.selected_ids() == [other.entry.id]  # keys act on what is seen
        await pilot.press("escape")
        await until(pilot, lambda: len(table.rows) > 1, what="the filter clears")
        assert table.marked == marked and "●2 marked" in status(app)


async def test_after_an_action_the_cursor_keeps_its_place(harness):
    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        table = app.queue_table
        # A ticket that awaits us, with one after it: Pending sends it to the bottom.
        start = next(i for i, r in enumerate(table.rows[:-1]) if r.tier < 7 and i > 0)
        table.cursor = start
        acted, following = table.rows[start].entry.id, table.rows[start + 1].entry.id
        await pilot.press("p", *"Could you share the project id?", "ctrl+s")
        assert not isinstance(app.screen, Composer)
        await harness.send()
        app.post_message(SyncReported(SyncEvent(changed_tickets=[acted])))
        await until(pilot, lambda: table.rows[start].entry.id != acted, what="the ticket moves to Waiting")
        assert table.cursor == start and table.current_id == following


async def test_u_copies_the_ticket_link_over_ssh(harness, monkeypatch):
    app = harness.app()
    copied: list[str] = []
    notes: list[str] = []
    app.copy_to_clipboard = copied.append
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    async with app.run_test(size=SMALL) as pilot:
        app.main.notify = lambda message, **kw: notes.append(message)
        ticket_id = app.queue_table.current_id
        await pilot.press("u")
        assert copied == [f"{app.config.zendesk.base_url()}/agent/tickets/{ticket_id}"]
        assert any("OSC 52" in n for n in notes)
        await pilot.press("2", "u")  # the incident's incident.io page
        assert copied[-1].startswith("https://app.incident.io/")


async def test_u_then_j_in_one_burst_copies_the_ticket_u_was_pressed_on(harness, monkeypatch):
    """`u j` typed in one read: the link is the ticket under the cursor when `u` came, not
    the next one (`j` used to overtake `u`). In the incident split, the focused incident
    list's own `u` still wins."""
    app = harness.app()
    copied: list[str] = []
    app.copy_to_clipboard = copied.append
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    async with app.run_test(size=SMALL) as pilot:
        first = app.queue_table.current_id
        burst(app, "u", "j")
        await until(pilot, lambda: copied and app.queue_table.current_id != first, what="u copied, j moved")
        assert copied == [f"{app.config.zendesk.base_url()}/agent/tickets/{first}"]
        await pilot.press("I")
        await until(pilot, lambda: app.main.query_one("#incident-list").region.area > 0, what="the split")
        app.main.query_one("#incident-list").focus()
        await pilot.press("u")
        await until(pilot, lambda: len(copied) == 2, what="u in the incident list")
        assert copied[-1].startswith("https://app.incident.io/")


def test_a_local_display_is_one_without_ssh():
    assert has_local_display({"DISPLAY": ":0"}, "linux")
    assert not has_local_display({"DISPLAY": ":0", "SSH_TTY": "/dev/pts/1"}, "linux")
    assert not has_local_display({}, "linux")
    assert has_local_display({}, "darwin")
    assert not has_local_display({"SSH_CONNECTION": "x"}, "darwin")


def test_global_flags_work_after_the_command():
    from triage_tui.cli.parser import build_parser

    parser = build_parser()
    for argv in (["demo", "--no-mouse"], ["--no-mouse", "demo"]):
        args = parser.parse_args(argv)
        assert args.command == "demo" and args.no_mouse and not args.offline
    args = parser.parse_args(["run", "--offline", "--config", "x.toml"])
    assert args.offline and str(args.config) == "x.toml" and not args.no_mouse
    assert not parser.parse_args(["demo"]).no_mouse


def test_the_example_config_remaps_nothing(tmp_path):
    from triage_tui.config import EXAMPLE_CONFIG, load_config

    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE_CONFIG, encoding="utf-8")
    assert not load_config(path, environ={}).keys  # copying it keeps every default key (n Next too)


def test_readme_commands_work_on_a_fresh_machine():
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "mkdir -p ~/.config/triage-tui\ntriage-tui config --example > ~/.config/triage-tui/config.toml" in readme
    ports = set(re.findall(r"sandbox --port (\d+)", readme))
    used = set(re.findall(r"http://127\.0\.0\.1:(\d+)", readme))
    assert ports and ports == used, (ports, used)


async def test_the_cursor_row_is_not_the_colour_of_a_breach_on_16_and_256_colours(harness):
    from rich.color import ColorSystem

    app = harness.app()
    async with app.run_test(size=SMALL):
        table = app.queue_table
        cursor = table.get_component_rich_style("queue--cursor").bgcolor
        breach = table.get_component_rich_style("queue--breached")
        breach_colour = breach.color if breach.color else breach.bgcolor
        assert cursor is not None and breach_colour is not None
        for system in (ColorSystem.STANDARD, ColorSystem.EIGHT_BIT):
            assert cursor.downgrade(system) != breach_colour.downgrade(system), system
        assert cursor.downgrade(ColorSystem.STANDARD).number not in (1, 9)  # red, bright red


async def test_z_zooms_the_focused_pane_and_back(harness):
    from triage_tui.ui.widgets.detail import DetailPane

    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("enter", "z")
        assert isinstance(app.main.maximized, DetailPane)
        await pilot.press("z")
        assert app.main.maximized is None
        await pilot.press("2", "z")
        assert isinstance(app.main.maximized, IncidentPane)  # the list and its detail together
        await pilot.press("z")
        assert app.main.maximized is None


async def test_palette_entries_show_the_org_and_the_key(harness):
    from tests.app.palette import palette_top

    app = harness.app(keys={"ticket.solve": "S"})
    async with app.run_test(size=SMALL) as pilot:
        entry = app.queue_table.rows[3].entry
        await pilot.press("ctrl+p", *f"#{entry.id}")
        await until(pilot, lambda: palette_top(app).startswith(f"#{entry.id}"))
        assert palette_top(app).endswith(f"· {entry.org or entry.requester}")
        await pilot.press("escape", "ctrl+p", *"Solve the ticket")
        await until(pilot, lambda: palette_top(app) == "Solve the ticket  (S)")


async def test_the_queue_fits_its_column_in_the_wide_incident_split(harness):
    app = harness.app()
    async with app.run_test(size=(160, 48)) as pilot:
        await app.main.mount_side_panes()
        await pilot.press("I")
        await pilot.pause()
        table = app.queue_table
        left = app.main.query_one("#left")
        assert table.size.width == left.size.width < 160
        subject = {c.key: w for c, w in table._columns()}["subject"]
        assert subject >= 30, subject
