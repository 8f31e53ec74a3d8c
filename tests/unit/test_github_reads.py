"""What the UI reads when GitHub refuses a read a person waits on (sync/github_reads.py)."""

from __future__ import annotations

from types import SimpleNamespace

from triage_tui.sources.errors import RateLimited
from triage_tui.sync.github_reads import answer


class Limited:
    """GitHub answering 429 with Retry-After: 12 to everything."""

    async def search_issues(self, repo, words):
        raise RateLimited("github", "HTTP 429", retry_after=12)

    async def comments(self, repo, number):
        raise RateLimited("github", "HTTP 429", retry_after=12)


async def test_the_search_limit_is_named_for_a_search():
    limited = SimpleNamespace(github=Limited())
    read = await answer(limited, "github_search", ("PostHog/posthog", "funnel"))  # type: ignore[arg-type]  # a stand-in
    assert read.error == "GitHub's search limit (30 a minute) reached: try again in 13 s"


async def test_a_limited_comments_read_does_not_blame_the_search_limit():
    """Comments count against GitHub's general rate limit, not the search API's 30 a minute."""
    limited = SimpleNamespace(github=Limited())
    read = await answer(limited, "issue_comments", ("PostHog/posthog", 7))  # type: ignore[arg-type]  # a stand-in
    assert read.error == "GitHub's rate limit reached: try again in 13 s"
