"""The fake GitHub's writes and search, as GitHub's REST reference has them (Issues: create
an issue, list/create issue comments, add assignees; Search: issues)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlencode

from triage_sandbox.data import iso
from triage_sandbox.github_common import (
    COLLABORATORS,
    DOCS,
    ME,
    NOT_FOUND,
    REPO,
    SEARCH_QUALIFIER,
    labels_named,
    validation_failed,
)
from triage_sandbox.http import Request, Response, Router
from triage_sandbox.state import SandboxState


def register(
    router: Router,
    state: SandboxState,
    base_url: Callable[[], str],
    now: Callable[[], dt.datetime],
    repo_of: Callable[[Request], str | None],
    find_issue: Callable[[Request], dict | None],
    issue_view: Callable[[str, dict], dict],
) -> None:
    """Issue create, comments, assignees and issue search, as GitHub's REST reference has
    them (Issues: create an issue, list/create issue comments, add assignees; Search: issues)."""

    def comment_view(repo: str, number: int, comment: dict) -> dict:
        return {
            **comment,
            "url": f"{base_url()}/repos/{repo}/issues/comments/{comment['id']}",
            "issue_url": f"{base_url()}/repos/{repo}/issues/{number}",
            "html_url": f"https://github.com/{repo}/issues/{number}#issuecomment-{comment['id']}",
        }

    def comments_of(repo: str, issue: dict) -> list[dict]:
        """An issue's comments; the seeded count is made into comments when first read."""
        key = f"{repo}#{issue['number']}"
        found = state.issue_comments.get(key)
        if found is None:
            created = dt.datetime.fromisoformat(issue["created_at"])
            found = [
                {
                    "id": 3000000000 + issue["number"] * 100 + i,
                    "node_id": f"IC_kwDO{issue['number']}{i}",
                    "body": f"Seeing this too on version 1.{i + 2}.0." if i % 2 == 0 else "Any update on this?",
                    "user": {"login": f"user{i}", "id": 5000 + i, "type": "User", "site_admin": False},
                    "author_association": "NONE",
                    "created_at": iso(created + dt.timedelta(hours=i + 1)),
                    "updated_at": iso(created + dt.timedelta(hours=i + 1)),
                }
                for i in range(int(issue.get("comments") or 0))
            ]
            state.issue_comments[key] = found
        return found

    @router.route("POST", f"{REPO}/issues")
    def create_issue(request: Request) -> Response:
        body = request.body if isinstance(request.body, dict) else None
        if body is None:
            return Response(400, {"message": "Problems parsing JSON", "documentation_url": DOCS})
        title = body.get("title")
        if not isinstance(title, (str, int)) or str(title).strip() == "":
            return validation_failed("Issue", "title")
        text = body.get("body")
        labels = body.get("labels") or []
        if text is not None and not isinstance(text, str):
            return validation_failed("Issue", "body", "invalid")
        if not isinstance(labels, list):
            return validation_failed("Issue", "labels", "invalid")
        given = [label.get("name") if isinstance(label, dict) else label for label in labels]
        names = [name for name in given if isinstance(name, str) and name]
        if len(names) != len(given):
            return validation_failed("Issue", "labels", "invalid")
        with state.lock:
            repo = repo_of(request)
            if repo is None:
                return Response(404, NOT_FOUND)
            known = labels_named(state, repo, names)
            items = state.issues[repo]
            number = max([issue["number"] for issue in items] + [0]) + 1
            ident = state.new_id() + 2600000000
            stamp = iso(now())
            issue = {
                "id": ident,
                "node_id": f"I_kwDO{ident}",
                "number": number,
                "title": str(title),
                "state": "open",
                "state_reason": None,
                "locked": False,
                "active_lock_reason": None,
                "html_url": f"https://github.com/{repo}/issues/{number}",
                "body": text,
                "user": dict(ME),
                "labels": [known[name] for name in dict.fromkeys(names)],
                "assignee": None,
                "assignees": [],
                "milestone": None,
                "closed_at": None,
                "author_association": "MEMBER",
                "comments": 0,
                "created_at": stamp,
                "updated_at": stamp,
            }
            items.append(issue)
            state.issue_comments[f"{repo}#{number}"] = []
            state.writes.append({"api": "github", "method": "POST", "path": request.path, "body": body})
            return Response(201, issue_view(repo, issue), {"Location": f"{base_url()}/repos/{repo}/issues/{number}"})

    @router.route("GET", rf"{REPO}/issues/(?P<number>\d+)/comments")
    def list_comments(request: Request) -> Response:
        with state.lock:
            issue, repo = find_issue(request), repo_of(request)
            if issue is None or repo is None:
                return Response(404, NOT_FOUND)
            since = request.query.get("since")
            items = [c for c in comments_of(repo, issue) if not since or c["updated_at"] >= since]
            per_page = max(1, min(100, int(request.query.get("per_page", "30") or 30)))
            page = max(1, int(request.query.get("page", "1") or 1))
            chunk = [comment_view(repo, issue["number"], c) for c in items[(page - 1) * per_page : page * per_page]]
        headers = {}
        if page * per_page < len(items):
            following = urlencode({**request.query, "page": page + 1})
            headers["Link"] = f'<{base_url()}{request.path}?{following}>; rel="next"'
        return Response(200, chunk, headers)

    @router.route("POST", rf"{REPO}/issues/(?P<number>\d+)/comments")
    def create_comment(request: Request) -> Response:
        body = request.body if isinstance(request.body, dict) else None
        if body is None:
            return Response(400, {"message": "Problems parsing JSON", "documentation_url": DOCS})
        text = body.get("body")
        if not isinstance(text, str) or not text.strip():
            return validation_failed("IssueComment", "body")
        with state.lock:
            issue, repo = find_issue(request), repo_of(request)
            if issue is None or repo is None:
                return Response(404, NOT_FOUND)
            if issue.get("locked"):
                return Response(403, {"message": "Issue is locked", "documentation_url": DOCS})
            stamp = iso(now())
            comment = {
                "id": state.new_id() + 3900000000,
                "node_id": f"IC_kwDO{state.next_id}",
                "body": text,
                "user": dict(ME),
                "author_association": "MEMBER",
                "created_at": stamp,
                "updated_at": stamp,
            }
            comments_of(repo, issue).append(comment)
            issue["comments"] = int(issue.get("comments") or 0) + 1
            issue["updated_at"] = stamp
            state.writes.append({"api": "github", "method": "POST", "path": request.path, "body": body})
            return Response(201, comment_view(repo, issue["number"], comment))

    @router.route("POST", rf"{REPO}/issues/(?P<number>\d+)/assignees")
    def add_assignees(request: Request) -> Response:
        body = request.body if isinstance(request.body, dict) else None
        logins = body.get("assignees") if body is not None else None
        if not isinstance(logins, list) or not all(isinstance(login, str) for login in logins):
            return validation_failed("Issue", "assignees", "invalid")
        with state.lock:
            issue, repo = find_issue(request), repo_of(request)
            if issue is None or repo is None:
                return Response(404, NOT_FOUND)
            current = [a["login"] for a in issue.get("assignees") or []]
            # "Users already assigned to an issue are not replaced"; at most 10 assignees;
            # a login without push access is silently left out.
            for login in logins:
                if login in COLLABORATORS and login not in current and len(current) < 10:
                    current.append(login)
            people = [{**ME, "login": login, "id": 7000 + sorted(COLLABORATORS).index(login)} for login in current]
            issue["assignees"] = people
            issue["assignee"] = people[0] if people else None
            issue["updated_at"] = iso(now())
            state.writes.append({"api": "github", "method": "POST", "path": request.path, "body": body})
            return Response(201, issue_view(repo, issue))

    @router.route("GET", "/search/issues")
    def search_issues(request: Request) -> Response:
        query = request.query.get("q", "")
        if not query.strip():
            return validation_failed("Search", "q")
        qualifiers: dict[str, list[str]] = {}
        for found in SEARCH_QUALIFIER.finditer(query):
            qualifiers.setdefault(found["key"], []).append(found["value"].strip('"'))
        words = [w.lower() for w in SEARCH_QUALIFIER.sub(" ", query).split() if w not in ("AND",)]
        repos = qualifiers.get("repo") or list(state.issues)
        states = [v for v in qualifiers.get("is", []) + qualifiers.get("state", []) if v in ("open", "closed")]
        wanted_state = states[0] if states else None
        labels = qualifiers.get("label", [])
        hits: list[tuple[int, dict]] = []
        with state.lock:
            for repo in repos:
                if repo not in state.issues:
                    continue
                for issue in state.issues[repo]:
                    names = [label["name"] for label in issue["labels"]]
                    text = f"{issue['title']} {issue.get('body') or ''}".lower()
                    if (wanted_state and issue["state"] != wanted_state) or not all(n in names for n in labels):
                        continue
                    if "pr" in qualifiers.get("is", []) or not all(word in text for word in words):
                        continue
                    in_title = sum(1 for word in words if word in issue["title"].lower())
                    hits.append((in_title, {**issue_view(repo, issue), "score": 1.0 + in_title}))
        # Best match first (words in the title), then the newest.
        hits.sort(key=lambda hit: (hit[0], hit[1]["created_at"]), reverse=True)
        per_page = max(1, min(100, int(request.query.get("per_page", "30") or 30)))
        page = max(1, int(request.query.get("page", "1") or 1))
        items = [item for _, item in hits][(page - 1) * per_page : page * per_page]
        return Response(200, {"total_count": len(hits), "incomplete_results": False, "items": items})
