"""Zendesk Support API objects (tickets, comments, users, orgs, groups, macros, ...)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from triage_tui.models.base import ApiModel, NullAsEmptyDict, NullAsEmptyList

UNSOLVED = frozenset({"new", "open", "pending", "hold"})
AWAITING_US = frozenset({"new", "open"})


class CustomFieldValue(ApiModel):
    id: int
    value: Any = None


class SlaPolicyMetric(ApiModel):
    """One entry of a ticket's `slas.policy_metrics` (sideloaded with include=slas)."""

    metric: str | None = None
    stage: str | None = None  # "active", "paused", "achieved"
    breach_at: dt.datetime | None = None
    minutes: float | None = None
    hours: float | None = None
    days: float | None = None


class TicketSlas(ApiModel):
    policy_metrics: list[SlaPolicyMetric] = Field(default_factory=list)


class TicketMetricSet(ApiModel):
    """The `metric_sets` sideload: when the customer and we last spoke, and status moves."""

    ticket_id: int | None = None
    requester_updated_at: dt.datetime | None = None
    assignee_updated_at: dt.datetime | None = None
    status_updated_at: dt.datetime | None = None
    latest_comment_added_at: dt.datetime | None = None


class Ticket(ApiModel):
    """The ticket record: validated once, here, as the sources read it; stored as its JSON
    (`store.cache`), from which the queue's fields are derived (`store.queue_rows`)."""

    id: int
    subject: str | None = None
    raw_subject: str | None = None
    description: str | None = None
    # Not an enum: incremental export also returns "deleted", which the description lacks.
    status: str = "new"
    priority: str | None = None
    type: str | None = None
    requester_id: int | None = None
    submitter_id: int | None = None
    assignee_id: int | None = None
    organization_id: int | None = None
    group_id: int | None = None
    tags: NullAsEmptyList[str] = Field(default_factory=list)
    custom_fields: NullAsEmptyList[CustomFieldValue] = Field(default_factory=list)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    url: str | None = None
    slas: TicketSlas | None = None
    # Not part of Zendesk's ticket object: the client merges the metric_sets sideload in.
    metric_set: TicketMetricSet | None = None

    @property
    def title(self) -> str:
        return self.subject or self.raw_subject or "(no subject)"


class Attachment(ApiModel):
    id: int | None = None
    file_name: str | None = None
    content_url: str | None = None
    size: int | None = None
    height: int | None = None
    width: int | None = None


class Comment(ApiModel):
    id: int
    type: str = "Comment"
    author_id: int | None = None
    body: str | None = None
    plain_body: str | None = None
    html_body: str | None = None
    public: bool = True
    created_at: dt.datetime | None = None
    attachments: list[Attachment] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return self.plain_body or self.body or ""


class User(ApiModel):
    id: int
    name: str | None = None
    email: str | None = None
    role: str | None = None  # "end-user", "agent", "admin"
    organization_id: int | None = None
    default_group_id: int | None = None
    time_zone: str | None = None
    tags: NullAsEmptyList[str] = Field(default_factory=list)
    user_fields: NullAsEmptyDict = Field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return self.name or self.email or f"user {self.id}"

    @property
    def first_name(self) -> str:
        return (self.name or "").split(" ")[0]


class Organization(ApiModel):
    id: int
    name: str | None = None
    domain_names: NullAsEmptyList[str] = Field(default_factory=list)
    tags: NullAsEmptyList[str] = Field(default_factory=list)
    organization_fields: NullAsEmptyDict = Field(default_factory=dict)
    notes: str | None = None


class Group(ApiModel):
    id: int
    name: str
    description: str | None = None
    deleted: bool = False


class MacroAction(ApiModel):
    field: str
    value: Any = None


class Macro(ApiModel):
    id: int
    title: str
    active: bool = True
    description: str | None = None
    actions: list[MacroAction] = Field(default_factory=list)
    updated_at: dt.datetime | None = None


class View(ApiModel):
    id: int
    title: str
    active: bool = True
    position: int | None = None
    default: bool = False
    # {"all": [{"field", "operator", "value"}, ...], "any": [...]}
    conditions: NullAsEmptyDict = Field(default_factory=dict)


class TicketField(ApiModel):
    id: int
    title: str | None = None
    type: str | None = None
    key: str | None = None
    custom_field_options: list[dict[str, Any]] | None = None


class Audit(ApiModel):
    id: int
    ticket_id: int | None = None
    author_id: int | None = None
    created_at: dt.datetime | None = None
    events: list[dict[str, Any]] = Field(default_factory=list)
