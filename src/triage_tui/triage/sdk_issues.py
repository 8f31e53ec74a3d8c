"""The SDK rotation's GitHub issues (pure): which need routing, which are mobile.

The rotation's page: route a new issue to a team label, or label `SDK Support Hero` when no
team fits; unlabelled issues need a label; mobile SDK issues have a faster SLA.
"""

from __future__ import annotations

MOBILE_LABEL = "team/mobile"


def _label_names(issue: dict) -> list[str]:
    return [label["name"] for label in issue.get("labels", [])]


def issue_rank(issue: dict, team_labels: list[str], hero_label: str) -> int:
    """0 needs routing (no team label, not hero: "bug" alone routes nowhere), 1 `SDK Support
    Hero`, 2 team-labelled."""
    names = _label_names(issue)
    if any(name in team_labels or name.startswith("team/") for name in names):
        return 2
    if hero_label in names:
        return 1
    return 0


def issue_order(issue: dict, team_labels: list[str], hero_label: str, mobile_repos: list[str]) -> tuple:
    """The SDK view's order: what needs routing first, mobile repositories first within it
    (their SLA is faster), then the oldest."""
    return (
        issue_rank(issue, team_labels, hero_label),
        issue["repo"] not in mobile_repos,
        issue.get("created_at") or "",
    )


def is_mobile_issue(issue: dict, mobile_repos: list[str]) -> bool:
    """A mobile SDK issue: in a mobile SDK's repository, or labelled for the mobile team."""
    return issue["repo"] in mobile_repos or MOBILE_LABEL in _label_names(issue)
