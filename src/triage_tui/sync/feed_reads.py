"""Where a copy reads Zendesk's changes: a view (its own personal one, or one configured),
read again until a pass misses nothing, or search."""

from __future__ import annotations

import datetime as dt

from triage_tui.sources.errors import AuthFailed, Rejected
from triage_tui.sources.zendesk import ChangedTicket
from triage_tui.sync.changes import (
    FEED_PASSES,
    ChangeFeed,
    configured_feed,
    feed_view_body,
    own_feed,
    parse_stamp,
    plan_feed,
    stamp,
)
from triage_tui.sync.poll_base import PollerBase, dump

# The feed view found is looked at again this often (someone may have edited or deleted it).
FEED_RECHECK = dt.timedelta(hours=1)


class FeedReads(PollerBase):
    async def _read_feed(self, feed: ChangeFeed, since: dt.datetime) -> list[ChangedTicket]:
        """Every ticket the feed lists as changed at or after `since`, ids deduplicated.

        A view's cursor is an offset (README "Facts found ... 2026-12-07"): a ticket leaving
        the view between two page requests skips a row. One page is one consistent answer;
        a read of several is done again until a pass finds nothing the one before missed."""
        client = self.clients.zendesk
        assert client is not None and feed.view_id is not None
        seen: dict[int, ChangedTicket] = {}
        for number in range(FEED_PASSES):
            pages, missed = 0, False
            async for page in client.view_changes(feed.view_id, stamp(since), whole=self.slas_every is not None):
                pages += 1
                for item in page:
                    known = seen.get(item.id)
                    if known is None or item.updated_at > known.updated_at:
                        missed = missed or (number > 0 and known is None)
                        seen[item.id] = item
            if pages <= 1 or (number > 0 and not missed):
                break
        return list(seen.values())

    async def feed(self) -> ChangeFeed:
        """Where this copy reads changes: `[zendesk] changes_view` when set, else the agent's
        own personal view (found by its marker, made once per agent), else search."""
        if self.config.zendesk.changes_view is not None:
            return configured_feed(self.store.list("views"), self.config.zendesk.changes_view)
        saved = self.store.get("feed:zendesk") or {}
        checked = parse_stamp(saved.get("checked_at"))
        if saved.get("why") and checked is not None and self.now() - checked < FEED_RECHECK:
            return ChangeFeed(saved.get("view_id"), saved["why"])
        feed = await self._own_feed()
        self.store.set("feed:zendesk", {"view_id": feed.view_id, "why": feed.why, "checked_at": stamp(self.now())})
        return feed

    async def _own_feed(self) -> ChangeFeed:
        client = self.clients.zendesk
        assert client is not None
        me = self.store.get("me") or dump(await client.me())
        user_id = int(me["id"])
        plan = plan_feed(await client.personal_views(), user_id)
        made = False
        if plan.keep is None:
            try:
                created = await client.create_view(feed_view_body(user_id))
            except (AuthFailed, Rejected) as exc:
                return ChangeFeed(
                    None, f"no personal view could be made ({exc.message}); changes by search arrive minutes late"
                )
            made = True
            # Another copy of this agent may have made one at the same moment: list again,
            # and every copy keeps the first made.
            plan = plan_feed(await client.personal_views(), user_id)
            if plan.keep is None:  # not listed yet: ours is the one
                plan = plan_feed([created], user_id)
        for extra in plan.delete:
            await client.delete_view(extra)
        if plan.repair:
            assert plan.keep is not None
            await client.update_view(plan.keep, feed_view_body(user_id))
        assert plan.keep is not None
        return own_feed(plan.keep, made)
