"""Command palette providers: tickets, groups (escalate), macros, incidents, views, actions,
and "find in Zendesk" for what the cache does not hold.

The actions are the key registry's (`keys.PALETTE`): each runs the binding's own action on
the main screen, and shows the key it is bound to now. One line per entry: the key and
the ticket's org are in the title, which is what the matcher searches.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from triage_tui.ui import keys
from triage_tui.ui.safe import clean


def highlighted(matcher: Matcher, title: str) -> Content:
    """The matched letters marked, the title read as plain text: a subject or a typed query
    is untrusted (`[/]` would crash the palette, `[@click=...]` would be a live link), and
    `Matcher.highlight` reads its candidate as markup."""
    content = Content(title)
    score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    if score:
        for offset in offsets:
            if not title[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class CommandsProvider(Provider):
    """One provider for everything, so results rank against each other by the matcher."""

    def _main(self) -> Any:
        return self.app.main  # type: ignore[attr-defined]

    def _actions(self) -> list[tuple[str, Callable[[], Any], str | None]]:
        main = self._main()
        found: list[tuple[str, Callable[[], Any], str | None]] = []
        for binding_id, title in keys.PALETTE:
            action = keys.BY_ID[binding_id].action
            found.append((f"{title}  ({keys.label(self.app, binding_id)})", partial(main.run_action, action), None))
        return found

    def _commands(self) -> list[tuple[str, Callable[[], Any], str | None]]:
        main = self._main()
        workspace = main.context.workspace
        commands = self._actions()
        for view, label in workspace.view_names().items():
            commands.append((f"View: {clean(label, limit=60)}", partial(main.show_view, view), None))
        for row in main.queue_table.rows[:2000]:
            entry = row.entry
            who = clean(entry.org or entry.requester, limit=40)  # five equal subjects: whose is whose
            title = f"#{entry.id} {clean(entry.ticket.title, limit=80)} · {who}"
            commands.append((title, partial(main.show_ticket, entry.id), None))
        for gid, name in workspace.groups.items():
            commands.append((f"Escalate to {clean(name, limit=60)}", partial(main.escalate_to, gid), None))
        for macro in workspace.macros():
            commands.append((f"Macro: {clean(macro.title, limit=80)}", partial(main.compose_macro, macro.id), None))
        for incident in workspace.incidents():
            title = f"{incident.reference} {clean(incident.name, limit=80)}"
            commands.append((title, partial(main.show_incident, incident.id), None))
        return commands

    async def discover(self) -> Hits:
        for title, callback, help_text in self._actions():
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, highlighted(matcher, title), callback, text=title, help=help_text)
        typed = " ".join(query.split())
        if typed:
            # Always offered, last: what the cache does not hold (a solved ticket, another
            # view's), Zendesk may.
            title = f"Find in Zendesk: {clean(typed, limit=60)}  (solved too)"
            yield Hit(0.001, Content(title), partial(self._main().search_zendesk, typed), text=title)
