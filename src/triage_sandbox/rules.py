"""Zendesk's business rules, as the sandbox decides them: view conditions and sorting,
search queries, macro actions and SLA targets.

Written for the sandbox alone. The product has its own code for some of these (macro
placeholders, SLA clocks); the fake that judges the product must not share its bugs, so
nothing here imports from `triage_tui.triage`, `sources`, `sync`, `store` or `ui`.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

STATUS_ORDER = ["new", "open", "pending", "hold", "solved", "closed"]
PRIORITY_ORDER = [None, "low", "normal", "high", "urgent"]


def parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _status_rank(status: Any) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else -1


# -- tags and bulk updates ----------------------------------------------------------------
# ../shared/api/README.md "Tags": the description has these on TicketsUpdateRequest (the
# bulk update), not on TicketUpdateRequest: sent on a single update they do nothing.
BULK_ONLY_FIELDS = frozenset({"additional_tags", "remove_tags"})
BULK_MAX_IDS = 100  # the spec, TicketsUpdateMany: "up to 100 ticket ids"
CLOSED_TICKET = {
    "error": "RecordInvalid",
    "description": "Record validation errors",
    "details": {"status": [{"description": "Status: closed prevents ticket update"}]},
}
TOO_MANY_JOBS = {
    "error": "TooManyJobs",
    "description": "Too many background jobs are queued or running for this account",
}


def truthy(value: Any) -> bool:
    """`safe_update` as sent: true, or "true" as in the spec's tags example."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def tag_list(value: Any) -> list[str]:
    """Tags as a list, or as a comma- or space-separated string (the DELETE query form)."""
    if value is None:
        return []
    parts = value.replace(",", " ").split() if isinstance(value, str) else [str(v) for v in value]
    return [part for part in parts if part]


def tags_after(current: list[str], add: list[str], remove: list[str]) -> list[str]:
    tags = list(current)
    tags += [tag for tag in dict.fromkeys(add) if tag not in tags]
    return [tag for tag in tags if tag not in set(remove)]


def bulk_refusal(ticket: dict | None, injected: str | None) -> dict[str, str] | None:
    """Why a bulk job could not update `ticket` (a FailedResult's error and details), or None."""
    if ticket is None or ticket.get("status") == "deleted":
        return {"error": "RecordNotFound", "details": "Not found"}
    if ticket.get("status") == "closed":
        return {"error": "RecordInvalid", "details": "Status: closed prevents ticket update"}
    if injected:
        return {"error": "RecordInvalid", "details": injected}
    return None


# -- views ------------------------------------------------------------------------------
def _user_groups(user: dict | None) -> set[int]:
    if not user:
        return set()
    groups = set(user.get("group_ids") or [])
    if user.get("default_group_id"):
        groups.add(user["default_group_id"])
    return groups


def _id_value(value: Any) -> int | None | str:
    """A condition's id value: "" or null is "none"; anything else unreadable stays text."""
    if value in ("", None):
        return None
    text = str(value)
    return int(text) if text.isdigit() else text


def _compare(actual: Any, operator: str, expected: Any) -> bool:
    if operator == "is":
        return actual == expected
    if operator == "is_not":
        return actual != expected
    return True  # an operator the sandbox does not know: tolerated, as a no-op


def condition_holds(
    ticket: dict, condition: dict, user: dict | None, now: dt.datetime, metrics: dict | None = None
) -> bool:
    """One view condition (`{"field", "operator", "value"}`) against one ticket."""
    field = condition.get("field")
    operator = condition.get("operator") or "is"
    value: Any = condition.get("value")  # any JSON value; each field reads it its own way
    if field == "status":
        actual, expected = _status_rank(ticket.get("status")), _status_rank(value)
        if actual < 0:  # a deleted ticket matches no status condition
            return False
        if operator == "less_than":
            return actual < expected
        if operator == "greater_than":
            return actual > expected
        if operator == "less_than_equal":
            return actual <= expected
        if operator == "greater_than_equal":
            return actual >= expected
        return _compare(actual, operator, expected)
    if field == "assignee_id":
        wanted_id = (user or {}).get("id") if value == "current_user" else _id_value(value)
        return _compare(ticket.get("assignee_id"), operator, wanted_id)
    if field == "group_id":
        if value == "current_groups":
            inside = ticket.get("group_id") in _user_groups(user)
            return inside if operator == "is" else not inside if operator == "is_not" else True
        return _compare(ticket.get("group_id"), operator, _id_value(value))
    if field in ("priority", "type", "organization_id", "requester_id", "brand_id"):
        return _compare(str(ticket.get(field) or ""), operator, str(value or ""))
    if field == "current_tags":
        wanted = set(str(value or "").split())
        tags = set(ticket.get("tags") or [])
        if operator == "includes":
            return bool(wanted & tags)
        if operator == "not_includes":
            return not wanted & tags
        return True
    if field in ("updated_at", "created_at", "requester_updated_at", "assignee_updated_at"):
        # Hours since: "less_than 24" is "changed within the last 24 hours".
        source = (metrics or {}) if field in ("requester_updated_at", "assignee_updated_at") else ticket
        stamp = parse_time(source.get(field))
        if stamp is None:
            return False
        hours = (now - stamp).total_seconds() / 3600
        try:
            target = float(value)
        except (TypeError, ValueError):
            return True  # an unreadable number of hours: tolerated, as a no-op
        if operator == "less_than":
            return hours < target
        if operator == "greater_than":
            return hours > target
        if operator == "is":
            return int(hours) == int(target)
        return True
    return True  # fields the sandbox does not model are tolerated


def view_matches(view: dict, ticket: dict, user: dict | None, now: dt.datetime, metrics: dict | None = None) -> bool:
    if ticket.get("status") not in STATUS_ORDER:
        return False
    conditions = view.get("conditions") or {}
    every = conditions.get("all") or []
    some = conditions.get("any") or []
    if not all(condition_holds(ticket, c, user, now, metrics) for c in every):
        return False
    return not some or any(condition_holds(ticket, c, user, now, metrics) for c in some)


# Columns of Zendesk's "View columns" table the sandbox sorts by, and the ticket value each
# stands for. `updated_at`/`created_at` are accepted as aliases of `updated`/`created`.
ALPHABETICAL = {
    "assignee",
    "group",
    "requester",
    "organization",
    "type",
    "brand",
    "ticket_form",
    "subject",
    "description",
}
# The spec (ListTicketsFromView.sort_by): "The `subject` and `submitter` columns are not
# supported" (`description` is the Subject column's value).
SORTABLE = {
    "updated",
    "updated_at",
    "created",
    "created_at",
    "priority",
    "status",
    "id",
    "nice_id",
    "ticket_id",
    "solved",
    "updated_requester",
    "updated_assignee",
    "due_date",
    *(ALPHABETICAL - {"subject", "description"}),
}


def default_sort_order(column: str) -> str:
    """The spec: "asc" for alphabetical and position sort, "desc" for all others."""
    return "asc" if column in ALPHABETICAL or column == "position" else "desc"


def sort_value(column: str, ticket: dict, names: Callable[[str, Any], str], metrics: dict | None) -> Any:
    """A value that orders like the column does; never None (None sorts as the lowest)."""
    metrics = metrics or {}
    if column in ("updated", "updated_at"):
        return ticket.get("updated_at") or ""
    if column in ("created", "created_at"):
        return ticket.get("created_at") or ""
    if column == "priority":
        priority = ticket.get("priority")
        return PRIORITY_ORDER.index(priority) if priority in PRIORITY_ORDER else 0
    if column == "status":
        return _status_rank(ticket.get("status"))
    if column in ("id", "nice_id", "ticket_id"):
        return ticket["id"]
    if column == "solved":
        return (
            metrics.get("solved_at")
            or (ticket.get("updated_at") if ticket.get("status") in ("solved", "closed") else "")
            or ""
        )
    if column == "updated_requester":
        return metrics.get("requester_updated_at") or ""
    if column == "updated_assignee":
        return metrics.get("assignee_updated_at") or ""
    if column == "due_date":
        return ticket.get("due_at") or ""
    if column in ("assignee", "requester", "group", "organization"):
        return names(column, ticket.get(f"{column}_id")).lower()
    return str(ticket.get(column) or "").lower()


# -- search -----------------------------------------------------------------------------
_RELATIVE = re.compile(r"^(\d+)(minutes?|hours?|days?|weeks?|months?|years?)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400, "month": 30 * 86400, "year": 365 * 86400}
_TERM = re.compile(r"^(?P<neg>-)?(?P<key>[A-Za-z_]+)(?P<op>:|<=|>=|<|>)(?P<value>.+)$")
# A term as typed: an optional `-`, an optional `key:` (or `<`, `>`, `<=`, `>=`), then a
# "quoted phrase" or a word, so that `requester:"Jane Doe"` is one term.
_TOKEN = re.compile(r'(-?(?:[A-Za-z_]+(?:<=|>=|:|<|>))?)(?:"([^"]*)"|(\S+))')
_WORD = re.compile(r"\w+")
SEARCH_KINDS = ("ticket", "user", "organization", "group")
# Keys naming a user, organization or group, which Zendesk reads as an id or a name (a user
# also by email): the kind to look the value up in, and the ticket field holding the link.
_LINKS = {
    "requester": ("user", "requester_id"),
    "submitter": ("user", "submitter_id"),
    "assignee": ("user", "assignee_id"),
    "organization": ("organization", "organization_id"),
    "group": ("group", "group_id"),
}
_TEXT_FIELDS = {"user": ("name", "email"), "organization": ("name",), "group": ("name",)}


class SearchError(ValueError):
    """A query Zendesk would refuse."""


class SearchDirectory(Protocol):
    """What matching needs from the account beyond the record itself. The server provides
    it, so that this module keeps rules and no state."""

    def ids(self, kind: str, value: str) -> set[int]:
        """Ids of the users, organizations or groups (`kind`) that `value` names."""
        ...

    def comments(self, ticket_id: int) -> list[str]:
        """The text of the ticket's comments, as far as search has indexed them."""
        ...


@dataclass(frozen=True)
class _Term:
    negate: bool
    key: str | None  # None: free text
    op: str
    value: str


@functools.lru_cache(maxsize=1024)
def _parse(term: str) -> _Term:
    negate = term.startswith("-") and len(term) > 1
    text = term[1:] if negate else term
    if text.startswith('"'):  # a phrase, even one that begins like `key:`
        return _Term(negate, None, ":", text.strip('"'))
    found = _TERM.match(term)
    if found is not None:
        return _Term(bool(found["neg"]), found["key"].lower(), found["op"], found["value"])
    return _Term(negate, None, ":", text)


def search_time(text: str, now: dt.datetime) -> dt.datetime:
    """`2026-11-18`, `2026-11-18T14:00:00Z`, or relative `5minutes`, `2hours`, `3days`."""
    relative = _RELATIVE.match(text.lower())
    if relative:
        unit = relative.group(2).rstrip("s")
        return now - dt.timedelta(seconds=int(relative.group(1)) * _UNIT_SECONDS[unit])
    moment = parse_time(text)
    if moment is None:
        try:
            moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(0), tzinfo=dt.UTC)
        except ValueError:
            raise SearchError(f"cannot read the date {text!r}") from None
    return moment


def search_terms(query: str) -> list[str]:
    """Whitespace-separated terms. A "quoted phrase" stays whole, in its quotes (so that
    `"Replay: masks inputs"` stays text); `key:"a value"` stays whole without them."""
    terms = [
        prefix + (f'"{quoted}"' if quoted and prefix in ("", "-") else quoted or bare)
        for prefix, quoted, bare in _TOKEN.findall(query)
    ]
    return [term for term in terms if term.strip('-"')]


def check_search(terms: list[str], now: dt.datetime) -> None:
    """Raise `SearchError` for a query Zendesk refuses, whether or not any record is matched."""
    for term in map(_parse, terms):
        if term.key == "status" and _status_rank(term.value.lower()) < 0:
            raise SearchError(f"unknown status {term.value!r}")
        if term.key in ("updated", "created", "updated_at", "created_at"):
            search_time(term.value, now)


def search_kinds(terms: list[str]) -> list[str]:
    """The result types a query may return: all of them unless `type:` narrows it."""
    kinds = list(SEARCH_KINDS)
    for term in map(_parse, terms):
        if term.key == "type":
            wanted = term.value.lower()
            kinds = [k for k in kinds if (k == wanted) != term.negate]
    return kinds


@functools.lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    # Cached: subjects and comments repeat, and a word search reads every ticket's text.
    return tuple(_WORD.findall(text.lower()))


def _phrase_in(phrase: str, words: tuple[str, ...]) -> bool:
    """Whole words, in order. Zendesk matches words, not parts of words (a part needs the
    wildcard, `photo*`): the sandbox must not find what the real search would not, such as
    "log" in "login". A trailing `*` lets the last word be a prefix."""
    wanted = _words(phrase)
    if not wanted:
        return True
    prefix = phrase.endswith("*")
    lead, last = wanted[:-1], wanted[-1]
    if not prefix and last not in words:
        return False  # most texts: one scan in C instead of a loop in Python
    for start in range(len(words) - len(wanted) + 1):
        if words[start : start + len(lead)] != lead:
            continue
        candidate = words[start + len(lead)]
        if candidate == last or (prefix and candidate.startswith(last)):
            return True
    return False


def search_matches(ticket: dict, terms: list[str], now: dt.datetime, directory: SearchDirectory) -> bool:
    """Enough of Zendesk's search syntax for support queues and for finding one ticket.

    Free text reads the subject, the description and the comments, each on its own (a
    phrase does not run from one into the next); a bare number also names the ticket's id.
    """
    if ticket.get("status") not in STATUS_ORDER:
        return False  # deleted
    texts: dict[str, list[tuple[str, ...]]] = {}

    def words_of(field: str) -> list[tuple[str, ...]]:
        # Each field read once, and only when asked: the subject usually answers, and
        # reading every comment of 100k tickets made a word search take seconds.
        if field not in texts:
            if field == "comment":
                texts[field] = [_words(body) for body in directory.comments(ticket["id"])]
            else:
                texts[field] = [_words(str(ticket.get(field) or ""))]
        return texts[field]

    def text_has(phrase: str, fields: tuple[str, ...] = ("subject", "description", "comment")) -> bool:
        return any(_phrase_in(phrase, words) for field in fields for words in words_of(field))

    for term in map(_parse, terms):
        if term.key is None:
            held = text_has(term.value) or (term.value.isdigit() and int(term.value) == ticket["id"])
        elif term.key in ("subject", "description", "comment"):
            held = text_has(term.value, (term.key,))
        else:
            known = _term_holds(ticket, term.key, term.op, term.value, now, directory)
            # A key it does not know (`error:500`, a URL, a typo) is words, not a property
            # every ticket has: matching all of them would hide a bad query.
            held = text_has(f"{term.key} {term.value}") if known is None else known
        if held == term.negate:
            return False
    return True


def record_matches(kind: str, record: dict, terms: list[str], directory: SearchDirectory) -> bool:
    """A user, organization or group (`kind`) against a query.

    Free text reads the name (and a user's email); a bare number also names the id. A key
    the kind does not have (`status:`, `priority:`, ...) leaves the record out, negated or not:
    such a query is about tickets.
    """
    if record.get("deleted"):
        return False
    for term in map(_parse, terms):
        if term.key is None:
            held = any(_phrase_in(term.value, _words(str(record.get(f) or ""))) for f in _TEXT_FIELDS[kind])
            held = held or (term.value.isdigit() and int(term.value) == record.get("id"))
        else:
            found = _record_term_holds(kind, record, term.key, term.value, directory)
            if found is None:
                return False
            held = found
        if held == term.negate:
            return False
    return True


def _record_term_holds(kind: str, record: dict, key: str, value: str, directory: SearchDirectory) -> bool | None:
    """Whether the record meets `key:value`; None when the kind has no such property."""
    wanted = value.lower()
    if key == "type":
        return wanted == kind
    if key == "name":
        return _phrase_in(value, _words(str(record.get("name") or "")))
    if key in ("tags", "tag") and kind != "group":
        return wanted in [str(tag).lower() for tag in record.get("tags") or []]
    if kind == "user":
        if key == "email":
            return (record.get("email") or "").lower() == wanted
        if key == "role":
            return (record.get("role") or "").lower() == wanted
        if key == "organization":
            linked = record.get("organization_id")
            return linked is None if wanted == "none" else linked in directory.ids("organization", value)
    return None


def _ordered(actual: Any, op: str, expected: Any) -> bool:
    if op in (":", "="):
        return actual == expected
    if op == "<":
        return actual < expected
    if op == ">":
        return actual > expected
    if op == "<=":
        return actual <= expected
    return actual >= expected


def _term_holds(
    ticket: dict, key: str, op: str, value: str, now: dt.datetime, directory: SearchDirectory
) -> bool | None:
    """Whether the ticket has the property; None for a key the sandbox does not know."""
    if key == "type":
        return value.lower() == "ticket"
    if key == "status":
        actual, expected = _status_rank(ticket.get("status")), _status_rank(value.lower())
        if expected < 0:
            raise SearchError(f"unknown status {value!r}")
        return _ordered(actual, op, expected)
    if key == "priority":
        priority = ticket.get("priority")
        actual = PRIORITY_ORDER.index(priority) if priority in PRIORITY_ORDER else 0
        wanted = value.lower()
        expected = PRIORITY_ORDER.index(wanted) if wanted in PRIORITY_ORDER else -1
        return _ordered(actual, op, expected)
    if key in ("updated", "created", "updated_at", "created_at"):
        stamp = parse_time(ticket.get(key if key.endswith("_at") else f"{key}_at"))
        if stamp is None:
            return False
        return _ordered(stamp, op, search_time(value, now))
    if key in _LINKS:
        # The search reference: requester/assignee/submitter take "the user's name, email
        # address, or user ID"; organization and group a name or an ID; `none` is unset.
        kind, field = _LINKS[key]
        linked = ticket.get(field)
        if value.lower() == "none":
            return linked is None
        return linked is not None and linked in directory.ids(kind, value)
    if key in ("group_id", "assignee_id", "requester_id", "submitter_id", "organization_id"):
        linked = ticket.get(key)
        if value.lower() == "none":
            return linked is None
        return str(linked) == value
    if key in ("tags", "tag"):
        return value.lower() in [str(tag).lower() for tag in ticket.get("tags") or []]
    if key == "ticket_type":
        return ticket.get("type") == value.lower()
    return None


def search_includes(include: str, result_type: str = "tickets") -> set[str]:
    """Sideloads search honours: only the type-scoped form, `include=tickets(users,groups)`.

    Zendesk's side-loading guide scopes search sideloads to the result type; the flat
    `include=users` that ticket endpoints take is ignored by search, as the real API does.
    """
    wanted: set[str] = set()
    for kind, inner in re.findall(r"(\w+)\(([^)]*)\)", include):
        if kind == result_type:
            wanted |= {part.strip() for part in inner.split(",") if part.strip()}
    return wanted & {"users", "groups", "organizations"}


# -- macros -----------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*(?:\|\s*default:\s*(['\"])(.*?)\2\s*)?\}\}")


def render_placeholders(text: str, values: dict[str, str]) -> str:
    """Liquid-style `{{ticket.requester.first_name | default: 'there'}}`; unknown ones stay empty."""

    def replace(found: re.Match[str]) -> str:
        value = values.get(found.group(1), "")
        return value or (found.group(3) or "")

    return _PLACEHOLDER.sub(replace, text)


def placeholder_values(ticket: dict, requester: dict, organization: dict, agent: dict) -> dict[str, str]:
    def first(name: str | None) -> str:
        return (name or "").split(" ")[0]

    return {
        "ticket.id": str(ticket["id"]),
        "ticket.title": ticket.get("subject") or "",
        "ticket.status": ticket.get("status") or "",
        "ticket.priority": ticket.get("priority") or "",
        "ticket.requester.name": requester.get("name") or "",
        "ticket.requester.first_name": first(requester.get("name")),
        "ticket.requester.email": requester.get("email") or "",
        "ticket.organization.name": organization.get("name") or "",
        "current_user.name": agent.get("name") or "",
        "current_user.first_name": first(agent.get("name")),
    }


def apply_macro_actions(ticket: dict, actions: list[dict], values: dict[str, str]) -> dict[str, Any]:
    """The ticket as the macro would leave it (Zendesk's `result.ticket`), nothing saved."""
    result: dict[str, Any] = {"id": ticket["id"], "url": ticket.get("url")}
    tags = list(ticket.get("tags") or [])
    body: str | None = None
    html_body: str | None = None
    public = True
    for action in actions:
        field, value = action.get("field"), action.get("value")
        if isinstance(value, list):  # ["channel:all", "text"] and the like
            value = value[-1] if value else ""
        if field == "comment_value":
            body = render_placeholders(str(value or ""), values)
        elif field == "comment_value_html":
            html_body = render_placeholders(str(value or ""), values)
        elif field == "comment_mode_is_public":
            public = str(value).lower() != "false"
        elif field in ("status", "priority", "type"):
            result[field] = value
        elif field in ("group_id", "assignee_id"):
            result[field] = int(str(value)) if str(value).isdigit() else value
        elif field == "current_tags":  # adds tags
            tags += [tag for tag in str(value or "").split() if tag not in tags]
        elif field == "set_tags":
            tags = str(value or "").split()
        elif field == "remove_tags":
            gone = set(str(value or "").split())
            tags = [tag for tag in tags if tag not in gone]
    if tags != list(ticket.get("tags") or []):
        result["tags"] = tags
    if body is not None or html_body is not None:
        text = body if body is not None else re.sub(r"<[^>]+>", "", html_body or "")
        rendered_html = html_body if html_body is not None else "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
        result["comment"] = {
            "body": text,
            "html_body": rendered_html,
            "public": public,
            "scoped_body": [["channel:all", text]],
        }
    return result


# -- SLA --------------------------------------------------------------------------------
def business_after(moment: dt.datetime, seconds: float) -> dt.datetime:
    """`seconds` of weekday time (UTC, Monday to Friday) after `moment`."""
    remaining = dt.timedelta(seconds=seconds)
    start = moment.astimezone(dt.UTC)
    while True:
        end = start.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
        if start.weekday() < 5:
            available = end - start
            if remaining <= available:
                return start + remaining
            remaining -= available
        start = end


def sla_policy_for(ticket: dict, policies: list[dict]) -> dict | None:
    """The first policy (by position) whose filter the ticket meets."""
    for policy in sorted(policies, key=lambda p: p.get("position") or 0):
        conditions = policy.get("filter") or {}
        every = conditions.get("all") or []
        some = conditions.get("any") or []
        if all(_policy_condition(ticket, c) for c in every) and (
            not some or any(_policy_condition(ticket, c) for c in some)
        ):
            return policy
    return None


def _policy_condition(ticket: dict, condition: dict) -> bool:
    field = condition.get("field")
    actual = ticket.get(field)
    expected = condition.get("value")
    if condition.get("operator") == "is_not":
        return str(actual) != str(expected)
    return str(actual) == str(expected)


def ticket_slas(
    ticket: dict,
    policies: list[dict],
    metrics: dict | None,
    agent_replied: bool,
    now: dt.datetime,
    answered: bool = False,
) -> dict[str, Any]:
    """Zendesk's `slas` sideload of one ticket: `{"policy_metrics": [...]}`, empty without a policy.

    `answered`: the latest public comment is an agent's. Next reply time runs from the oldest
    unanswered end-user comment to the next public agent comment (Zendesk Help Center,
    "Defining and using SLA policies"): answered, it is achieved until the end user writes."""
    policy = sla_policy_for(ticket, policies)
    if policy is None:
        return {"policy_metrics": []}
    metric = "next_reply_time" if agent_replied else "first_reply_time"
    target = next(
        (
            m
            for m in policy.get("policy_metrics") or []
            if m.get("metric") == metric and m.get("priority") == (ticket.get("priority") or "normal")
        ),
        None,
    )
    if target is None:
        return {"policy_metrics": []}
    status = ticket.get("status")
    if status in ("solved", "closed") or answered:
        return {"policy_metrics": [{"breach_at": None, "stage": "achieved", "metric": metric}]}
    if status in ("pending", "hold"):
        return {"policy_metrics": [{"breach_at": None, "stage": "paused", "metric": metric}]}
    started = parse_time((metrics or {}).get("requester_updated_at")) or parse_time(ticket.get("created_at")) or now
    breach = business_after(started, float(target.get("target_in_seconds") or int(target.get("target") or 0) * 60))
    left = int((breach - now).total_seconds())
    sign = -1 if left < 0 else 1
    days, rest = divmod(abs(left), 86400)
    hours, rest = divmod(rest, 3600)
    entry: dict[str, Any] = {"breach_at": breach.strftime("%Y-%m-%dT%H:%M:%SZ"), "stage": "active", "metric": metric}
    # Time left (negative once breached), split the way Zendesk reports it.
    if days:
        entry["days"] = sign * days
    entry["hours"] = sign * hours
    entry["minutes"] = sign * (rest // 60)
    return {"policy_metrics": [entry]}
