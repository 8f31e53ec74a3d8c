"""GitHub client for the SDK rotation: open issues with ETag conditional requests, labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from triage_tui.models.base import SkippedRecord, parse_many
from triage_tui.models.github import Issue, Label
from triage_tui.sources.errors import BadResponse
from triage_tui.sources.http import ServiceClient, decode_json

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


@dataclass
class IssuesResult:
    issues: list[Issue]
    skipped: list[SkippedRecord]
    etag: str | None
    not_modified: bool = False


class GithubClient:
    def __init__(self, base_url: str, token: str | None, **options: Any) -> None:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = ServiceClient("github", base_url, headers, **options)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def open_issues(self, repo: str, etag: str | None = None) -> IssuesResult:
        """Open issues (not PRs) of `repo`. A matching ETag answers 304 and costs no quota."""
        headers = {"If-None-Match": etag} if etag else None
        url: str | None = f"/repos/{repo}/issues"
        params: dict[str, Any] | None = {"state": "open", "per_page": 100}
        raw: list[Any] = []
        first_etag = None
        while url:
            response = await self.http.request("GET", url, params=params, headers=headers, accept=(304,))
            if response.status_code == 304:
                return IssuesResult([], [], etag, not_modified=True)
            first_etag = first_etag or response.headers.get("etag")
            body = decode_json("github", response)
            if not isinstance(body, list):
                raise BadResponse("github", f"/repos/{repo}/issues: expected a list")
            raw.extend(body)
            found = _NEXT.search(response.headers.get("link", ""))
            url, params, headers = (found.group(1) if found else None), None, None
        issues, skipped = parse_many(
            Issue, [{**item, "repo": repo} for item in raw if isinstance(item, dict) and not item.get("pull_request")]
        )
        return IssuesResult(issues, skipped, first_etag)

    async def labels(self, repo: str) -> list[Label]:
        return parse_many(Label, await self.http.get_json(f"/repos/{repo}/labels", {"per_page": 100}))[0]

    async def add_labels(self, repo: str, number: int, labels: list[str]) -> list[Label]:
        response = await self.http.request(
            "POST", f"/repos/{repo}/issues/{number}/labels", json_body={"labels": labels}
        )
        return parse_many(Label, decode_json("github", response))[0]

    async def remove_label(self, repo: str, number: int, label: str) -> None:
        await self.http.request(
            "DELETE", f"/repos/{repo}/issues/{number}/labels/{quote(label, safe='')}", accept=(404,)
        )
