"""The sandbox's search export of the unsolved tickets, as reconciliation lists them
(`query=status<solved&filter[type]=ticket`), as strict as Zendesk.

../shared/api/README.md: search export is allowed for agents, at most 1000 records a page;
search and search export index "up to a few minutes" late; merging closes the sources;
restricted agents see only their groups' tickets in views, search and lists. The spec
(ExportSearchResults): "The cursor specified by the `after_cursor` property in a response
expires after one hour."
"""

from __future__ import annotations

from tests.spec.test_sandbox_account import group_id
from tests.spec.test_sandbox_strict import call, get, relative

UNSOLVED = ("new", "open", "pending", "hold")
LISTING = "/api/v2/search/export.json?query=status<solved&filter[type]=ticket"


def listed(app, query: str = "") -> list[int]:
    return [t["id"] for t in get(app, f"{LISTING}&page[size]=1000{query}").body["results"]]


def test_a_restricted_agent_lists_only_the_unsolved_tickets_of_its_groups(make):
    app = make(restrict_groups=("Support", "Replay"), search_lag_seconds=0)
    allowed = {group_id(app, "Support"), group_id(app, "Replay")}
    expected = {t["id"] for t in app.state.tickets.values() if t["status"] in UNSOLVED and t["group_id"] in allowed}
    assert expected and sorted(listed(app)) == sorted(expected)  # no closed, solved or other group's
    everyone = make(search_lag_seconds=0)
    assert len(listed(everyone)) > len(expected)


def test_a_merged_ticket_is_listed_unsolved_until_search_has_indexed_the_merge(make, clocks):
    app = make(search_lag_seconds=60)
    source, target = sorted(listed(app))[:2]
    merged = call(app, "POST", f"/api/v2/tickets/{target}/merge.json", {"ids": [source]})
    assert merged.status == 200
    shown = get(app, f"/api/v2/tickets/show_many.json?ids={source}").body["tickets"]
    assert [t["status"] for t in shown] == ["closed"]  # as it is now
    clocks.advance(30)
    assert source in listed(app)  # as search indexed it a minute ago
    clocks.advance(31)
    assert source not in listed(app) and target in listed(app)


def test_an_export_cursor_expires_after_one_hour(make, clocks):
    app = make(search_lag_seconds=0)
    first = get(app, f"{LISTING}&page[size]=30").body
    assert first["meta"]["has_more"]
    clocks.advance(59 * 60)
    by_link = get(app, relative(first["links"]["next"])).body
    by_cursor = get(app, f"{LISTING}&page[size]=30&page[after]={first['meta']['after_cursor']}").body
    assert by_link["results"] == by_cursor["results"] and len(by_link["results"]) == 30
    assert not {t["id"] for t in by_link["results"]} & {t["id"] for t in first["results"]}
    clocks.advance(2 * 60)
    expired = get(app, relative(first["links"]["next"]))
    assert expired.status == 400 and "expired" in expired.body["description"]
    fresh = get(app, relative(by_link["links"]["next"]))  # given 2 minutes ago: still good
    assert fresh.status == 200 and len(fresh.body["results"]) == 20
