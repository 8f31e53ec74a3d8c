"""The subset of GitHub's REST API triage-tui uses: SDK repo issues and labels; issue
create, comments, assignees and issue search for bug reports and working an issue."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from urllib.parse import quote, unquote, urlencode

from triage_sandbox.data import iso
from triage_sandbox.http import Request, Response, Router
from triage_sandbox.pages import issue_url
from triage_sandbox.state import SandboxState

NOT_FOUND = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
REPO = r"/repos/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)"
DOCS = "https://docs.github.com/rest"
# The token's user (GET /user) and who else has push access: only they can be assigned;
# GitHub silently leaves anyone else out of POST .../assignees.
ME = {"login": "sandbox-agent", "id": 1, "node_id": "U_kgDOAAAAAQ", "type": "User", "site_admin": False}
COLLABORATORS = {"sandbox-agent", "marina-mobile", "ioannis-sdk"}
SEARCH_QUALIFIER = re.compile(r'(?P<key>[a-z]+):(?P<value>"[^"]*"|\S+)')


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def validation_failed(resource: str, field: str, code: str = "missing_field") -> Response:
    """GitHub's 422 for a body it will not take: which field, and why."""
    return Response(
        422,
        {
            "message": "Validation Failed",
            "errors": [{"resource": resource, "field": field, "code": code}],
            "documentation_url": DOCS,
        },
    )


def labels_named(state: SandboxState, repo: str, names: list[str]) -> dict[str, dict]:
    """The repo's labels by name, with any of `names` it lacks created as GitHub does for a
    user with push access (grey, no description). Called with the state's lock held."""
    labels = state.labels.setdefault(repo, [])
    known = {label["name"]: label for label in labels}
    for name in names:
        if name not in known:
            label_id = state.new_id()
            known[name] = {
                "id": label_id,
                "node_id": f"LA_kwDO{label_id}",
                "name": name,
                "color": "ededed",
                "description": None,
                "default": False,
            }
            labels.append(known[name])
    return known


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

    _writes(router, state, base_url, now, repo_of, find_issue, issue_view)
    return router


def _writes(
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
