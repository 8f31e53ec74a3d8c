"""A write that met a colleague's newer change: who changed what, both versions with group
and user names, then re-apply or drop. A write to a ticket deleted meanwhile says so (and
who deleted it, when Zendesk tells): nothing to re-apply on, the text kept to copy."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from triage_tui.ui import keys
from triage_tui.ui.in_order import close_after_typed
from triage_tui.ui.safe import clean, plain

SHOWN = ("status", "priority", "group_id", "assignee_id", "tags", "updated_at")
LABELS = {"group_id": "group", "assignee_id": "assignee"}


class Names:
    """Group and user ids as the names a person reads."""

    def __init__(self, groups: Mapping[int, str], user: Callable[[int], str | None]) -> None:
        self.groups = groups
        self.user = user

    def value(self, key: str, value: object) -> str:
        if value is None or value == "":
            return "none"
        if key == "group_id" and isinstance(value, int):
            return self.groups.get(value, f"group {value}")
        if key == "assignee_id" and isinstance(value, int):
            return self.user(value) or f"user {value}"
        if isinstance(value, list):
            return " ".join(str(item) for item in value) or "none"
        return str(value)

    def person(self, user_id: object) -> str:
        name = self.user(user_id) if isinstance(user_id, int) else None
        return name or (f"user {user_id}" if user_id is not None else "someone (Zendesk did not say who)")


def _version(title: str, values: dict, names: Names) -> Text:
    text = Text(title + "\n", style="bold underline")
    for key in SHOWN:
        if key in values:
            text.append(f"{LABELS.get(key, key)}: ", style="bold")
            text.append_text(plain(names.value(key, values[key]), limit=300))
            text.append("\n")
    comment = values.get("comment")
    if isinstance(comment, dict):
        text.append("comment: ", style="bold")
        text.append_text(plain(comment.get("body"), multiline=True, limit=2000))
    return text


def who_changed_what(changes: list[dict], names: Names) -> Text:
    """ "Ada Lovelace changed status Open -> Pending, group Billing -> Replay"."""
    text = Text()
    if not changes:
        text.append("Someone changed this ticket after you looked at it (Zendesk did not say who).\n", style="bold")
        return text
    for change in changes:
        text.append_text(plain(names.person(change.get("author_id")), "bold", limit=80))
        fields = change.get("fields") or {}
        parts = [
            f"{LABELS.get(key, key)} {names.value(key, before)} -> {names.value(key, after)}"
            for key, (before, after) in fields.items()
        ]
        if change.get("commented"):
            parts.append("added a comment")
        text.append(" changed ")
        text.append_text(plain("; ".join(parts) or "the ticket", limit=400))
        when = change.get("created_at")
        if when:
            text.append(f"  ({str(when)[11:16]} UTC)", style="dim")
        text.append("\n")
    return text


def deleted_notice(deleted: dict, names: Names) -> Text:
    """ "Ticket #42 was deleted by Ada Lovelace (09:12 UTC)." """
    text = Text(f"Ticket #{deleted.get('ticket_id')} was deleted", style="bold")
    who = deleted.get("by") or (names.user(deleted["by_id"]) if isinstance(deleted.get("by_id"), int) else None)
    if who:
        text.append(" by ")
        text.append_text(plain(who, "bold", limit=80))
    when = deleted.get("at")
    if when:
        text.append(f" ({str(when)[:10]} {str(when)[11:16]} UTC)", style="dim")
    text.append(".\n")
    if not who:
        unknown = str(deleted.get("unknown") or "")
        if "not authorised" in unknown:
            why = "this token may not list deleted tickets"
        elif unknown:
            why = "the deleted tickets list did not answer"
        else:
            why = "it is not in the deleted tickets list"
        text.append(f"Who deleted it is not known: {why}.\n", style="dim")
    return text


def my_text(entry: dict) -> str:
    """The reply or note the write carried ("" for a change without text)."""
    body = entry["payload"].get("ticket", entry["payload"])
    comment = body.get("comment") if isinstance(body, dict) else None
    return str(comment.get("body") or "") if isinstance(comment, dict) else ""


class ConflictScreen(ModalScreen[str | None]):
    BINDINGS = keys.bindings(keys.CONFLICT)

    def __init__(self, entry: dict, names: Names | None = None) -> None:
        super().__init__(classes="confirm")
        self.entry = entry
        self.names = names or Names({}, lambda _id: None)

    def compose(self) -> ComposeResult:
        mine = dict(self.entry["payload"].get("ticket", self.entry["payload"]))
        deleted = self.entry.get("deleted")
        if deleted:
            yield from self._compose_deleted(mine, deleted)
            return
        theirs = self.entry.get("theirs") or {}
        with Vertical(id="confirm-box"):
            if self.entry.get("status") == "failed":
                # Refused, not overtaken (a bulk job's result for this ticket, a 4xx): say why.
                yield Static(Text(clean(f"Failed: {self.entry['summary']}"), style="bold red"))
                why = clean(str(self.entry.get("last_error") or "refused by the service"))  # may echo ticket text
                yield Static(Text(why), id="conflict-who")
            else:
                yield Static(Text(clean(f"Conflict: {self.entry['summary']}"), style="bold red"))
                yield Static(who_changed_what(self.entry.get("their_changes") or [], self.names), id="conflict-who")
            yield Static(Text("Nothing was overwritten.", style="dim"))
            with Horizontal(id="conflict-versions"):
                yield Static(_version("Mine (not sent)", mine, self.names), classes="conflict-side")
                yield Static(_version("Theirs (now in Zendesk)", theirs, self.names), classes="conflict-side")
            parts = [
                ("conflict.reapply", "re-apply mine on top"),
                ("conflict.drop", "drop mine"),
                ("conflict.later", "decide later"),
            ]
            if my_text(self.entry):
                parts.insert(2, ("conflict.copy", "copy my text"))
            hint = keys.hint(self.app, *parts)
            yield Static(Text(hint, style="dim"), id="conflict-hint")

    def _compose_deleted(self, mine: dict, deleted: dict) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Text(clean(f"Not sent: {self.entry['summary']}"), style="bold red"))
            yield Static(deleted_notice(deleted, self.names), id="conflict-who")
            yield Static(Text("Nothing was sent and nothing will be retried. Your text is kept here.", style="dim"))
            yield Static(_version("Mine (not sent)", mine, self.names), classes="conflict-side")
            parts = [("conflict.drop", "drop mine"), ("conflict.later", "decide later")]
            if my_text(self.entry):
                parts.insert(0, ("conflict.copy", "copy my text"))
            yield Static(Text(keys.hint(self.app, *parts), style="dim"), id="conflict-hint")

    async def action_choose(self, choice: str | None) -> None:
        if choice == "reapply" and self.entry.get("deleted"):
            # Re-applying would only meet the same 404 again.
            self.notify("The ticket was deleted: there is nothing to re-apply on.", severity="warning", markup=False)
            return
        # A priority key, as confirm's: the keys after it reach what comes next.
        if self.is_active:
            await close_after_typed(self, choice)

    def action_copy_mine(self) -> None:
        text = my_text(self.entry)
        if not text:
            self.notify("This change carries no text to copy.", markup=False)
            return
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied your text ({len(text)} characters).", markup=False)
