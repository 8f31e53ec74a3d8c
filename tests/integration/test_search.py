"""Find any ticket in Zendesk, solved ones too (issue 15), against the strict sandbox.

Zendesk's "Searching with the Zendesk API": `GET /api/v2/search?query=...` (support-api.oas.yaml
`/api/v2/search`: "Allowed For: Agents", results "may consist of tickets, users, groups, or
organizations, as specified by the `result_type` property"); "Search for a ticket by id:
3245227". ../shared/api/README.md: search "can take up to a few minutes to index"; views
and show_many read tickets as they are now.
"""

from __future__ import annotations

import copy

from tests.conftest import Closing
from tests.helpers import Engine
from triage_tui.sync import pollers as pollers_module


def zendesk_requests(sandbox) -> dict[str, int]:
    return {key: count for key, count in sandbox.state.requests.items() if key.startswith("zendesk ")}


def asked_since(sandbox, before: dict[str, int]) -> dict[str, int]:
    now = zendesk_requests(sandbox)
    return {key: count - before.get(key, 0) for key, count in now.items() if count != before.get(key, 0)}


def a_solved_ticket(sandbox) -> dict:
    return next(t for t in sandbox.state.tickets.values() if t["status"] == "solved")


async def test_a_solved_ticket_is_found_by_id_now_with_its_sla_metrics(engine, strict):
    solved = a_solved_ticket(strict)
    assert str(solved["id"]) not in engine.store.unsolved()  # the queue never held it
    before = zendesk_requests(strict)
    outcome = await engine.engine.pollers.search(f"#{solved['id']}")
    assert outcome.error is None
    assert (outcome.ids, outcome.count, outcome.meaning) == ([solved["id"]], 1, f"ticket #{solved['id']}")
    stored = engine.store.ticket(solved["id"])
    assert stored["status"] == "solved" and stored["metric_set"] is not None
    assert str(solved["id"]) not in engine.store.unsolved()  # found, but not queued
    # By id: one show_many, no search (which indexes late).
    assert list(asked_since(strict, before).items()) == [("zendesk GET /api/v2/tickets/show_many.json", 1)]


async def test_an_unknown_id_is_nothing_found_not_an_error(engine):
    outcome = await engine.engine.pollers.search("99999999")
    assert (outcome.ids, outcome.count, outcome.error) == ([], 0, None)


async def test_a_requester_email_finds_their_tickets_solved_included(engine, strict):
    solved = a_solved_ticket(strict)
    email = strict.state.users[solved["requester_id"]]["email"]
    theirs = {t["id"] for t in strict.state.tickets.values() if t["requester_id"] == solved["requester_id"]} - set(
        strict.state.deleted_tickets
    )
    outcome = await engine.engine.pollers.search(email.upper())
    assert outcome.error is None
    assert outcome.meaning == f"requester:{email.upper()}"
    assert set(outcome.ids) == theirs and solved["id"] in outcome.ids
    assert outcome.count == len(theirs)


async def test_an_organization_name_finds_the_organizations_tickets(engine, strict):
    solved = a_solved_ticket(strict)
    org = strict.state.organizations[solved["organization_id"]]
    outcome = await engine.engine.pollers.search(org["name"].lower())
    assert outcome.error is None and outcome.meaning == f'organization:"{org["name"]}"'
    expected = [t for t in strict.state.tickets.values() if t.get("organization_id") == org["id"]]
    assert outcome.count == len(expected)
    assert set(outcome.ids) <= {t["id"] for t in expected} and solved["id"] in outcome.ids or len(outcome.ids) == 100


async def test_words_find_tickets_most_recently_updated_first_and_the_count_of_all(engine, strict):
    subject = a_solved_ticket(strict)["subject"]
    word = max(subject.split(), key=len)
    outcome = await engine.engine.pollers.search(word)
    assert outcome.error is None and outcome.ids
    matching = [t for t in strict.state.tickets.values() if word.lower() in t["subject"].lower()]
    assert outcome.count >= len(matching) > 0
    stamps = [engine.store.ticket(i)["updated_at"] for i in outcome.ids]
    assert stamps == sorted(stamps, reverse=True)


async def test_a_found_ticket_is_shown_as_it_is_now_not_as_search_last_indexed_it(engine, strict):
    """Search lags a minute: the found tickets are read again through show_many."""
    ticket = next(t for t in strict.state.tickets.values() if t["status"] == "open")
    with strict.state.lock:
        ticket["status"] = "solved"
        strict.state.touch(ticket, strict.app.now())
    outcome = await engine.engine.pollers.search(f'"{ticket["subject"]}"')
    assert ticket["id"] in outcome.ids
    assert engine.store.ticket(ticket["id"])["status"] == "solved"
    assert str(ticket["id"]) not in engine.store.unsolved()  # and it leaves the queue


async def test_a_ticket_deleted_since_search_indexed_it_is_not_found(engine, strict):
    ticket = a_solved_ticket(strict)
    agent = next(u for u in strict.state.users.values() if u.get("role") == "agent")
    with strict.state.lock:
        strict.state.delete_ticket(ticket["id"], agent, strict.app.now())
    outcome = await engine.engine.pollers.search(f'"{ticket["subject"]}"')
    assert outcome.error is None
    assert ticket["id"] not in outcome.ids


async def test_a_refused_query_says_why_and_leaves_the_queues_status_alone(engine):
    outcome = await engine.engine.pollers.search("status:bogus")
    assert outcome.error and outcome.ids == []
    state = engine.store.sync_state("zendesk")
    assert state.get("last_error") is None and state.get("offline_since") is None


async def test_an_unreachable_zendesk_is_the_searchs_answer(tmp_path, closing: Closing):
    engine = closing(Engine("http://127.0.0.1:9", tmp_path / "cache"))
    outcome = await engine.engine.pollers.search("export")
    assert outcome.error and "connect" in outcome.error


# -- first sync progress (issue 15: "syncing (page 3 of ~5)"; the count must not jump) ---------
async def test_the_first_sync_says_which_page_of_how_many_then_the_sla_clocks_then_clears(
    strict, tmp_path, monkeypatch, closing: Closing
):
    monkeypatch.setattr(pollers_module, "FIRST_SYNC_PAGE", 25)
    engine = closing(Engine(strict.url, tmp_path / "cache"))
    seen: list[dict | None] = []
    mark = engine.store.mark_progress

    def record(source, progress):
        seen.append(copy.deepcopy(progress))
        mark(source, progress)

    monkeypatch.setattr(engine.store, "mark_progress", record)
    report = await engine.engine.poll("zendesk")
    assert report.error is None
    unsolved = len(engine.store.unsolved())
    pages = -(-unsolved // 25)
    queue = [p for p in seen if p and p["stage"] == "queue"]
    assert [p["page"] for p in queue] == sorted(p["page"] for p in queue)  # never goes back
    assert queue[0]["page"] == 1 and queue[-1]["page"] == pages
    # search/count is asked beside the first page and never waited for: "of ~N" appears
    # once it has answered, and then says the truth.
    assert queue[0]["pages"] is None
    assert {p["pages"] for p in queue} <= {None, pages}
    assert {p["total"] for p in queue} <= {None, unsolved}
    assert all(p["at"] for p in queue)  # stamped: a copy that dies mid-sync is not "syncing" forever
    sla = [p for p in seen if p and p["stage"] == "sla"]
    assert sla and [p["done"] for p in sla] == list(range(0, sla[0]["total"], 100))
    # Then groups and macros, and "syncing" gives way to the outcome with no "never" between.
    assert seen[-2] is not None and seen[-2]["stage"] == "reference" and seen[-1] is None
    state = engine.store.sync_state("zendesk")
    assert state.get("progress") is None and state.get("last_success")


async def test_a_failed_first_sync_does_not_leave_the_status_line_saying_syncing(strict, tmp_path, closing: Closing):
    engine = closing(Engine(strict.url, tmp_path / "cache"))
    strict.stop()  # Zendesk goes away mid-way: here, before the first page
    report = await engine.engine.poll("zendesk")
    assert report.error
    assert engine.store.sync_state("zendesk").get("progress") is None
