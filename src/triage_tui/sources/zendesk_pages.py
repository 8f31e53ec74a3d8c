"""What Zendesk's answers are read into: pages of validated tickets with their sideloads,
the changed ids a feed lists, a bulk job's status, a tag list, a view. Each reader checks the
answer's shape and raises `BadResponse` naming what was missing; a malformed record inside a
valid page is skipped and reported, never raised."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from triage_tui.models.base import SkippedRecord, parse_many
from triage_tui.models.zendesk import Group, Organization, Ticket, User
from triage_tui.sources.errors import BadResponse


@dataclass(frozen=True)
class ChangedTicket:
    """A ticket id and when it last changed (ISO, as Zendesk wrote it): enough to decide
    whether the whole ticket needs fetching."""

    id: int
    updated_at: str
    # What a queue row shows, as listed: two changes within one second share an updated_at,
    # so a poll also compares these with the cached copy.
    fields: tuple[Any, ...] | None = None
    # The whole ticket as the view listed it (validated), without SLA data: a view sideloads
    # nothing. None when the listing is not a whole ticket or did not validate.
    ticket: Ticket | None = None


QUEUE_VISIBLE = ("status", "priority", "subject", "group_id", "assignee_id", "tags", "type")


def visible_fields(ticket: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(tuple(v) if isinstance(v, list) else v for v in (ticket.get(k) for k in QUEUE_VISIBLE))


@dataclass
class TicketPage:
    tickets: list[Ticket]
    users: list[User] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    after_cursor: str | None = None
    end_of_stream: bool = True


@dataclass(frozen=True)
class ListedPage:
    """One page of a listing of ids (search export without sideloads): each id with when it
    last changed as search indexed it, and the cursor of the next page (None: the last)."""

    listed: list[ChangedTicket]
    after_cursor: str | None


def listed_page(body: Any) -> ListedPage:
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise BadResponse("zendesk", "search export: expected a 'results' list")
    listed = [
        ChangedTicket(t["id"], str(t.get("updated_at") or ""))
        for t in body["results"]
        if isinstance(t, dict) and isinstance(t.get("id"), int) and t.get("result_type", "ticket") == "ticket"
    ]
    meta = body.get("meta") or {}
    after = meta.get("after_cursor") if isinstance(meta, dict) and meta.get("has_more") else None
    return ListedPage(listed, after if isinstance(after, str) and after else None)


@dataclass
class SearchPage:
    found: TicketPage
    count: int  # everything the query matched, of which `found` is the first page


def merge_metric_sets(body: dict[str, Any], tickets: list[Any]) -> list[Any]:
    metrics = {m.get("ticket_id"): m for m in body.get("metric_sets") or [] if isinstance(m, dict)}
    if not metrics:
        return tickets
    return [
        {**t, "metric_set": metrics[t["id"]]} if isinstance(t, dict) and t.get("id") in metrics else t for t in tickets
    ]


def ticket_page(body: Any, key: str) -> TicketPage:
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise BadResponse("zendesk", f"expected a {key!r} list in the response")
    tickets, skipped = parse_many(Ticket, merge_metric_sets(body, body[key]))
    users, bad_users = parse_many(User, body.get("users") or [])
    orgs, bad_orgs = parse_many(Organization, body.get("organizations") or [])
    groups, bad_groups = parse_many(Group, body.get("groups") or [])
    return TicketPage(tickets, users, orgs, groups, skipped + bad_users + bad_orgs + bad_groups)


BULK_IDS = 100  # update_many: "a comma-separated list of up to 100 ticket ids" (the spec)


def tags_of(body: Any) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get("tags"), list):
        raise BadResponse("zendesk", "tags: expected a 'tags' list")
    return [str(tag) for tag in body["tags"]]


@dataclass(frozen=True)
class JobResult:
    """One ticket's outcome in a job: UpdateResourceResult or FailedResult (the spec)."""

    id: int
    success: bool
    error: str | None = None


@dataclass(frozen=True)
class JobStatus:
    id: str
    status: str  # queued, working, completed, failed
    results: tuple[JobResult, ...] = ()
    message: str | None = None

    @property
    def done(self) -> bool:
        return self.status in ("completed", "failed")

    @classmethod
    def parse(cls, body: Any) -> JobStatus:
        if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not body.get("status"):
            raise BadResponse("zendesk", "expected a job_status with an id and a status")
        results = []
        for item in body.get("results") or []:
            if isinstance(item, dict) and isinstance(item.get("id"), int):
                # Results without `success` (the recorded create_many's) name what was done.
                success = item.get("success", "error" not in item) is True
                error = " ".join(str(item[k]) for k in ("error", "details") if item.get(k)) or None
                results.append(JobResult(item["id"], success, error))
        message = body.get("message")
        return cls(body["id"], str(body["status"]), tuple(results), message if isinstance(message, str) else None)


def view_of(body: Any) -> dict[str, Any]:
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("view"), dict)
        or not isinstance(body["view"].get("id"), int)
    ):
        raise BadResponse("zendesk", "views: expected a 'view' with an id")
    return body["view"]
