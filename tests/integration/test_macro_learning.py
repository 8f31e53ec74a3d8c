"""The macros engineers applied, learned from a ticket's audits when its conversation is
fetched anyway, and only while the account's budget allows (issue 28)."""

from __future__ import annotations

from triage_tui.sources.http import Budget
from triage_tui.triage.suggest import MACRO_USES_KEY


def audits_asked(sandbox, ticket_id: int) -> int:
    return sum(n for key, n in sandbox.state.requests.items() if key.endswith(f"/tickets/{ticket_id}/audits.json"))


def applied(sandbox, ticket_id: int, macro: dict) -> None:
    """An audit as Zendesk records a macro applied by an agent: the Ticket Audits
    reference's AgentMacroReference event, beside the changes the macro made, whose `via`
    names the macro (`rel: macro`); a trigger's change (`rel: trigger`) is not a macro."""
    sandbox.state.audits.setdefault(ticket_id, []).append(
        {
            "id": 77000000 + ticket_id,
            "ticket_id": ticket_id,
            "created_at": "2026-11-17T10:00:00Z",
            "author_id": None,
            "metadata": {"system": {}, "custom": {}},
            "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}},
            "events": [
                {"id": 1, "type": "AgentMacroReference", "macro_id": str(macro["id"]), "macro_title": macro["title"]},
                {
                    "id": 2,
                    "type": "Change",
                    "field_name": "status",
                    "value": "solved",
                    "via": {"channel": "rule", "source": {"from": {"id": 4242, "title": "Notify"}, "rel": "trigger"}},
                },
            ],
        }
    )


async def test_a_fetched_conversation_brings_the_macros_its_audits_name(strict, engine):
    ticket_id = int(next(iter(engine.store.unsolved())))
    macro = next(iter(strict.state.macros.values()))
    applied(strict, ticket_id, macro)
    report = await engine.engine.pollers.comments(ticket_id)
    assert report.error is None
    assert engine.store.get(MACRO_USES_KEY) == {str(ticket_id): [macro["id"]]}
    assert audits_asked(strict, ticket_id) == 1


async def test_no_audits_are_read_while_the_account_budget_is_low(strict, engine):
    ticket_id = int(next(iter(engine.store.unsolved())))
    applied(strict, ticket_id, next(iter(strict.state.macros.values())))
    client = engine.clients.zendesk
    client.http.budget = Budget(limit=700, remaining=100, reset_seconds=60, seen_at=0)
    await engine.engine.pollers._learn_macros(ticket_id)
    assert audits_asked(strict, ticket_id) == 0
    assert not engine.store.get(MACRO_USES_KEY)
