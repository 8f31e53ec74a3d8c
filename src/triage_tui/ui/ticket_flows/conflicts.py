"""The outbox's conflicts and failed writes: the first one shown beside the current version,
then re-applied on top of it, dropped, or left for later."""

from __future__ import annotations

from triage_tui.ui.flows import queue_write, run_flow
from triage_tui.ui.screens.conflict import ConflictScreen, Names
from triage_tui.ui.ticket_flows.screen import SelectionScreen


async def resolve_conflicts(screen: SelectionScreen) -> None:
    problems = screen.context.reads.problems()
    if not problems:
        screen.notify("No conflicts or failed writes.", markup=False)
        return
    await run_flow(screen, _resolve(screen, problems[0]), "resolve a conflict")


async def _resolve(screen: SelectionScreen, entry: dict) -> None:
    context = screen.context
    workspace = context.workspace

    def user_name(user_id: int) -> str | None:
        user = workspace.user(user_id)
        return user.display_name if user else None

    choice = await screen.app.push_screen_wait(ConflictScreen(entry, Names(workspace.groups, user_name)))
    if choice == "reapply":
        if queue_write(screen, "Not re-applied", lambda: context.outbox.reapply(entry["id"]) or True) is None:
            return
        screen.notify("Re-applied on top of the current version.", markup=False)
        context.kick()
    elif choice == "drop":
        if queue_write(screen, "Not dropped", lambda: context.outbox.drop(entry["id"]) or True) is None:
            return
        screen.notify("Dropped your change; their version stays.", markup=False)
    screen.refresh_queue()
    screen.refresh_detail()
