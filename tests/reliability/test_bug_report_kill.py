"""kill -9 between a bug report's two writes (the GitHub issue, then the Zendesk reply):
after a restart there is exactly one issue and one reply (issue 26)."""

from __future__ import annotations

import pytest

from tests.reliability.killed_sync import kill_mid_send, stalling, sync_process
from triage_sandbox.server import Sandbox
from triage_tui.sync.ticket_ref import TicketRef
from triage_tui.triage.bug_reports import BUG, BugReport

MAIN = "PostHog/posthog"
TITLE = "Funnel shows 0% after step 3 (kill test)"


def titled(sandbox: Sandbox) -> list[dict]:
    return [i for i in sandbox.state.issues[MAIN] if i["title"] == TITLE]


@pytest.mark.slow
async def test_kill_9_between_the_issue_and_the_reply_leaves_one_issue_and_one_reply(dataset, tmp_path):
    async with stalling(dataset, tmp_path) as rig:
        sandbox, faults, running, cache_home = rig.sandbox, rig.faults, rig.running, rig.cache_home
        ticket = min((t for t in running.store.unsolved().values() if t["status"] == "open"), key=lambda t: t["id"])
        url = f"https://example.zendesk.com/agent/tickets/{ticket['id']}"
        report = BugReport(BUG, ticket["id"], url, "Ada", TITLE, "Steps: open the funnel", "high")
        entry = running.writes.bug_report(TicketRef.of(ticket), report, MAIN, None)
        process = rig.start_sync()
        # GitHub gets the issue; Zendesk nothing yet.
        await kill_mid_send(sandbox, faults, process, f"github POST /repos/{MAIN}/issues", lambda: titled(sandbox))
        assert len([i for i in sandbox.state.issues[MAIN] if i["title"] == TITLE]) == 1
        assert not [
            c for c in sandbox.state.comments.get(ticket["id"], []) if f"github.com/{MAIN}/issues/" in c["body"]
        ]
        again = sync_process(sandbox.url, cache_home, once=True)
        out, err = again.communicate(timeout=90)
        assert again.returncode == 0, out + err
        [issue] = [i for i in sandbox.state.issues[MAIN] if i["title"] == TITLE]
        replies = [c for c in sandbox.state.comments.get(ticket["id"], []) if issue["html_url"] in c["body"]]
        assert len(replies) == 1 and replies[0]["public"]
        assert sandbox.state.tickets[ticket["id"]]["status"] == "pending"
        await running.restart()  # the cache as the next process finds it
        sent = running.outbox.get(entry["id"])
        assert sent is not None and sent["status"] == "sent"
