"""GitHub issues and labels of the SDK repositories."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from triage_tui.models.base import ApiModel, NullAsEmptyList


class Label(ApiModel):
    name: str
    id: int | None = None
    color: str | None = None
    description: str | None = None


class GithubUser(ApiModel):
    login: str
    id: int | None = None


class IssueComment(ApiModel):
    id: int
    body: str | None = None
    user: GithubUser | None = None
    created_at: dt.datetime | None = None
    html_url: str | None = None


class Issue(ApiModel):
    id: int
    number: int
    title: str
    state: str = "open"
    html_url: str | None = None
    body: str | None = None
    user: GithubUser | None = None
    labels: NullAsEmptyList[Label] = Field(default_factory=list)
    assignees: NullAsEmptyList[GithubUser] = Field(default_factory=list)
    comments: int = 0
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    pull_request: dict[str, Any] | None = None
    repo: str = ""  # "owner/name": not in GitHub's issue object, added by our client

    @property
    def label_names(self) -> list[str]:
        return [label.name for label in self.labels]
