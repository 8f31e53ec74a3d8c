"""GitHub reads a person waits on (issue 26): a duplicate search for a bug report, an
issue's comments. Asked by the UI through `Requests` (SearchGithub, ReadIssueComments),
answered as plain values in a `SyncEvent.github`: the UI never sees a client or a model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from triage_tui.sources.errors import RateLimited, SourceError
from triage_tui.sync.clients import Clients


@dataclass
class GithubAnswer:
    """One read's answer. `kind`: "github_search" (issues: the open issues found) or
    "issue_comments" (comments). `asked` is what the UI asked, to match the answer to it."""

    kind: str
    asked: tuple[Any, ...]
    issues: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    incomplete: bool = False
    error: str | None = None


async def answer(clients: Clients, kind: str, asked: tuple[Any, ...]) -> GithubAnswer:
    github = clients.github
    if github is None:
        return GithubAnswer(kind, asked, error="GitHub is not configured ([github] url and a token)")
    try:
        if kind == "github_search":
            repo, words = asked[0], asked[1]
            found = await github.search_issues(repo, words)
            issues = [
                {
                    "number": issue.number,
                    "title": issue.title,
                    "html_url": issue.html_url,
                    "labels": issue.label_names,
                    "comments": issue.comments,
                }
                for issue in found.issues
            ]
            return GithubAnswer(kind, asked, issues=issues, total=found.total, incomplete=found.incomplete)
        repo, number = asked[0], asked[1]
        comments = [
            {
                "author": comment.user.login if comment.user else "",
                "body": comment.body or "",
                "created_at": comment.created_at.isoformat() if comment.created_at else None,
            }
            for comment in await github.comments(repo, number)
        ]
        return GithubAnswer(kind, asked, comments=comments)
    except RateLimited as exc:
        wait = f": try again in {int(exc.retry_after) + 1} s" if exc.retry_after else ""
        # The search API has its own budget (30 a minute); comments count against the general one.
        limit = "search limit (30 a minute)" if kind == "github_search" else "rate limit"
        return GithubAnswer(kind, asked, error=f"GitHub's {limit} reached{wait}")
    except SourceError as exc:
        return GithubAnswer(kind, asked, error=exc.message)
