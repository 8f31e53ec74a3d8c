"""The sandbox writes tags as Zendesk does, and runs bulk updates as background jobs (issue 23).

Evidence, named per test: ../shared/api/README.md ("README", the facts of 2026-12-07 under
"Tags" and "Bulk"), the OpenAPI description ../shared/api/zendesk/support-api.oas.yaml
("spec": TicketUpdateRequest vs TicketsUpdateRequest, PutTagsTicket, DeleteTagsTicket,
TicketsUpdateMany, ShowJobStatus, ShowManyJobStatuses, JobStatusObject, UpdateResourceResult,
FailedResult) and the recorded answers ("recorded/<file>").
"""

from __future__ import annotations

from tests.spec.test_sandbox_strict import assert_429, call, get

# The strict suite's fixtures: a socket-free app on the seeded dataset, with clocks moved by hand.

TICKET = 41002  # open, tagged ["product"]


def tags_of(app, ticket_id: int = TICKET) -> list[str]:
    return get(app, f"/api/v2/tickets/{ticket_id}.json").body["ticket"]["tags"]


def unsolved(app, count: int) -> list[int]:
    body = get(app, "/api/v2/views/360100003/tickets.json?per_page=100").body
    ids = [t["id"] for t in body["tickets"]]
    assert len(ids) >= count
    return ids[:count]


# -- single updates ------------------------------------------------------------------------
def test_a_single_update_ignores_additional_and_remove_tags_and_answers_200(make):
    # README "Tags": "additional_tags / remove_tags work only on the bulk update ... sent on a
    # single update they do nothing"; spec: TicketUpdateRequest.ticket is a TicketObject,
    # which has no additional_tags/remove_tags (TicketsUpdateRequest has them).
    app = make()
    answer = call(
        app,
        "PUT",
        f"/api/v2/tickets/{TICKET}.json",
        {"ticket": {"additional_tags": ["escalated"], "remove_tags": ["product"], "priority": "high"}},
    )
    assert answer.status == 200
    assert answer.body["ticket"]["tags"] == ["product"] and answer.body["ticket"]["priority"] == "high"
    assert tags_of(app) == ["product"]


def test_tags_on_a_single_update_replace_the_whole_list(make):
    # README "Tags": "a single-ticket update ... sets `tags` as a whole list".
    app = make()
    assert call(app, "PUT", f"/api/v2/tickets/{TICKET}.json", {"ticket": {"tags": ["escalated"]}}).status == 200
    assert tags_of(app) == ["escalated"]


# -- the tags endpoints ----------------------------------------------------------------------
def test_put_tags_adds_get_lists_delete_removes(make):
    # spec: PutTagsTicket "Add Tags", ListResourceTags, DeleteTagsTicket "Remove Tags"
    # (a `tags` query parameter, comma-separated), each answering TagsByObjectIdResponse.
    app = make()
    added = call(app, "PUT", f"/api/v2/tickets/{TICKET}/tags.json", {"tags": ["escalated", "incident/231"]})
    assert added.status == 200 and added.body == {"tags": ["product", "escalated", "incident/231"]}
    assert get(app, f"/api/v2/tickets/{TICKET}/tags.json").body == {"tags": ["product", "escalated", "incident/231"]}
    removed = call(app, "DELETE", f"/api/v2/tickets/{TICKET}/tags.json", {"tags": ["product"]})
    assert removed.status == 200 and removed.body == {"tags": ["escalated", "incident/231"]}
    by_query = call(app, "DELETE", f"/api/v2/tickets/{TICKET}/tags.json?tags=escalated,nothing")
    assert by_query.body == {"tags": ["incident/231"]} and tags_of(app) == ["incident/231"]


def test_a_tag_change_is_audited_and_moves_updated_at(make, clocks):
    app = make()
    before = get(app, f"/api/v2/tickets/{TICKET}.json").body["ticket"]["updated_at"]
    clocks.advance(5)
    call(app, "PUT", f"/api/v2/tickets/{TICKET}/tags.json", {"tags": ["escalated"]})
    after = get(app, f"/api/v2/tickets/{TICKET}.json").body["ticket"]["updated_at"]
    assert after > before
    audit = get(app, f"/api/v2/tickets/{TICKET}/audits.json").body["audits"][-1]
    assert audit["author_id"] is not None and audit["created_at"] == after
    assert audit["events"][0]["field_name"] == "tags" and audit["events"][0]["value"] == ["product", "escalated"]
    clocks.advance(5)
    call(app, "PUT", f"/api/v2/tickets/{TICKET}/tags.json", {"tags": ["escalated"]})  # already there: no change
    assert get(app, f"/api/v2/tickets/{TICKET}.json").body["ticket"]["updated_at"] == after


def test_put_tags_with_safe_update_refuses_a_stale_stamp_with_409(make, clocks):
    # spec PutTagsTicket, "Safe Update": "The tag update only occurs if the updated_stamp
    # timestamp matches the ticket's actual updated_at ... the request returns a 409 Conflict".
    # The example sends "safe_update": "true" as a string.
    app = make()
    seen = get(app, f"/api/v2/tickets/{TICKET}.json").body["ticket"]["updated_at"]
    clocks.advance(5)
    call(app, "PUT", f"/api/v2/tickets/{TICKET}.json", {"ticket": {"priority": "low"}})  # a colleague
    stale = call(
        app, "PUT", f"/api/v2/tickets/{TICKET}/tags.json", {"tags": ["x"], "safe_update": "true", "updated_stamp": seen}
    )
    assert stale.status == 409 and stale.body["error"] == "UpdateConflict"
    stale_delete = call(
        app,
        "DELETE",
        f"/api/v2/tickets/{TICKET}/tags.json",
        {"tags": ["product"], "safe_update": True, "updated_stamp": seen},
    )
    assert stale_delete.status == 409 and tags_of(app) == ["product"]
    fresh = get(app, f"/api/v2/tickets/{TICKET}.json").body["ticket"]["updated_at"]
    ok = call(
        app, "PUT", f"/api/v2/tickets/{TICKET}/tags.json", {"tags": ["x"], "safe_update": True, "updated_stamp": fresh}
    )
    assert ok.status == 200 and tags_of(app) == ["product", "x"]


def test_tag_writes_count_as_ticket_updates(make):
    # README: "Updating tickets: 100 requests per minute per account, 30 updates per 10
    # minutes per user per ticket"; the tags endpoints update the ticket.
    app = make(ticket_updates_per_minute=3)
    answers = [call(app, "PUT", f"/api/v2/tickets/{41001 + i}/tags.json", {"tags": ["x"]}) for i in range(4)]
    assert [a.status for a in answers[:3]] == [200] * 3
    assert_429(answers[3])


# -- update_many and its job -------------------------------------------------------------------
def test_update_many_answers_a_queued_job_and_changes_nothing_until_the_job_runs(make):
    # recorded/TestTicketsPagination.test_pagination.json (create_many): 200, job_status
    # {id, url, total, progress null, status "queued", message null, results null};
    # spec TicketsUpdateMany answers 200 with JobStatusResponse.
    app = make()
    ids = [41002, 41004]
    answer = call(
        app,
        "PUT",
        "/api/v2/tickets/update_many.json?ids=41002,41004",
        {"ticket": {"status": "pending", "additional_tags": ["escalated"], "remove_tags": ["web"]}},
    )
    assert answer.status == 200
    job = answer.body["job_status"]
    assert job["status"] == "queued" and job["total"] == 2 and job["progress"] is None and job["results"] is None
    assert job["url"] == f"http://sandbox.test/api/v2/job_statuses/{job['id']}.json"
    assert [get(app, f"/api/v2/tickets/{i}.json").body["ticket"]["status"] for i in ids] == ["open", "open"]

    # Each read moves the job one stage on: queued -> working -> completed.
    working = get(app, f"/api/v2/job_statuses/{job['id']}.json").body["job_status"]
    assert working["status"] == "working" and working["results"] is None
    done = get(app, f"/api/v2/job_statuses/{job['id']}").body["job_status"]
    assert done["status"] == "completed" and done["progress"] == 2
    assert done["results"] == [
        {"id": 41002, "action": "update", "status": "Updated", "success": True},
        {"id": 41004, "action": "update", "status": "Updated", "success": True},
    ]
    # README "Tags": on update_many, additional_tags / remove_tags work.
    assert tags_of(app, 41002) == ["product", "escalated"] and tags_of(app, 41004) == ["escalated"]
    assert get(app, "/api/v2/tickets/41004.json").body["ticket"]["status"] == "pending"
    audit = get(app, "/api/v2/tickets/41004/audits.json").body["audits"][-1]
    assert {e["field_name"] for e in audit["events"]} == {"status", "tags"}


def test_a_job_nobody_reads_still_completes_as_time_passes(make, clocks):
    app = make(job_stage_seconds=2)
    job = call(app, "PUT", "/api/v2/tickets/update_many?ids=41002", {"ticket": {"priority": "urgent"}}).body
    clocks.advance(4.5)
    assert get(app, "/api/v2/tickets/41002.json").body["ticket"]["priority"] == "urgent"
    shown = get(app, "/api/v2/job_statuses/show_many.json?ids=" + job["job_status"]["id"]).body
    assert [j["status"] for j in shown["job_statuses"]] == ["completed"]


def test_update_many_takes_at_most_100_ids(make):
    # spec TicketsUpdateMany: "a comma-separated list of up to 100 ticket ids".
    app = make()
    ids = ",".join(str(41001 + i) for i in range(101))
    assert call(app, "PUT", f"/api/v2/tickets/update_many.json?ids={ids}", {"ticket": {"status": "open"}}).status == 400
    assert call(app, "PUT", "/api/v2/tickets/update_many.json", {"ticket": {"status": "open"}}).status == 400


def test_a_job_reports_each_ticket_it_could_not_update(make):
    # spec FailedResult: {id, action, success false, error, details}; the others succeed.
    app = make()
    app.state.tickets[41004]["status"] = "closed"
    app.state.job_failures[41005] = "Ticket is being merged"
    job = call(app, "PUT", "/api/v2/tickets/update_many?ids=41002,41004,41005,99", {"ticket": {"tags": ["bulk"]}})
    job_id = job.body["job_status"]["id"]
    get(app, f"/api/v2/job_statuses/{job_id}")
    results = get(app, f"/api/v2/job_statuses/{job_id}").body["job_status"]["results"]
    assert [(r["id"], r["success"]) for r in results] == [(41002, True), (41004, False), (41005, False), (99, False)]
    assert results[2] == {
        "id": 41005,
        "action": "update",
        "success": False,
        "error": "RecordInvalid",
        "details": "Ticket is being merged",
    }
    assert tags_of(app, 41002) == ["bulk"] and "bulk" not in tags_of(app, 41005)
    assert 41005 not in app.state.job_failures  # injected once: the next job updates it


def test_at_most_30_jobs_queued_or_running_per_account(make, clocks):
    # README "Bulk": "at most 30 queued or running jobs per account"; the 31st is refused with
    # 429 and a Retry-After, any agent's; once jobs complete, new ones are taken.
    app = make(job_stage_seconds=10)
    emails = ["agent@example.com", "rosa@example.com"]
    for i in range(30):
        body = {"ticket": {"priority": "low"}}
        assert call(app, "PUT", f"/api/v2/tickets/update_many?ids={41001 + i}", body, email=emails[i % 2]).status == 200
    refused = call(app, "PUT", "/api/v2/tickets/update_many?ids=41100", {"ticket": {"priority": "low"}})
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.body["error"] == "TooManyJobs"
    clocks.advance(21)  # every job has run
    assert call(app, "PUT", "/api/v2/tickets/update_many?ids=41100", {"ticket": {"priority": "low"}}).status == 200


def test_update_many_counts_once_in_the_account_and_the_ticket_updates_budget(make):
    # README "Bulk": "One bulk request, not 100 updates against the 100-a-minute account limit."
    app = make(ticket_updates_per_minute=2)
    ids = ",".join(str(i) for i in unsolved(app, 80))
    first = call(app, "PUT", f"/api/v2/tickets/update_many?ids={ids}", {"ticket": {"priority": "low"}})
    second = call(app, "PUT", f"/api/v2/tickets/update_many?ids={ids}", {"ticket": {"priority": "normal"}})
    assert first.status == second.status == 200
    assert int(first.headers["x-rate-limit-remaining"]) - int(second.headers["x-rate-limit-remaining"]) == 1
    assert_429(call(app, "PUT", "/api/v2/tickets/41002.json", {"ticket": {"priority": "low"}}))


def test_job_statuses_are_listed_newest_first(make):
    # spec ListJobStatuses / ShowManyJobStatuses: {"job_statuses": [...]}, allowed for agents.
    app = make()
    first = call(app, "PUT", "/api/v2/tickets/update_many?ids=41002", {"ticket": {"priority": "low"}}).body
    second = call(app, "PUT", "/api/v2/tickets/update_many?ids=41004", {"ticket": {"priority": "low"}}).body
    listed = get(app, "/api/v2/job_statuses.json").body["job_statuses"]
    assert [j["id"] for j in listed] == [second["job_status"]["id"], first["job_status"]["id"]]
    assert get(app, "/api/v2/job_statuses/V3-nothing.json").status == 404
