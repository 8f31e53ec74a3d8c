"""The key bar: one line that teaches the tool at 80 columns.

The focused pane's own keys come first, then the most used ticket keys (always, while they
can act), then the screen's other shown keys while they fit, and last the key to `?`,
which lists everything (the palette too). It reads the live bindings: a `[keys]` remap
changes it, and a key that cannot act here (a ticket key behind the incident view) is not
offered. It is rebuilt when the bindings change (focus, mode, a dialog opened or closed),
never per keystroke.

It lives on the main screen and speaks for the screen on top: while a dialog is open (the
composer, a picker, help) it shows that dialog's keys, never the queue's behind it.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from triage_tui.ui import keys


def arrange(
    items: list[tuple[str, str]], more: tuple[str, str] | None, width: int, key_style: str | Style = "bold"
) -> Text:
    """`key word` pairs in order while they fit in `width`, with `more` always at the end."""
    text = Text(no_wrap=True, overflow="crop")
    tail = f" {more[0]} {more[1]}" if more else ""
    budget = width - len(tail)
    used = 0
    for key, word in items:
        cost = len(key) + 1 + len(word) + 1
        if used + cost > budget:
            continue  # a shorter one further on may still fit
        text.append(" ")
        text.append(key, style=key_style)
        text.append(f" {word}")
        used += cost
    if more:
        text.append(" " * max(0, budget - used))
        text.append(" ")
        text.append(more[0], style=key_style)
        text.append(f" {more[1]}")
    return text


class KeyBar(Static):
    """What the keys do here, in the order they matter."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $panel;
        color: $text-muted;
    }
    KeyBar > .keybar--key {
        color: $text;
        text-style: bold;
    }
    """

    _watched: Screen | None = None  # the screen on top, whose bindings are shown

    def on_mount(self) -> None:
        self.app.screen_change_signal.subscribe(self, self._screen_changed)
        self._screen_changed(self.app.screen)

    def on_unmount(self) -> None:
        self.app.screen_change_signal.unsubscribe(self)
        if self._watched is not None:
            self._watched.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self._bindings_changed(self.app.screen)

    def _screen_changed(self, screen: Screen) -> None:
        if screen is not self._watched:
            if self._watched is not None:
                self._watched.bindings_updated_signal.unsubscribe(self)
            screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
            self._watched = screen
        self._bindings_changed(screen)

    def items(self) -> tuple[list[tuple[str, str]], tuple[str, str] | None]:
        """The (key, word) pairs in the order they matter, and the `?` pair."""
        screen, app = self.app.screen, self.app
        bindings = screen.active_bindings  # asks each binding's check_action once
        active = {b.binding.id: b for b in bindings.values() if b.enabled and b.binding.id}
        focused_nodes: list[Widget] = []
        node = screen.focused
        while node is not None and node is not screen:
            focused_nodes.append(node)
            parent = node.parent
            node = parent if isinstance(parent, Widget) else None
        order: list[str] = []
        for node in focused_nodes:  # the focused pane's own keys
            order += [k.id for k in keys.BY_ID.values() if k.show and k.id in active and active[k.id].node is node]
        order += keys.KEYBAR_ALWAYS
        order += [k.id for k in keys.BY_ID.values() if k.show and k.id in active and k.id != keys.KEYBAR_LAST]
        order.append(keys.KEYBAR_LAST)
        seen: set[str] = set()
        items: list[tuple[str, str]] = []
        for binding_id in order:
            if binding_id in seen or binding_id not in active or binding_id == keys.KEYBAR_MORE:
                continue
            seen.add(binding_id)
            items.append((keys.label(app, binding_id), keys.BY_ID[binding_id].description))
        for binding in bindings.values():  # Textual's palette, when there is room
            if binding.binding.action in ("command_palette", "app.command_palette") and binding.enabled:
                items.insert(len(items) - 1, (app.get_key_display(binding.binding), "palette"))
                break
        more = (keys.label(app, keys.KEYBAR_MORE), "more") if keys.KEYBAR_MORE in active else None
        return items, more

    def _bindings_changed(self, _screen: object) -> None:
        if not self.is_mounted or not self.size.width:
            return
        items, more = self.items()
        self.update(arrange(items, more, self.size.width, self.get_component_rich_style("keybar--key")))

    COMPONENT_CLASSES = {"keybar--key"}  # noqa: RUF012 - as Textual declares it

    def plain(self) -> str:
        items, more = self.items()
        return arrange(items, more, self.size.width or 80).plain
