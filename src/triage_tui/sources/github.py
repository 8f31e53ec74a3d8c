"""GitHub client for the SDK rotation: open issues with ETag conditional requests, labels;
for bug reports and working an issue: issue search, create, comments, assignees."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from triage_tui.models.base import SkippedRecord, parse_many
from triage_tui.models.github import GithubUser, Issue, IssueComment, Label
from triage_tui.sources.errors import BadResponse
from triage_tui.sources.http import ServiceClient, decode_json

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


@dataclass
class IssueSearch:
    """What `GET /search/issues` answered: the first page, how many in all, and whether
    GitHub gave up early (`incomplete_results`: the search timed out, more may match)."""

    issues: list[Issue]
    total: int
    incomplete: bool


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

    # -- bug reports and working an issue ------------------------------------------------------
    async def me(self) -> GithubUser:
        return GithubUser.model_validate(await self.http.get_json("/user"))

    async def search_issues(self, repo: str, words: str, per_page: int = 10) -> IssueSearch:
        """Open issues of `repo` matching `words` (the search API: 30 requests a minute)."""
        query = f"repo:{repo} is:issue is:open {words}".strip()
        # Someone waits on it: one retry at most, and its 30-a-minute limit said at once
        # (RateLimited with the wait) rather than held open.
        response = await self.http.request(
            "GET",
            "/search/issues",
            params={"q": query, "per_page": per_page},
            retries=1,
            paced=False,
            retry_reads_when_limited=False,
        )
        body = decode_json("github", response)
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise BadResponse("github", "/search/issues: expected an object with items")
        issues, _ = parse_many(Issue, [{**item, "repo": repo} for item in body["items"] if isinstance(item, dict)])
        return IssueSearch(issues, int(body.get("total_count") or 0), bool(body.get("incomplete_results")))

    async def create_issue(self, repo: str, title: str, body: str, labels: list[str]) -> Issue:
        response = await self.http.request(
            "POST", f"/repos/{repo}/issues", json_body={"title": title, "body": body, "labels": labels}
        )
        return Issue.model_validate({**decode_json("github", response), "repo": repo})

    async def issues_since(self, repo: str, since: str) -> list[Issue]:
        """Every issue of `repo` (open or closed) changed since `since`, all pages."""
        raw = await self._every_page(f"/repos/{repo}/issues", {"state": "all", "since": since, "per_page": 100})
        return parse_many(Issue, [{**item, "repo": repo} for item in raw if isinstance(item, dict)])[0]

    async def comments(self, repo: str, number: int) -> list[IssueComment]:
        return parse_many(
            IssueComment, await self._every_page(f"/repos/{repo}/issues/{number}/comments", {"per_page": 100})
        )[0]

    async def _every_page(self, url: str, params: dict[str, Any]) -> list[Any]:
        """A list endpoint's items over all its pages (the Link header's rel="next").

        Anything but a list is a bad answer, not an empty one: the callers look for our
        marker in what comes back, and "not found" would send the write a second time."""
        raw: list[Any] = []
        next_url: str | None = url
        next_params: dict[str, Any] | None = params
        while next_url:
            response = await self.http.request("GET", next_url, params=next_params)
            body = decode_json("github", response)
            if not isinstance(body, list):
                raise BadResponse("github", f"{url}: expected a list")
            raw.extend(body)
            found = _NEXT.search(response.headers.get("link", ""))
            next_url, next_params = (found.group(1) if found else None), None
        return raw

    async def add_comment(self, repo: str, number: int, body: str) -> IssueComment:
        response = await self.http.request("POST", f"/repos/{repo}/issues/{number}/comments", json_body={"body": body})
        return IssueComment.model_validate(decode_json("github", response))

    async def add_assignees(self, repo: str, number: int, logins: list[str]) -> Issue:
        response = await self.http.request(
            "POST", f"/repos/{repo}/issues/{number}/assignees", json_body={"assignees": logins}
        )
        return Issue.model_validate({**decode_json("github", response), "repo": repo})
