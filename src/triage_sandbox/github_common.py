"""What the fake GitHub's reads and writes share: its error answers, the token's user and
the repository's collaborators, and the labels a write names."""

from __future__ import annotations

import re

from triage_sandbox.http import Response
from triage_sandbox.state import SandboxState

NOT_FOUND = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
REPO = r"/repos/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)"
DOCS = "https://docs.github.com/rest"
# The token's user (GET /user) and who else has push access: only they can be assigned;
# GitHub silently leaves anyone else out of POST .../assignees.
ME = {"login": "sandbox-agent", "id": 1, "node_id": "U_kgDOAAAAAQ", "type": "User", "site_admin": False}
COLLABORATORS = {"sandbox-agent", "marina-mobile", "ioannis-sdk"}
SEARCH_QUALIFIER = re.compile(r'(?P<key>[a-z]+):(?P<value>"[^"]*"|\S+)')


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
