"""In the demo, `u` copies a link that opens something true: the sandbox's own page for the
ticket, the incident and the issue, saying it is the sandbox's (issue 24)."""

from __future__ import annotations

import copy

import httpx

from tests.conftest import Closing
from tests.helpers import Harness
from tests.waiting import until
from triage_sandbox.server import Sandbox, SandboxSettings
from triage_tui.ui.widgets.incidents import IncidentPane
from triage_tui.ui.widgets.sdk import SdkPane

SIZE = (80, 24)


async def test_every_link_u_copies_in_the_demo_opens_the_sandboxs_page(
    dataset, tmp_path, closing: Closing, monkeypatch
):
    with Sandbox(copy.deepcopy(dataset), settings=SandboxSettings(own_links=True)) as sandbox:
        harness = closing(Harness(sandbox, tmp_path / "cache"))
        for source in ("zendesk", "incidentio", "github"):
            assert (await harness.engine.engine.poll(source)).error is None
        app = harness.app()
        copied: list[str] = []
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        async with app.run_test(size=SIZE) as pilot:
            ticket_id = app.queue_table.current_id
            assert ticket_id is not None
            await pilot.press("u")
            await pilot.press("2")
            incident = await _current(pilot, lambda: app.main.query_one(IncidentPane).current)
            await pilot.press("u")
            await pilot.press("3")
            issue = await _current(pilot, lambda: app.main.query_one(SdkPane).current)
            await pilot.press("u")
            await until(pilot, lambda: len(copied) == 3, what="three links copied")
        async with httpx.AsyncClient() as client:
            pages = [await client.get(url) for url in copied]
    assert [page.status_code for page in pages] == [200, 200, 200], copied
    assert all(url.startswith(sandbox.url) for url in copied)
    assert all("triage-tui sandbox" in page.text for page in pages)
    assert sandbox.state.tickets[ticket_id]["subject"] in pages[0].text
    assert incident.name in pages[1].text and incident.reference in pages[1].text
    assert issue["title"] in pages[2].text
    assert all(page.headers["content-type"].startswith("text/plain") for page in pages)


async def _current(pilot, read):
    await until(pilot, lambda: read() is not None, what="a row to act on")
    return read()
