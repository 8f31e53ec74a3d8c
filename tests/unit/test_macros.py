"""Macro placeholders, actions as a previewable change set, and the incident macro."""

from triage_tui.triage.incidents import Impact, incident_macro, incident_numbers, incident_tag
from triage_tui.triage.macros import ChangeSet, changes_from_actions, placeholder_context, render_placeholders

CTX = placeholder_context(
    ticket_id=42,
    title="Events missing",
    status="open",
    requester_name="Ada Lovelace",
    organization_name="Analytical Engines",
    agent_name="Grace Hopper",
    satisfaction_url="https://example.zendesk.com/satisfaction/42",
)


def test_replies_start_with_the_requesters_first_name():
    assert render_placeholders("Hey {{ticket.requester.first_name}}, ", CTX) == "Hey Ada, "


def test_all_supported_placeholders_are_filled():
    text = (
        "{{ticket.id}} {{ticket.title}} {{ticket.status}} {{ticket.requester.name}} "
        "{{ticket.organization.name}} {{current_user.first_name}} {{current_user.name}} {{satisfaction.rating_url}}"
    )
    assert render_placeholders(text, CTX) == (
        "42 Events missing Open Ada Lovelace Analytical Engines Grace Grace Hopper "
        "https://example.zendesk.com/satisfaction/42"
    )


def test_liquid_default_is_used_when_the_value_is_unknown():
    assert render_placeholders("Hey {{ ticket.requester.first_name | default: 'there' }},", {}) == "Hey there,"
    assert render_placeholders('Hey {{ticket.requester.first_name|default:"there"}},', CTX) == "Hey Ada,"


def test_unknown_placeholders_stay_visible():
    assert render_placeholders("See {{ticket.custom.thing}} now", CTX) == "See {{ticket.custom.thing}} now"


def test_macro_actions_become_a_change_set_and_a_safe_update_payload():
    actions: list[dict[str, object]] = [
        {"field": "comment_value", "value": ["channel:all", "Hey {{ticket.requester.first_name}}"]},
        {"field": "comment_mode_is_public", "value": "false"},
        {"field": "status", "value": "pending"},
        {"field": "group_id", "value": "360001"},
        {"field": "priority", "value": "high"},
        {"field": "current_tags", "value": "sf-lead follow_up"},
        {"field": "remove_tags", "value": "old"},
        {"field": "assignee_id", "value": "current_user"},
    ]
    change = changes_from_actions(actions, CTX)
    assert change.comment == "Hey Ada" and change.public is False
    payload = change.to_payload(updated_stamp="2026-11-18T08:00:00Z", me=7, current_tags=["old", "x"])
    assert payload == {
        "ticket": {
            "comment": {"body": "Hey Ada", "public": False},
            "status": "pending",
            "priority": "high",
            "group_id": 360001,
            "assignee_id": 7,
            "safe_update": True,
            "updated_stamp": "2026-11-18T08:00:00Z",
        }
    }
    # A single update ignores additional_tags/remove_tags (../shared/api/README.md, "Tags"):
    # the tags go through the ticket's tags endpoints.
    assert change.tag_requests() == [("add", ("sf-lead", "follow_up")), ("remove", ("old",))]


def test_a_macros_set_tags_is_the_whole_list_under_safe_update_and_no_tag_request():
    change = changes_from_actions(
        [
            {"field": "set_tags", "value": "a b"},
            {"field": "current_tags", "value": "c"},
            {"field": "remove_tags", "value": "a"},
        ],
        CTX,
    )
    payload = change.to_payload(updated_stamp="2026-11-18T08:00:00Z", me=7, current_tags=["x"])
    assert payload == {"ticket": {"tags": ["b", "c"], "safe_update": True, "updated_stamp": "2026-11-18T08:00:00Z"}}
    assert change.tag_requests() == []


def test_a_uniform_change_is_a_bulk_body_with_the_bulk_only_tag_fields():
    # README "Tags": additional_tags / remove_tags work only on `update_many`.
    change = ChangeSet(status="pending", add_tags=("incident/231",), remove_tags=("old",), assign_to_me=True)
    assert change.bulkable
    assert change.to_bulk_payload(me=7) == {
        "ticket": {"status": "pending", "assignee_id": 7, "additional_tags": ["incident/231"], "remove_tags": ["old"]}
    }
    assert not ChangeSet(comment="Hey", status="solved").bulkable  # text is per ticket, never twice
    assert not ChangeSet().bulkable


def test_preview_says_exactly_what_will_change():
    change = changes_from_actions(
        [
            {"field": "status", "value": "solved"},
            {"field": "set_tags", "value": "a b"},
            {"field": "comment_value", "value": "Hi"},
        ],
        CTX,
    )
    lines = change.describe(status="open", tags=["a", "c"])
    assert lines == ["Public reply: 2 characters", "Status: Open -> Solved", "Tags + b", "Tags - c"]
    assert change.to_payload(updated_stamp=None, me=1, current_tags=["a", "c"])["ticket"]["tags"] == ["a", "b"]


def test_unsupported_actions_are_named_in_the_preview_not_dropped_silently():
    change = changes_from_actions([{"field": "custom_fields_123", "value": "x"}], CTX)
    assert change.describe(status="open", tags=[]) == ["Not applied here (set in Zendesk): custom_fields_123"]


def test_create_a_lead_adds_the_sf_lead_tag():
    change = changes_from_actions([{"field": "current_tags", "value": "sf-lead"}], CTX)
    assert change.resulting_tags(["x"]) == ["x", "sf-lead"]


def test_merged_change_set_keeps_the_agents_own_text():
    macro = ChangeSet(comment="macro text", status="pending", add_tags=("a",))
    mine = ChangeSet(comment="edited", public=False, add_tags=("b",))
    merged = macro.merged(mine)
    assert (merged.comment, merged.public, merged.status, merged.add_tags) == ("edited", False, "pending", ("a", "b"))


def test_incident_tag_from_reference():
    assert incident_tag("INC-123") == "incident/123"
    assert incident_numbers(["x", "incident/7", "incident/12"]) == ["7", "12"]


def test_incident_macro_is_cloned_from_the_template_with_tag_impact_and_status_page():
    template = [
        {"field": "comment_value", "value": "TEMPLATE"},
        {"field": "status", "value": "pending"},
        {"field": "current_tags", "value": "incident"},
    ]
    body = incident_macro(
        template,
        "INC-123",
        "Ingestion delays",
        Impact("event ingestion", "the app and dashboards", "exports"),
        "https://status.example.com",
    )["macro"]
    assert body["title"] == "Incident INC-123: Ingestion delays"
    fields = {a["field"]: a["value"] for a in body["actions"]}
    assert fields["current_tags"] == "incident incident/123"
    assert fields["status"] == "pending"
    text = fields["comment_value"]
    assert "TEMPLATE" not in text
    assert "What is affected: event ingestion" in text
    assert "What still works: the app and dashboards" in text
    assert "What is degraded: exports" in text
    assert "https://status.example.com" in text
    assert text.startswith("Hey {{ticket.requester.first_name")


def test_a_macros_change_names_the_macro_for_the_audit_and_naming_it_alone_changes_nothing():
    """`macro_id` (TicketObject: "Write only. A single macro ID to be recorded in the ticket
    audit") goes with the update that carries the macro's changes, single or bulk."""
    change = ChangeSet(status="pending", add_tags=("sf-lead",), macro_id=360001)
    assert (
        change.to_payload(updated_stamp="2026-12-07T10:00:00Z", me=1, current_tags=[])["ticket"]["macro_id"] == 360001
    )
    assert change.to_bulk_payload(me=1)["ticket"]["macro_id"] == 360001
    assert ChangeSet(comment="Hi").merged(change).macro_id == 360001
    assert ChangeSet(macro_id=360001).is_empty
    assert "macro_id" not in ChangeSet(macro_id=360001).to_payload(updated_stamp=None, me=1, current_tags=[])["ticket"]
