"""The box under the status line: `/` filters the cached queue as you type, `f` finds any
ticket in Zendesk when you press enter. One box, two meanings of enter; the key bar says
which one applies now."""

from __future__ import annotations

from textual.widgets import Input

from triage_tui.ui import keys


class FilterBox(Input):
    BINDINGS = keys.bindings(keys.BOX)

    def __init__(self, placeholder: str, *, id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self.finding = False

    def show_mode(self, *, finding: bool, placeholder: str) -> None:
        self.placeholder = placeholder
        self.enter_searches(finding)

    def enter_searches(self, searches: bool) -> None:
        """Enter asks Zendesk: in the find box, or in a filter nothing cached matches."""
        if searches != self.finding:
            self.finding = searches
            self.refresh_bindings()  # the key bar's word for enter

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "find_submit":
            return self.finding
        if action == "keep_submit":
            return not self.finding
        return super().check_action(action, parameters)

    async def action_find_submit(self) -> None:
        await self.action_submit()

    async def action_keep_submit(self) -> None:
        await self.action_submit()
