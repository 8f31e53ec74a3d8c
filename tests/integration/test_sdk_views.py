"""The SDK rotation's Zendesk half (issue 26): its filters are Zendesk views, listed by the
configured ids (`views/{id}/tickets`, allowed for agents: ../shared/api/README.md, "Views
read tickets as they are now"), on the GitHub poll's schedule; read back against the sandbox."""

from __future__ import annotations

from tests.conftest import sandbox_config
from triage_tui.config import SDK_ESCALATED_VIEW, SDK_MOBILE_VIEW

UNSOLVED = ("new", "open", "pending", "hold")


def sdk_group(sandbox) -> int:
    return next(g["id"] for g in sandbox.state.groups.values() if g["name"] == "AI & client libraries")


async def test_the_github_poll_lists_the_sdk_views_tickets_as_zendesk_has_them(strict, engine):
    await engine.engine.poll("reference")  # the views' titles
    report = await engine.engine.poll("github")
    assert report.error is None
    views = {v["id"]: v for v in engine.engine.store.get("sdk_views")}
    group = sdk_group(strict)
    escalated = {t["id"] for t in strict.state.tickets.values() if t["group_id"] == group and t["status"] in UNSOLVED}
    mobile = {t["id"] for t in strict.state.tickets.values() if t["id"] in escalated and "mobile" in t["tags"]}
    assert escalated and mobile and mobile < escalated
    assert {t["id"] for t in views[SDK_ESCALATED_VIEW]["tickets"]} == escalated
    assert {t["id"] for t in views[SDK_MOBILE_VIEW]["tickets"]} == mobile
    assert views[SDK_MOBILE_VIEW]["mobile"] and not views[SDK_ESCALATED_VIEW]["mobile"]
    assert views[SDK_ESCALATED_VIEW]["title"] == "Escalated SDK tickets"
    assert any(key.startswith(f"zendesk GET /api/v2/views/{SDK_MOBILE_VIEW}/tickets") for key in strict.state.requests)


async def test_a_view_that_does_not_exist_says_so_in_its_place_and_github_stays_fine(strict, engine):
    engine.engine.pollers.config = sandbox_config(strict.url).replace(sdk={"zendesk_views": [999, SDK_MOBILE_VIEW]})
    report = await engine.engine.poll("github")
    assert report.error is None
    missing, mobile = engine.engine.store.get("sdk_views")
    assert missing["id"] == 999 and missing["error"] and "not found" in missing["error"].lower()
    assert mobile["tickets"] and mobile["error"] is None
