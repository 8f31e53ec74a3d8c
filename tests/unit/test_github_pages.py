"""The GitHub client's paged lists (an issue's comments, a repo's issues since a time),
which the sender searches for a write's marker after an interrupted send."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Closing
from triage_tui.sources.errors import BadResponse
from triage_tui.sources.github import GithubClient


def client(handler) -> GithubClient:
    async def no_sleep(_):
        return None

    return GithubClient("https://api.github.test", "tok", transport=httpx.MockTransport(handler), sleep=no_sleep)


async def test_comments_follow_the_link_header_over_every_page(closing: Closing):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("page") == "2":
            return httpx.Response(200, json=[{"id": 2, "body": "second"}])
        nxt = '<https://api.github.test/repos/o/r/issues/1/comments?per_page=100&page=2>; rel="next"'
        return httpx.Response(200, json=[{"id": 1, "body": "first"}], headers={"link": nxt})

    comments = await closing(client(handler)).comments("o/r", 1)
    assert [c.body for c in comments] == ["first", "second"]


@pytest.mark.parametrize("what", ["comments", "issues_since"])
async def test_a_list_endpoint_answering_something_else_is_a_bad_answer_not_an_empty_list(what, closing: Closing):
    """Read as "nothing there", the marker search would say "not sent" and send it twice."""
    github = closing(client(lambda request: httpx.Response(200, json={"message": "Server Error"})))
    with pytest.raises(BadResponse, match="expected a list"):
        if what == "comments":
            await github.comments("o/r", 1)
        else:
            await github.issues_since("o/r", "2026-12-07T00:00:00Z")
