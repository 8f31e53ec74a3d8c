"""Faults: malformed responses, a network that goes away and comes back, kill -9."""

from __future__ import annotations

import copy
import socket

import httpx
import pytest

from tests.conftest import Closing
from tests.helpers import Engine, no_sleep
from tests.reliability.killed_sync import kill_mid_send, stalling, sync_process
from triage_sandbox.server import Sandbox
from triage_tui.sources.errors import BadResponse
from triage_tui.sources.zendesk import ZendeskClient
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage.macros import ChangeSet


def mock_client(handler) -> ZendeskClient:
    return ZendeskClient(
        "https://acme.zendesk.com",
        "a@example.com",
        "tok",
        transport=httpx.MockTransport(handler),
        sleep=no_sleep,
        max_retries=1,
    )


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text='{"results": [{"id": 1, "subject": "cut off'),
        httpx.Response(200, text="<html><body>Maintenance</body></html>", headers={"content-type": "text/html"}),
        httpx.Response(200, json={"results": "not a list"}),
    ],
    ids=["truncated-json", "html-page", "wrong-type"],
)
async def test_malformed_pages_are_reported_not_crashes(response, closing: Closing):
    client = closing(mock_client(lambda request: response))
    with pytest.raises(BadResponse):
        async for _ in client.unsolved_tickets():
            pass


async def test_records_with_wrong_types_are_skipped_and_the_rest_kept(closing: Closing):
    body = {
        "results": [{"id": 1, "status": "open"}, {"id": "x"}, {"id": 3, "tags": "oops"}, "junk", {"id": 4}],
        "meta": {"has_more": False},
    }
    client = closing(mock_client(lambda request: httpx.Response(200, json=body)))
    pages = [page async for page in client.unsolved_tickets()]
    assert [t.id for t in pages[0].tickets] == [1, 4]
    assert len(pages[0].skipped) == 3


async def test_the_authorization_header_never_appears_in_errors(closing: Closing):
    client = closing(mock_client(lambda request: httpx.Response(401, json={"error": "Couldn't authenticate you"})))
    with pytest.raises(Exception) as error:
        await client.me()
    text = repr(error.value) + str(error.value)
    assert "Basic" not in text and "tok" not in text.replace("token", "")


async def test_retry_after_is_honoured_as_seconds_and_http_date(closing: Closing):
    waits: list[float] = []
    calls = iter(
        [
            httpx.Response(
                429, text="Number of allowed API requests per minute exceeded", headers={"Retry-After": "7"}
            ),
            httpx.Response(429, json={"rate_limit": {"retry_after": "Wed, 18 Nov 2099 14:00:00 GMT"}}),
            httpx.Response(200, json={"user": {"id": 1, "name": "A"}}),
        ]
    )

    async def record(seconds):
        waits.append(seconds)

    client = closing(
        ZendeskClient(
            "https://acme.zendesk.com",
            "a@example.com",
            "t",
            transport=httpx.MockTransport(lambda r: next(calls)),
            sleep=record,
            max_retries=3,
            max_wait=1e12,
        )
    )
    assert (await client.me()).id == 1
    # Retry-After, plus a spread of a few seconds so a team's copies do not return together.
    assert 7 <= waits[0] <= 7 + 5 and waits[1] > 1e9


async def test_pacing_slows_down_before_the_limit(closing: Closing):
    waits: list[float] = []

    async def record(seconds):
        waits.append(seconds)

    headers = {"x-rate-limit": "700", "x-rate-limit-remaining": "3", "ratelimit-reset": "40"}
    client = closing(
        ZendeskClient(
            "https://acme.zendesk.com",
            "a@example.com",
            "t",
            transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"user": {"id": 1}}, headers=headers)),
            sleep=record,
            clock=lambda: 0.0,
        )
    )
    await client.me()
    await client.me()
    assert waits and waits[0] == pytest.approx(10.0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_network_gone_then_back_catches_up_without_a_restart(dataset, tmp_path, closing: Closing):
    port = free_port()
    running = closing(Engine(f"http://127.0.0.1:{port}", tmp_path / "cache"))
    report = await running.engine.poll("zendesk")
    assert report.offline and running.store.sync_state("zendesk")["offline_since"]
    with Sandbox(copy.deepcopy(dataset), port=port) as sandbox:
        report = await running.engine.poll("zendesk")
        assert report.error is None and running.store.sync_state("zendesk")["offline_since"] is None
        ticket = next(iter(running.store.unsolved().values()))
    # Gone again: the write is queued, not lost.
    running.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="written while offline"), "reply")
    sent = await running.engine.send()
    assert "zendesk" in sent.offline and running.outbox.counts()["queued"] == 1
    with Sandbox(copy.deepcopy(dataset), port=port) as sandbox:
        await running.drain()
        assert [c["body"] for c in sandbox.state.comments[ticket["id"]]].count("written while offline") == 1


@pytest.mark.slow
async def test_kill_9_of_headless_sync_mid_send_posts_the_reply_exactly_once(dataset, tmp_path):
    """The reply left, the process died before recording it: after restart, sent once."""
    async with stalling(dataset, tmp_path) as rig:
        sandbox, faults, running, cache_home = rig.sandbox, rig.faults, rig.running, rig.cache_home
        ticket = next(iter(running.store.unsolved().values()))
        entry = running.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="exactly once, please"), "reply")
        process = rig.start_sync()

        def bodies() -> list[str]:
            return [c["body"] for c in sandbox.state.comments[ticket["id"]]]

        await kill_mid_send(sandbox, faults, process, "zendesk PUT", lambda: "exactly once, please" in bodies())
        assert bodies().count("exactly once, please") == 1
        again = sync_process(sandbox.url, cache_home, once=True)
        out, err = again.communicate(timeout=60)
        assert again.returncode == 0, out + err
        assert bodies().count("exactly once, please") == 1
        await running.restart()  # the cache as the next process finds it
        sent = running.outbox.get(entry["id"])
        assert sent is not None and sent["status"] == "sent"


async def test_kill_9_after_persist_before_send_sends_once_after_restart(dataset, tmp_path, closing: Closing):
    with Sandbox(copy.deepcopy(dataset)) as sandbox:
        cache_home = tmp_path / "xdg-cache"
        running = closing(Engine(sandbox.url, cache_home / "triage-tui"))
        await running.engine.poll("zendesk")
        ticket = next(iter(running.store.unsolved().values()))
        running.writes.update_ticket(TicketRef.of(ticket), ChangeSet(comment="persisted, never sent"), "reply")
        running.store.close()
        running.outbox.close()
        process = sync_process(sandbox.url, cache_home, once=True)
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, out + err
        assert "outbox: 1 sent" in out
        assert [c["body"] for c in sandbox.state.comments[ticket["id"]]].count("persisted, never sent") == 1


@pytest.mark.slow
async def test_kill_9_of_the_app_mid_send_posts_the_note_exactly_once(dataset, tmp_path):
    async with stalling(dataset, tmp_path) as rig:
        sandbox, faults, cache_home = rig.sandbox, rig.faults, rig.cache_home
        child = rig.start_app()

        def posted() -> list[dict]:
            return [
                c for comments in sandbox.state.comments.values() for c in comments if c["body"] == "note from the app"
            ]

        await kill_mid_send(sandbox, faults, child, "zendesk PUT", posted)
        assert len(posted()) == 1
        again = sync_process(sandbox.url, cache_home, once=True)
        out, err = again.communicate(timeout=60)
        assert again.returncode == 0, out + err
        assert len(posted()) == 1
