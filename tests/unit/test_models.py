"""Models parse the real API shapes (fixtures written by the project in Zendesk's shapes:
nulls where the description says otherwise, the "deleted" status it lacks)."""

import json
from pathlib import Path

from triage_tui.models.base import parse_many
from triage_tui.models.incidentio import Incident
from triage_tui.models.zendesk import Audit, Comment, Macro, Ticket, User

SHAPES = json.loads((Path(__file__).parents[1] / "fixtures" / "zendesk_shapes.json").read_text())


def test_incremental_page_parses_nulls_and_deleted_tickets():
    tickets, skipped = parse_many(Ticket, SHAPES["incremental_page"]["tickets"])
    assert not skipped
    assert tickets[0].tags == [] and tickets[0].custom_fields[0].value is None
    assert tickets[1].status == "deleted"


def test_update_response_audit_and_comment_and_macro_and_me():
    body = SHAPES["update_response"]
    assert Ticket.model_validate(body["ticket"]).status == "pending"
    audit = Audit.model_validate(body["audit"])
    assert [e["type"] for e in audit.events] == ["Change", "Comment"]
    comment = Comment.model_validate(SHAPES["comments_page"]["comments"][0])
    assert comment.text == "Hi" and comment.attachments[0].height is None
    assert Macro.model_validate(SHAPES["macro"]["macro"]).actions[0].field == "status"
    assert User.model_validate(SHAPES["me"]["user"]).first_name == "Sam"


def test_one_malformed_record_is_skipped_and_reported():
    records = SHAPES["incremental_page"]["tickets"] + [{"id": "abc"}, {"subject": "no id"}, 7]
    tickets, skipped = parse_many(Ticket, records)
    assert len(tickets) == 2 and len(skipped) == 3
    assert "id" in str(skipped[0]) and "not an object" in str(skipped[2])


def test_incident_helpers():
    incident = Incident.model_validate(
        {
            "id": "01X",
            "reference": "INC-123",
            "name": "Down",
            "incident_status": {"id": "s", "name": "Fixing", "category": "active"},
            "incident_role_assignments": [
                {
                    "role": {"id": "r1", "name": "Incident Lead", "role_type": "lead"},
                    "assignee": {"id": "u1", "name": "Lee"},
                },
                {"role": {"id": "r2", "name": "Support Watcher", "role_type": "custom"}, "assignee": None},
            ],
            "unknown_field": {"ignored": True},
        }
    )
    assert incident.number == "123" and incident.is_live
    lead = incident.lead()
    assert lead is not None and lead.name == "Lee" and incident.assignee_of("Support Watcher") is None
