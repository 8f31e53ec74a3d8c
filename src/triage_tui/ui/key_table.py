"""Every key of the app, as a table: its remap id, default keys, action, the key bar's word
and what `?` says of it, by owner (the main screen, its panes, each dialog).

ui/keys.py is the registry that reads this table: bindings, hints, `?`, the palette.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.binding import Binding


@dataclass(frozen=True)
class Key:
    id: str  # the remap id: `[keys] ticket.solve = "S"`
    key: str  # the default keys, comma-separated
    action: str  # in the owner's namespace (`app.` for the App's)
    description: str  # the key bar's word
    tooltip: str  # what `?` says it does
    show: bool = True
    priority: bool = False

    def binding(self) -> Binding:
        return Binding(
            self.key,
            self.action,
            self.description,
            show=self.show,
            id=self.id,
            tooltip=self.tooltip,
            priority=self.priority,
        )

    @property
    def action_name(self) -> str:
        """The action without its namespace or arguments: `app.mode('sdk')` -> `mode`."""
        return self.action.rsplit(".", 1)[-1].split("(")[0]


def _k(
    binding_id: str, key: str, action: str, description: str, tooltip: str, *, show: bool = True, priority: bool = False
) -> Key:
    return Key(binding_id, key, action, description, tooltip, show, priority)


MAIN = [
    _k("app.quit", "q", "app.quit", "Quit", "Quit triage-tui (queued writes stay queued)"),
    # Priority: the help is up before the keys typed right after ? (`? G`) are handed on.
    _k("app.help", "question_mark", "app.help", "Help", "Show every key and its remap id", priority=True),
    _k("ticket.open", "enter", "open_ticket", "Open", "Open the ticket: focus the conversation", show=False),
    _k("app.cycle", "tab", "cycle_panes", "Pane", "Move to the next pane", show=False),
    _k("app.zoom", "z", "zoom", "Zoom", "Zoom the focused pane to the full screen, or back", show=False),
    # Priority: handled as the key arrives, so the letters typed right after it (in the
    # same read: a fast typist, a paste) reach the filter box, not the queue's keys.
    _k(
        "queue.filter",
        "slash",
        "filter",
        "Filter",
        "Filter the queue by subject, requester, org, tags, id",
        priority=True,
    ),
    _k(
        "queue.find",
        "f",
        "find",
        "Find",
        "Find any ticket in Zendesk, solved too: id, requester email, org, words",
        priority=True,
    ),
    _k("queue.next", "n", "next_ticket", "Next", "Next by the handbook: highest tier, then closest to breach"),
    _k("queue.view", "V", "next_view", "View", "Cycle the queue view (mine, SME, all, escalated, newest)"),
    _k(
        "ticket.url",
        "u",
        "ticket_url",
        "URL",
        "Open the ticket in Zendesk (a local browser), or copy its link (over SSH)",
    ),
    _k("app.refresh", "R", "app.refresh", "Refresh", "Sync now", show=False),
    # Priority, like "/": a key that opens a composer or picker is handled as it arrives, so
    # the letters typed in the same read (a paste, an SSH burst) reach what it opens.
    _k("ticket.reply", "r", "reply", "Reply", "Write a public reply", priority=True),
    _k("ticket.note", "i", "note", "Note", "Write an internal note", priority=True),
    _k("ticket.open_status", "o", "set_open", "Open st.", "Set status Open", show=False),
    _k("ticket.solve", "s", "solve", "Solve", "Set status Solved (asks first)"),
    _k("ticket.pending", "p", "pending", "Pending", "Reply and set Pending (pauses the SLA)", priority=True),
    _k("ticket.hold", "h", "hold", "On-hold", "Reply and set On-hold (use sparingly)", show=False, priority=True),
    _k("ticket.escalate", "e", "escalate", "Escalate", "Escalate to a team group with an internal note", priority=True),
    _k("ticket.assign", "a", "assign_me", "Assign me", "Assign the ticket to me", show=False),
    _k("ticket.macro", "m", "macro", "Macro", "Pick a macro: preview, then compose", priority=True),
    _k(
        "ticket.attach",
        "t",
        "attach_incident",
        "Incident",
        "Attach the ticket(s) to an incident",
        show=False,
        priority=True,
    ),
    # -- issue 26, part B --
    # Priority (as r, i): the dialog each opens gets the keys typed right after it
    # (`E pri urgent enter` in one read edits the field; not p for Pending, r for a reply).
    _k(
        "ticket.fields",
        "E",
        "edit_fields",
        "Fields",
        "Edit priority, severity, group or assignee (safe update, not an escalation)",
        show=False,
        # Priority although the SDK pane binds E too: the letters typed after it (`E pri
        # high`) must reach its picker, not overtake it (`p` opened Pending). The SDK's own
        # E still wins there: ticket keys are off outside the queue (MainScreen.check_action).
        priority=True,
    ),
    _k(
        "ticket.raise",
        "exclamation_mark",
        "raise_incident",
        "Raise inc.",
        "Raise an incident from the ticket(s): severity, name, summary with links; then watch it",
        show=False,
        priority=True,
    ),
    _k(
        "ticket.follow_up",
        "N",
        "follow_up",
        "Follow-up",
        "A follow-up ticket of a closed one, for its requester (a closed ticket takes no change)",
        show=False,
        priority=True,
    ),
    _k(
        "ticket.real_org",
        "O",
        "move_requester",
        "Real org",
        "Move the requester out of a temporary (free-email) org into their real one",
        show=False,
        priority=True,
    ),
    _k(
        "ticket.question",
        "Q",
        "open_question",
        "Question",
        "Open a community question's page (answer it there, not from Zendesk)",
        show=False,
    ),
    _k(
        "ticket.billing",
        # $ for billing: B is the bug report's.
        "dollar_sign",
        "billing_follower",
        "Billing",
        "Add the billing lead as a follower, with an internal note of what is needed",
        show=False,
        priority=True,
    ),
    _k(
        "ticket.related",
        "x",
        "related",
        "Related",
        "Jump to the ticket's next related ticket; after the last one, back where you were",
        show=False,
    ),
    _k(
        "queue.possible_incident",
        "P",
        "possible_incident",
        "Possible incident",
        "Show a possible incident's tickets, marked (t then attaches them to an incident)",
        show=False,
    ),
    _k(
        "ticket.bug_report",
        "B",
        "bug_report",
        "Bug report",
        "Bug report or feature request: find or open the GitHub issue, reply with its link",
        show=False,
        priority=True,
    ),
    _k("ticket.reveal", "v", "reveal", "Reveal", "Reveal content behind a content warning", show=False),
    _k("outbox.conflicts", "C", "conflicts", "Conflicts", "Resolve conflicts and failed writes", show=False),
    _k("app.incidents", "I", "toggle_incidents", "Incidents", "Toggle the incident watch split"),
    _k("app.mode_queue", "1", "mode('queue')", "Queue", "Queue and ticket"),
    _k("app.mode_incidents", "2", "mode('incidents')", "Incidents", "Incident watch, full screen", show=False),
    _k("app.mode_sdk", "3", "mode('sdk')", "SDK", "SDK rotation view", show=False),
    _k("app.handover", "H", "rotation_handover", "Handover", "Write the end-of-rotation handover", show=False),
    _k("queue.clear", "escape", "clear_filter", "Clear", "Clear the filter, back to the queue", show=False),
]
# Priority too: handled as they arrive, in order with the priority keys (r, i, e, m…), so
# `space j space i` typed in one read notes the two tickets marked first, not the one the
# cursor was on when `i` overtook the queue's queued keys.
QUEUE = [
    _k("queue.down", "j,down", "cursor_down", "Down", "Next ticket", show=False, priority=True),
    _k("queue.up", "k,up", "cursor_up", "Up", "Previous ticket", show=False, priority=True),
    _k("queue.top", "g,home", "cursor_first", "Top", "First ticket", show=False, priority=True),
    _k("queue.bottom", "G,end", "cursor_last", "Bottom", "Last ticket", show=False, priority=True),
    _k("queue.page_down", "pagedown,ctrl+d", "page_down", "Page down", "Page down", show=False, priority=True),
    _k("queue.page_up", "pageup,ctrl+u", "page_up", "Page up", "Page up", show=False, priority=True),
    _k(
        "queue.mark",
        "space",
        "toggle_mark",
        "Mark",
        "Mark (or unmark) the ticket for a bulk action, then move to the next",
        priority=True,
    ),
]
DETAIL = [
    _k("detail.down", "j,down", "line_down", "Down", "Scroll the conversation down", show=False),
    _k("detail.up", "k,up", "line_up", "Up", "Scroll the conversation up", show=False),
    _k(
        "detail.page_down",
        "space,pagedown",
        "page_down",
        "Page down",
        "Scroll the conversation a page down",
        show=False,
    ),
    _k("detail.page_up", "b,pageup", "page_up", "Page up", "Scroll the conversation a page up", show=False),
    _k("detail.top", "g,home", "top", "Top", "Back to the start of the ticket", show=False),
    _k("detail.bottom", "G,end", "bottom", "End", "The latest message", show=False),
]
INCIDENTS = [
    _k("incident.down", "j", "list_down", "Down", "Next incident", show=False),
    _k("incident.up", "k", "list_up", "Up", "Previous incident", show=False),
    _k("incident.watch", "w", "incident_watch", "Raise hand", "Assign the Support Watcher role on this incident to me"),
    _k("incident.macro", "M", "incident_macro", "Macro", "Create or edit this incident's macro", priority=True),
    _k("incident.follow_up", "F", "incident_follow_up", "Follow up", "Reply to every ticket tagged with this incident"),
    _k("incident.handover", "H", "incident_handover", "Handover", "Write the Support Watcher handover"),
    _k("incident.url", "u", "incident_url", "URL", "Open the incident in incident.io, or copy its link (over SSH)"),
]
SDK = [
    _k("sdk.down", "j", "list_down", "Down", "Next issue", show=False),
    _k("sdk.up", "k", "list_up", "Up", "Previous issue", show=False),
    _k("sdk.label", "l", "sdk_label", "Label", "Add a team label or SDK Support Hero"),
    _k("sdk.url", "u", "sdk_url", "URL", "Open the issue in the browser, or copy its link (over SSH)"),
    # Working an issue (issue 26): read, comment, assign me, escalate a mobile one.
    _k("sdk.comments", "c", "sdk_comments", "Comments", "Read the issue's comments"),
    # Priority (as r, i): the editor it opens gets the keys typed right after it.
    _k("sdk.comment", "w", "sdk_comment", "Comment", "Write a comment on the issue", priority=True),
    _k("sdk.assign", "A", "sdk_assign", "Assign me", "Assign the issue to me on GitHub"),
    _k(
        "sdk.escalate",
        "E",
        "sdk_escalate",
        "Escalate",
        "Escalate a mobile SDK issue: a comment mentioning @PostHog/team-client-libraries",
        priority=True,
    ),
]
# Every main-screen key that acts on the queue or its selection is handled as it arrives
# (priority), like r and i: a terminal delivers a burst in one read, and a priority key
# would otherwise overtake the keys typed before it (`space s` solving before the mark).
# The App's own keys (quit, help, refresh) and enter, tab and escape keep their order by
# going through the focused widget; inside a text box the others are characters.
# A key a pane binds too (`u`, `H` in the incident pane) is priority as well (`u j` copied
# the next ticket's link): MainScreen.check_action turns it off while a pane that binds
# the same key has focus, so the focused pane's meaning wins as before (keys.py:
# PANE_SHARED_ACTIONS).
_IN_ORDER = {"ticket.open", "app.cycle", "queue.clear"}
MAIN = [
    key if key.priority or key.id in _IN_ORDER or key.action.startswith("app.") else replace(key, priority=True)
    for key in MAIN
]
# The keys that close a dialog or open the next are priority: the App handles them as they
# arrive, so the keys typed after them in the same read (`ctrl+s j j`, `ctrl+s q`) reach
# what is on screen next, never the draft (ui/in_order.py waits for the keys before them).
COMPOSER = [
    _k("composer.send", "ctrl+s", "send", "Send", "Send the reply or note with the staged changes", priority=True),
    _k("composer.close", "escape", "close", "Keep draft", "Close and keep the draft", priority=True),
    _k(
        "composer.discard",
        "ctrl+g",
        "discard",
        "Discard",
        "Throw the draft away (asks first when there is text)",
        priority=True,
    ),
    # Not ctrl+e: every Textual text box takes it for the end of the line, as readline does.
    _k("composer.editor", "ctrl+o", "external_editor", "$EDITOR", "Edit the draft in $VISUAL / $EDITOR (else vi)"),
    _k("composer.macro", "ctrl+t", "insert_macro", "Macro", "Insert a macro at the cursor", priority=True),
    _k("composer.toggle", "ctrl+r", "toggle_public", "Reply/Note", "Switch between public reply and internal note"),
]
BOX = [
    _k("box.find", "enter", "find_submit", "Find in Zendesk", "In the find box: ask Zendesk, solved tickets too"),
    _k("box.keep", "enter", "keep_submit", "Keep", "In the filter box: keep the filter, back to the queue"),
    _k("box.close", "escape", "screen.clear_filter", "Close", "Close the box (a filter is cleared)"),
]
EDITOR = [
    _k("editor.save", "ctrl+s", "save", "Save", "Use this text", priority=True),
    _k("editor.cancel", "escape", "cancel", "Cancel", "Close without using the text", priority=True),
    _k("editor.external", "ctrl+o", "external_editor", "$EDITOR", "Edit the text in $VISUAL / $EDITOR (else vi)"),
]
IMPACT = [
    _k("impact.save", "ctrl+s", "save", "Next", "Write the macro text from these facts", priority=True),
    # Priority, and the focus moves at once: text typed right after Tab in the same read
    # lands in the next field, not the one before it.
    _k("impact.next_field", "tab", "next_field", "Next field", "Move to the next field", show=False, priority=True),
    _k("impact.cancel", "escape", "cancel", "Cancel", "Close", priority=True),
]
PICKER = [
    _k("picker.cancel", "escape", "cancel", "Cancel", "Close without choosing", priority=True),
    _k("picker.down", "down", "move(1)", "Down", "Next choice", show=False),
    _k("picker.up", "up", "move(-1)", "Up", "Previous choice", show=False),
    _k("picker.choose", "enter", "choose", "Choose", "Take the highlighted choice", priority=True),
]
CONFIRM = [
    _k("confirm.yes", "enter,y", "answer(True)", "Confirm", "Go ahead", priority=True),
    _k("confirm.no", "escape,n", "answer(False)", "Cancel", "Cancel", priority=True),
]
CONFLICT = [
    _k("conflict.reapply", "r", "choose('reapply')", "Re-apply mine", "Send my change on top of theirs", priority=True),
    _k("conflict.drop", "d", "choose('drop')", "Drop mine", "Keep their version, drop my change", priority=True),
    _k("conflict.copy", "c", "copy_mine", "Copy mine", "Copy my text to the clipboard (to re-use it)"),
    _k("conflict.later", "escape", "choose(None)", "Later", "Decide later", priority=True),
]
HELP = [
    _k("help.down", "j,down", "scroll('down')", "Down", "Scroll the help down a line", show=False),
    _k("help.up", "k,up", "scroll('up')", "Up", "Scroll the help up a line", show=False),
    _k("help.page_down", "space,pagedown", "scroll('page_down')", "Page", "Scroll the help a page down"),
    _k("help.page_up", "b,pageup", "scroll('page_up')", "Back", "Scroll the help a page up"),
    _k("help.top", "g,home", "scroll('home')", "Top", "The start of the help"),
    _k("help.bottom", "G,end", "scroll('end')", "End", "The end of the help (the row markers)"),
    _k("help.close", "escape,question_mark,q", "close", "Close", "Close the help"),
]
BUG_REPORT = [
    # Priority, as the composer's: the keys typed after ctrl+s (or escape) reach the queue.
    _k(
        "bugreport.send",
        "ctrl+s",
        "send",
        "Send",
        "Open the issue (or +1 the one chosen), then reply with its link",
        priority=True,
    ),
    # Priority, as tab: `ctrl+t tab <notes>` in one read switches before the notes are typed.
    _k(
        "bugreport.kind",
        "ctrl+t",
        "toggle_kind",
        "Bug/Feature",
        "Switch between bug report and feature request",
        priority=True,
    ),
    _k("bugreport.search", "ctrl+f", "search", "Search", "Search GitHub's open issues again, with the title's words"),
    # Priority, as ctrl+t: `ctrl+r <title>` in one read switches before the title changes.
    _k(
        "bugreport.repo",
        "ctrl+r",
        "switch_repo",
        "Repository",
        "Switch the repository: the SDK the ticket names, the product's, the other SDKs",
        priority=True,
    ),
    # Priority, and the focus moves at once: text typed right after Tab lands in the next field.
    _k("bugreport.next_field", "tab", "next_field", "Next field", "Move to the next field", show=False, priority=True),
    _k("bugreport.cancel", "escape", "cancel", "Cancel", "Close without sending", priority=True),
]
ISSUE_COMMENTS = [
    _k("issue.comment", "w", "comment", "Comment", "Write a comment on this issue", priority=True),
    _k("issue.close", "escape,q", "close", "Close", "Close the comments"),
    _k("issue.down", "j,down", "scroll_down", "Down", "Scroll down", show=False),
    _k("issue.up", "k,up", "scroll_up", "Up", "Scroll up", show=False),
]
