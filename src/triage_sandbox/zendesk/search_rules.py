"""Zendesk's search language, as the sandbox reads it: terms, keys, phrases, dates, and
which tickets, users, organizations and groups a query finds.

Written for the sandbox alone. The product has its own code for some of these; the fake
that judges the product must not share its bugs, so nothing here imports the product.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any, Protocol

from triage_sandbox.zendesk.fields import PRIORITY_ORDER, STATUS_ORDER, parse_time, status_rank

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
        if term.key == "status" and status_rank(term.value.lower()) < 0:
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
        actual, expected = status_rank(ticket.get("status")), status_rank(value.lower())
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
