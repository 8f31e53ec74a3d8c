"""The subset of GitHub's REST API triage-tui uses: SDK repo issues and labels read here;
issue create, comments, assignees and issue search (for bug reports and working an issue)
in `github_writes`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from urllib.parse import quote, unquote, urlencode

from triage_sandbox import github_writes
from triage_sandbox.github_common import ME, NOT_FOUND, REPO, labels_named
from triage_sandbox.http import Request, Response, Router
from triage_sandbox.pages import issue_url
from triage_sandbox.state import SandboxState


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def build(
    state: SandboxState,
    base_url: Callable[[], str],
    now: Callable[[], dt.datetime] = _utcnow,
    links_url: Callable[[], str] = lambda: "",
) -> Router:
    router = Router()

    def repo_of(request: Request) -> str | None:
        name = f"{request.params['owner']}/{request.params['repo']}"
        return name if name in state.issues else None

    def label_view(repo: str, label: dict) -> dict:
        return {**label, "url": f"{base_url()}/repos/{repo}/labels/{quote(label['name'], safe='')}"}

    def issue_view(repo: str, issue: dict) -> dict:
        """The issue with the API links GitHub's Issue schema requires, pointing at the sandbox."""
        api = f"{base_url()}/repos/{repo}/issues/{issue['number']}"
        return {
            **issue,
            "url": api,
            "repository_url": f"{base_url()}/repos/{repo}",
            "labels_url": api + "/labels{/name}",
            "comments_url": api + "/comments",
            "events_url": api + "/events",
            # GitHub's html_url opens its web page; the sandbox's can open the sandbox's own.
            **({"html_url": issue_url(links_url(), repo, issue["number"])} if links_url() else {}),
            "labels": [label_view(repo, label) for label in issue["labels"]],
        }

    @router.route("GET", REPO)
    def repository(request: Request) -> Response:
        repo = repo_of(request)
        if repo is None:
            return Response(404, NOT_FOUND)
        owner, name = repo.split("/")
        with state.lock:
            open_count = sum(1 for issue in state.issues[repo] if issue["state"] == "open")
        ident = int(hashlib.sha1(repo.encode()).hexdigest()[:8], 16)
        return Response(
            200,
            {
                "id": ident,
                "node_id": f"R_kgDO{ident}",
                "name": name,
                "full_name": repo,
                "private": False,
                "owner": {
                    "login": owner,
                    "id": 60330232,
                    "node_id": "O_kgDOA5iL-A",
                    "type": "Organization",
                    "site_admin": False,
                    "html_url": f"https://github.com/{owner}",
                },
                "html_url": f"https://github.com/{repo}",
                "description": f"{name} SDK",
                "fork": False,
                "url": f"{base_url()}/repos/{repo}",
                "issues_url": f"{base_url()}/repos/{repo}/issues{{/number}}",
                "labels_url": f"{base_url()}/repos/{repo}/labels{{/name}}",
                "default_branch": "main",
                "archived": False,
                "disabled": False,
                "has_issues": True,
                "open_issues_count": open_count,
                "visibility": "public",
                "created_at": "2020-01-20T10:00:00Z",
                "updated_at": "2026-11-01T10:00:00Z",
                "pushed_at": "2026-11-01T10:00:00Z",
            },
        )

    @router.route("GET", "/user")
    def user(request: Request) -> Response:
        return Response(200, dict(ME))

    @router.route("GET", f"{REPO}/issues")
    def issues(request: Request) -> Response:
        repo = repo_of(request)
        if repo is None:
            return Response(404, NOT_FOUND)
        state_filter = request.query.get("state", "open")
        wanted_labels = [part for part in request.query.get("labels", "").split(",") if part]
        since = request.query.get("since")
        with state.lock:
            items = [
                issue_view(repo, issue)
                for issue in state.issues[repo]
                if (state_filter == "all" or issue["state"] == state_filter)
                and all(label in [lab["name"] for lab in issue["labels"]] for label in wanted_labels)
                and (not since or issue["updated_at"] >= since)
            ]
        items.sort(key=lambda issue: issue["created_at"], reverse=True)
        per_page = max(1, min(100, int(request.query.get("per_page", "30") or 30)))
        page = max(1, int(request.query.get("page", "1") or 1))
        chunk = items[(page - 1) * per_page : page * per_page]
        etag = 'W/"' + hashlib.sha1(json.dumps([chunk, request.query], sort_keys=True).encode()).hexdigest() + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(304, None, {"ETag": etag})
        headers = {"ETag": etag}
        links = []
        if page * per_page < len(items):
            links.append(f'<{base_url()}{request.path}?{urlencode({**request.query, "page": page + 1})}>; rel="next"')
            last = (len(items) + per_page - 1) // per_page
            links.append(f'<{base_url()}{request.path}?{urlencode({**request.query, "page": last})}>; rel="last"')
        if links:
            headers["Link"] = ", ".join(links)
        return Response(200, chunk, headers)

    @router.route("GET", f"{REPO}/labels")
    def labels(request: Request) -> Response:
        repo = repo_of(request)
        return (
            Response(200, [label_view(repo, label) for label in state.labels.get(repo, [])])
            if repo
            else Response(404, NOT_FOUND)
        )

    def find_issue(request: Request) -> dict | None:
        repo = repo_of(request)
        if repo is None:
            return None
        number = int(request.params["number"])
        return next((issue for issue in state.issues[repo] if issue["number"] == number), None)

    @router.route("GET", rf"{REPO}/issues/(?P<number>\d+)")
    def issue(request: Request) -> Response:
        with state.lock:
            found = find_issue(request)
            return Response(200, issue_view(repo_of(request) or "", found)) if found else Response(404, NOT_FOUND)

    @router.route("POST", rf"{REPO}/issues/(?P<number>\d+)/labels")
    def add_labels(request: Request) -> Response:
        # GitHub takes `{"labels": [...]}` or a bare JSON array of names.
        body = request.body
        names = body if isinstance(body, list) else body.get("labels") if isinstance(body, dict) else None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            return Response(422, {"message": "Invalid request.", "documentation_url": "https://docs.github.com/rest"})
        with state.lock:
            issue = find_issue(request)
            repo = repo_of(request)
            if issue is None or repo is None:  # no repo, no issue
                return Response(404, NOT_FOUND)
            known = labels_named(state, repo, names)
            for name in names:
                if name not in [label["name"] for label in issue["labels"]]:
                    issue["labels"].append(known[name])
            state.writes.append({"api": "github", "method": "POST", "path": request.path, "body": body})
            return Response(200, [label_view(repo, label) for label in issue["labels"]])

    @router.route("DELETE", rf"{REPO}/issues/(?P<number>\d+)/labels/(?P<name>.+)")
    def remove_label(request: Request) -> Response:
        name = unquote(request.params["name"])
        with state.lock:
            issue = find_issue(request)
            if issue is None or name not in [label["name"] for label in issue["labels"]]:
                return Response(
                    404, {"message": "Label does not exist", "documentation_url": "https://docs.github.com/rest"}
                )
            issue["labels"] = [label for label in issue["labels"] if label["name"] != name]
            state.writes.append({"api": "github", "method": "DELETE", "path": request.path})
            return Response(200, [label_view(repo_of(request) or "", label) for label in issue["labels"]])

    github_writes.register(router, state, base_url, now, repo_of, find_issue, issue_view)
    return router
