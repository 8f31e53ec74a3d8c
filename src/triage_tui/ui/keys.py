"""Every key of the app, in one registry: the bindings, `?`, the key bar, the palette and
every "press X" hint read it, after the user's `[keys]` remaps.

The keys themselves are ui/key_table.py's. Each screen or widget takes its `BINDINGS` from
here, by owner; a binding's id is what `[keys]` in the config remaps. Hints are written
with `label(app, id)`, never as a literal key, so a remap changes them too. Importing this module is cheap (no screens):
`triage-tui` checks a config's `[keys]` against it before the app starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.app import App
from textual.binding import Binding, BindingType

from triage_tui.ui.key_table import (
    BOX,
    BUG_REPORT,
    COMPOSER,
    CONFIRM,
    CONFLICT,
    DETAIL,
    EDITOR,
    HELP,
    IMPACT,
    INCIDENTS,
    ISSUE_COMMENTS,
    MAIN,
    PICKER,
    QUEUE,
    SDK,
    Key,
)

# The order `?` lists them in: the main screen's keys first, the dialogs' after.
OWNERS: dict[str, list[Key]] = {
    "main": MAIN,
    "queue": QUEUE,
    "detail": DETAIL,
    "box": BOX,
    "incidents": INCIDENTS,
    "sdk": SDK,
    "composer": COMPOSER,
    "editor": EDITOR,
    "impact": IMPACT,
    "picker": PICKER,
    "confirm": CONFIRM,
    "conflict": CONFLICT,
    "bug_report": BUG_REPORT,
    "issue_comments": ISSUE_COMMENTS,
    "help": HELP,
}
BY_ID: dict[str, Key] = {key.id: key for keys in OWNERS.values() for key in keys}

# A main-screen key that a pane binds too: MainScreen.check_action turns it off while that
# pane has focus, so the focused pane's meaning wins.
_PANE_KEYS = {one for key in INCIDENTS + SDK for one in key.key.split(",")}
PANE_SHARED_ACTIONS = frozenset(key.action_name for key in MAIN if set(key.key.split(",")) & _PANE_KEYS)

# Our own keys on the main screen and its panes: once quitting, none of them acts (keys
# typed after q arrive in the same read). Textual's own actions are left alone.
WORKSPACE_ACTIONS = frozenset(key.action_name for key in MAIN + INCIDENTS + SDK if key.id != "app.quit")

# The ticket keys act on the queue's selection: only while the queue is on screen (not
# behind the incident or SDK view), so a key never acts on a ticket the user cannot see.
TICKET_ACTIONS = frozenset(
    key.action_name
    for key in MAIN
    if (key.id.startswith("ticket.") and key.id != "ticket.open")
    or key.id in ("queue.filter", "queue.view", "queue.possible_incident")
)

# The key bar: the focused pane's own keys first, then these (the most used, always shown
# while they can act), then the rest of the screen's shown keys while they fit, and the
# way to everything else at the end.
KEYBAR_ALWAYS = [
    "ticket.escalate",
    "ticket.macro",
    "ticket.reply",
    "ticket.note",
    "ticket.pending",
    "ticket.solve",
    "queue.next",
]
KEYBAR_MORE = "app.help"
KEYBAR_LAST = "app.quit"  # shown when there is room to spare

# `?` lists the keys by where they act, in this order.
_GLOBAL_IDS = {
    "app.quit",
    "app.help",
    "app.cycle",
    "app.zoom",
    "app.refresh",
    "app.mode_queue",
    "app.handover",
    "outbox.conflicts",
}
_QUEUE_IDS = {"queue.filter", "queue.find", "queue.next", "queue.view", "queue.clear", "ticket.open"}
_INCIDENT_IDS = {"app.incidents", "app.mode_incidents", "queue.possible_incident"}
SECTIONS: list[tuple[str, list[Key]]] = [
    ("Queue", [k for k in MAIN if k.id in _QUEUE_IDS] + BOX + QUEUE),
    ("Ticket", [k for k in MAIN if k.id.startswith("ticket.") and k.id not in _QUEUE_IDS] + DETAIL),
    ("Composer and editors", COMPOSER + EDITOR + IMPACT + BUG_REPORT),
    ("Incidents", [k for k in MAIN if k.id in _INCIDENT_IDS] + INCIDENTS),
    ("SDK rotation", [k for k in MAIN if k.id == "app.mode_sdk"] + SDK + ISSUE_COMMENTS),
    ("Global", [k for k in MAIN if k.id in _GLOBAL_IDS]),
    ("Pickers and dialogs", PICKER + CONFIRM + CONFLICT + HELP),
]
assert {k.id for _, ks in SECTIONS for k in ks} == set(BY_ID), "every key is in one section of ?"

# The command palette's actions, in the order it offers them, by binding id.
PALETTE = [
    ("queue.next", "Next ticket to take"),
    ("queue.find", "Find a ticket in Zendesk (solved too)"),
    ("ticket.reply", "Reply to the ticket"),
    ("ticket.note", "Internal note"),
    ("ticket.solve", "Solve the ticket"),
    ("ticket.pending", "Set Pending (with a reply)"),
    ("ticket.hold", "Set On-hold (with a reply)"),
    ("ticket.escalate", "Escalate to a team"),
    ("ticket.assign", "Assign to me"),
    ("ticket.macro", "Insert a macro"),
    ("ticket.attach", "Attach to an incident"),
    ("ticket.fields", "Edit priority, severity, group or assignee"),
    ("ticket.raise", "Raise an incident from the ticket(s)"),
    ("ticket.follow_up", "Follow-up of a closed ticket"),
    ("ticket.real_org", "Move the requester to their real organization"),
    ("ticket.question", "Open the community question"),
    ("ticket.billing", "Billing lead as follower, with a note"),
    ("ticket.related", "Jump to a related ticket (and back)"),
    ("queue.possible_incident", "Show the possible incident's tickets"),
    ("ticket.bug_report", "Bug report or feature request on GitHub"),
    ("app.incidents", "Toggle the incident watch split"),
    ("app.mode_incidents", "Incident watch, full screen"),
    ("app.mode_sdk", "SDK rotation view"),
    ("app.mode_queue", "Back to the queue"),
    ("outbox.conflicts", "Resolve conflicts and failed writes"),
    ("app.handover", "Rotation handover note"),
    ("app.refresh", "Sync now"),
    ("app.help", "Show the keys"),
]

# How a hint writes a key: as the user would type it in `[keys]`.
_SHOWN = {"question_mark": "?", "slash": "/", "exclamation_mark": "!"}


def bindings(keys: Iterable[Key]) -> list[BindingType]:
    return [key.binding() for key in keys]


def binding_ids() -> set[str]:
    """Every remappable binding id, for validating `[keys]` before the app starts."""
    return set(BY_ID)


def keymap_of(app: App) -> Mapping[str, str]:
    """The remaps in effect (`TriageApp.keymap`); none for any other app."""
    keymap = getattr(app, "keymap", None)
    return keymap if isinstance(keymap, Mapping) else {}


def effective(app: App, binding_id: str) -> str:
    """The keys bound to this id now, comma-separated, remaps included."""
    return keymap_of(app).get(binding_id, BY_ID[binding_id].key)


def label(app: App, binding_id: str) -> str:
    """The key a hint names for this id: the first one bound, as typed (`ctrl+s`, `?`)."""
    first = effective(app, binding_id).split(",")[0].strip()
    return _SHOWN.get(first, first)


def hint(app: App, *parts: tuple[str, str], separator: str = " · ") -> str:
    """A hint line such as `ctrl+s send · escape cancel`, from (binding id, words) pairs."""
    return separator.join(f"{label(app, binding_id)} {words}" for binding_id, words in parts)


def key_rows(app: App) -> list[tuple[str, str, str]]:
    """Every binding: its keys after the user's remaps, what it does, its remap id."""
    rows: list[tuple[str, str, str]] = []
    for keys in OWNERS.values():
        for key in keys:
            shown = ", ".join(
                app.get_key_display(Binding(one.strip(), "")) for one in effective(app, key.id).split(",")
            )
            rows.append((shown, key.tooltip or key.description, key.id))
    return rows


# Priority keys of the main screen: inside a text box they are characters.
TYPE_AHEAD_ACTIONS = frozenset(key.action_name for key in MAIN if key.priority)
