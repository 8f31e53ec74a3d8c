"""`H`: the handbook's end-of-rotation handovers, built from the cache and the outbox's sent
history, edited, then copied (OSC 52) and saved. In the SDK view: the SDK rotation's
public handover for #support-client-libraries; elsewhere: the Support Hero's."""

from __future__ import annotations

from triage_tui.targets import Target
from triage_tui.triage.handover import (
    HANDED_TIERS,
    IssueItem,
    QueueItem,
    done_since,
    hero_handover,
    my_last_notes,
    rotation_start,
    sdk_handover,
)
from triage_tui.ui.context import Context
from triage_tui.ui.safe import clean


def last_internal_note(context: Context, ticket_id: int, mine: dict[int, str]) -> str:
    """The first line of the ticket's last internal note: from its cached conversation,
    else the last one I sent (`mine`), else ""."""
    cached = context.reads.store.comments(ticket_id) or {}
    notes = [c for c in cached.get("items") or [] if c.get("public") is False and (c.get("body") or "").strip()]
    if not notes:
        return clean(mine.get(ticket_id, ""), limit=140)
    first = next(line for line in str(notes[-1]["body"]).splitlines() if line.strip())
    return clean(first, limit=140)


def hero_text(context: Context) -> str:
    now = context.now()
    since = rotation_start(now)
    workspace = context.workspace
    me = context.reads.me()
    wanted = {name.lower() for name in context.config.zendesk.my_groups}
    mine = {gid for gid, name in workspace.groups.items() if name.lower() in wanted}
    sent = context.outbox.entries(("sent",))
    mine_notes = my_last_notes(sent)
    items = []
    for row in workspace.rows("all"):
        ticket = row.entry.ticket
        in_my_groups = ticket.group_id in mine if mine else ticket.assignee_id == me.id
        if row.tier not in HANDED_TIERS or not (in_my_groups or ticket.assignee_id == me.id):
            continue
        assignee = workspace.user(ticket.assignee_id) if ticket.assignee_id else None
        owner = "me" if ticket.assignee_id == me.id else (assignee.display_name if assignee else "")
        items.append(
            QueueItem(
                ticket.id,
                clean(ticket.title, limit=90),
                ticket.status,
                row.tier,
                clean(owner, limit=40),
                last_internal_note(context, ticket.id, mine_notes),
            )
        )
    done = done_since(sent, since)
    groups = list(context.config.zendesk.my_groups)
    return hero_handover(items, done, engineer=me.name or "me", groups=groups, now=now, since=since)


def sdk_text(context: Context) -> str:
    now = context.now()
    since = rotation_start(now)
    label = context.config.github.hero_label
    sent = context.outbox.entries(("sent",))
    touched_keys = {Target.parse(e["target"]).key for e in sent if e["target"].startswith("github:issue:")}
    touched, waiting = [], []
    for issue in context.workspace.issues():
        names = [str(label_of.get("name")) for label_of in issue.get("labels") or []]
        if label not in names or issue.get("pull_request"):
            continue
        ref = f"{issue.get('repo')}#{issue.get('number')}"
        item = IssueItem(
            ref, clean(issue.get("title"), limit=90), str(issue.get("state")), str(issue.get("html_url") or "")
        )
        if ref in touched_keys:
            touched.append(item)
        elif issue.get("state") == "open":
            waiting.append(item)
    done = done_since(sent, since)
    me = context.reads.me()
    return sdk_handover(touched, waiting, done, engineer=me.name or "me", label=label, now=now, since=since)
