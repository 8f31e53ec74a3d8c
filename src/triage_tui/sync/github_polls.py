"""GitHub into the cache: the SDK repositories' open issues (ETag-conditional), and the
SDK rotation's Zendesk views on the same schedule."""

from __future__ import annotations

from typing import Any

from triage_tui.sources.errors import SourceError
from triage_tui.sync.poll_base import PollerBase, SyncReport, dump


class GithubPolls(PollerBase):
    async def github(self) -> SyncReport:
        return await self._guard("github", self._github)

    async def _github(self, report: SyncReport) -> None:
        client = self.clients.github
        assert client is not None
        for repo in self.config.github.repos:
            cached = self.store.get(f"issues:{repo}") or {}
            result = await client.open_issues(repo, cached.get("etag"))
            if result.not_modified:
                continue
            self._skipped(report, result.skipped)
            self.store.set(f"issues:{repo}", {"etag": result.etag, "items": [dump(i) for i in result.issues]})
            report.changed.append(repo)
        if self.config.sdk.zendesk_views and self.clients.zendesk is not None:
            await self._sdk_views(report)

    # The ticket fields the SDK view shows of a view's tickets (the rest stays in Zendesk).
    _SDK_FIELDS = ("id", "subject", "status", "priority", "group_id", "tags", "created_at", "updated_at")

    async def _sdk_views(self, report: SyncReport) -> None:
        """The SDK rotation's Zendesk filters, on the GitHub schedule (a request per view
        every 5 minutes, from the account's budget). A view that fails says why in its place."""
        zendesk = self.clients.zendesk
        assert zendesk is not None
        titles = {v.get("id"): v.get("title") for v in self.store.list("views")}
        # Titles known from the last poll or the hourly reference lists; else asked once.
        titles.update({v["id"]: v["title"] for v in self.store.get("sdk_views") or [] if v.get("titled")})
        found = []
        for view_id in self.config.sdk.zendesk_views:
            record: dict[str, Any] = {
                "id": view_id,
                "title": titles.get(view_id) or f"view {view_id}",
                "mobile": view_id in self.config.sdk.mobile_views,
                "tickets": [],
                "error": None,
            }
            try:
                if view_id not in titles:
                    record["title"] = await zendesk.view_title(view_id)
                record["titled"] = True
                tickets = await zendesk.view_tickets(view_id)
                record["tickets"] = [{k: t.get(k) for k in self._SDK_FIELDS} for t in tickets]
            except SourceError as exc:  # a Zendesk problem: said in its place, not GitHub's
                record["error"] = exc.message
            found.append(record)
        if found != self.store.get("sdk_views"):
            self.store.set("sdk_views", found)
            report.changed.append("sdk_views")
