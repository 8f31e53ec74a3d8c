"""Bug reports and feature requests from a ticket, as the Support Hero page asks (pure: no IO).

What goes to GitHub (a new issue, or a +1 on the open one), what the customer is told, the
status the ticket takes and the team-channel alert copied for Slack. A hidden marker in what
we post to GitHub lets the sender find it after a crash instead of posting it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BUG, FEATURE = "bug", "feature"
LABELS = {BUG: ["bug"], FEATURE: ["enhancement", "feature"]}
# The handbook's link for low-priority users: they open the feature request themselves.
NEW_ISSUE_CHOOSER = "https://github.com/PostHog/posthog/issues/new/choose"
MOBILE_TEAM = "@PostHog/team-client-libraries"
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "since",
        "the",
        "this",
        "to",
        "was",
        "we",
        "were",
        "when",
        "with",
        "after",
        "not",
        "no",
        "can",
        "cannot",
        "does",
        "doesnt",
        "dont",
    ]
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class BugReport:
    """One report as the engineer wrote it, with what the ticket says about the customer."""

    kind: str  # BUG or FEATURE
    ticket_id: int
    ticket_url: str
    first_name: str
    title: str
    notes: str  # what the engineer wrote: steps, link to the insight, what was found
    priority: str = "normal"  # the ticket's priority: low, normal, high, urgent

    @property
    def what(self) -> str:
        return "bug report" if self.kind == BUG else "feature request"

    @property
    def high_priority(self) -> bool:
        return self.priority in ("high", "urgent")

    @property
    def low_priority_feature(self) -> bool:
        """Low-priority users get the link to open a feature request themselves."""
        return self.kind == FEATURE and self.priority == "low"


def marker_line(marker: str) -> str:
    """Invisible in GitHub's rendering, found by the sender after a crash."""
    return f"<!-- triage-tui:{marker} -->"


_MARKER = re.compile(r"\n*<!-- triage-tui:[0-9a-f]+ -->\s*$")


def without_marker(text: str) -> str:
    """What we posted, as a person reads it: the hidden marker left out."""
    return _MARKER.sub("", text)


def issue_body(report: BugReport, marker: str) -> str:
    """The new issue: the engineer's notes, then the handbook's "From: <ticket URL>" line in
    the additional information, then the marker."""
    notes = report.notes.strip() or report.title
    return f"{notes}\n\n### Additional context\n\nFrom: {report.ticket_url}\n\n{marker_line(marker)}"


def plus_one_body(report: BugReport, marker: str) -> str:
    """The comment on an issue already open: one more customer, and where they asked."""
    notes = report.notes.strip()
    middle = f"\n\n{notes}" if notes else ""
    return f"+1: another customer asked about this.{middle}\n\nFrom: {report.ticket_url}\n\n{marker_line(marker)}"


def customer_reply(report: BugReport, issue_url: str, *, existing: bool) -> str:
    """Thanks, the link, and how to follow it (a feature request already open: upvote it)."""
    hello = f"Hey {report.first_name}," if report.first_name else "Hey,"
    if report.kind == BUG and not existing:
        return (
            f"{hello} thanks for letting us know about this! I've opened a bug report for it: {issue_url}\n\n"
            "You can follow it on GitHub for updates."
        )
    if report.kind == BUG:
        return (
            f"{hello} thanks for letting us know about this! It's a known bug and I've added your report "
            f"to it: {issue_url}\n\nYou can follow it on GitHub for updates."
        )
    if not existing:
        return (
            f"{hello} thanks for the suggestion! I've opened a feature request for it: {issue_url}\n\n"
            "You can follow it on GitHub for updates."
        )
    return (
        f"{hello} thanks for the suggestion! There's already a feature request for this: {issue_url}\n\n"
        'You can upvote it by adding a "+1" comment there, and follow it on GitHub for updates.'
    )


def low_priority_reply(report: BugReport) -> str:
    hello = f"Hey {report.first_name}," if report.first_name else "Hey,"
    return (
        f"{hello} thanks for the suggestion! Could you open a feature request for it here: {NEW_ISSUE_CHOOSER}\n\n"
        "That way you can follow it, and others who want the same can upvote it."
    )


def status_after(report: BugReport) -> str:
    """Pending after a bug report (the customer may still have more to say); Solved when the
    link is all they need (a feature request, opened, found or theirs to open)."""
    return "pending" if report.kind == BUG else "solved"


def team_alert(report: BugReport, issue_url: str) -> str:
    """The post for the team channel of the feature (the tool copies it; it does not post)."""
    who = "a high priority customer" if report.high_priority else "a customer"
    return f"New {report.what} from {who}: {issue_url}"


def team_channel(group_name: str | None) -> str | None:
    """The team channel of the ticket's group: "Product Analytics" -> #team-product-analytics."""
    if not group_name or group_name.strip().lower() in ("support", "unclassified"):
        return None
    slug = re.sub(r"[^a-z0-9]+", "-", group_name.lower()).strip("-")
    return f"#team-{slug}" if slug else None


def search_words(subject: str, limit: int = 6) -> str:
    """The words of a subject worth searching GitHub for: no stop words, no punctuation."""
    words = [w.lower().strip(".-") for w in _WORD.findall(subject)]
    kept = [w for w in dict.fromkeys(words) if w and w not in _STOP and len(w) > 1]
    return " ".join(kept[:limit])


def escalation_comment(note: str) -> str:
    """A mobile SDK issue escalated to the client libraries team, as the SDK page asks."""
    note = note.strip()
    return f"{MOBILE_TEAM} {note}" if note else f"{MOBILE_TEAM} could you take a look? This is a mobile SDK issue."


# Platforms whose bare name in a ticket means that SDK ("crashes on iOS 15"). Words such as
# "python" or "js" also name a language the product is used from, so those SDKs count only
# when named as one ("posthog-python", "Python SDK").
_PLATFORM_WORDS = {
    "ios": ("ios", "swift"),
    "android": ("android", "kotlin"),
    "flutter": ("flutter",),
    "react-native": ("react native", "react-native", "expo"),
}
_SDK_WORDS = {"js": ("javascript", "web", "js"), "node": ("node", "nodejs", "node.js")}


def _names_of(repo: str) -> tuple[str, ...]:
    """How a ticket names the SDK of `repo` ("PostHog/posthog-ios"): its package name, the
    platform alone where that is unambiguous, "<platform> SDK" otherwise."""
    package = repo.rsplit("/", 1)[-1].lower()
    platform = package.removeprefix("posthog-")
    if platform == package:
        return ()  # not an SDK's repository (the product's own)
    names = [package, package.replace("-", ".")]
    names += _PLATFORM_WORDS.get(platform, ())
    names += [f"{word} sdk" for word in (*_SDK_WORDS.get(platform, ()), platform.replace("-", " "))]
    return tuple(dict.fromkeys(names))


def repo_for(text: str, sdk_repos: list[str], default: str) -> tuple[str, str | None]:
    """The repository a bug report from a ticket goes to: the SDK's the ticket names most
    (subject and description), else `default` (the product's). Returns it and the words
    that decided it (None for the default), for the form to say why."""
    lowered = " ".join(text.lower().split())
    best: tuple[int, str, str | None] = (0, default, None)
    for repo in sdk_repos:
        # Whole words only: "ios" is not in "biosphere", nor "posthog-js" in "posthog-jsx".
        found = {n: len(re.findall(rf"(?<![\w.-]){re.escape(n)}(?![\w-])", lowered)) for n in _names_of(repo)}
        count = sum(found.values())
        if count > best[0]:
            best = (count, repo, next(n for n, times in found.items() if times))
    return best[1], best[2]
