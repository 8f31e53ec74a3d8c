"""How strict the sandbox is: its settings, read by the server and by each fake API (so
that no API module needs the server's)."""

from __future__ import annotations

from dataclasses import dataclass

from triage_sandbox import limits
from triage_sandbox.data import VIEW_TITLES

DEFAULT_TOKEN = "sandbox"


@dataclass
class SandboxSettings:
    """How strict the sandbox is. Every budget is per account (shared by all its clients)."""

    token: str = DEFAULT_TOKEN
    # "agent" (default): admin-only endpoints answer 403 unless the token's user is an admin.
    # "admin": every token is treated as an admin's.
    persona: str = "agent"
    # Zendesk plan: sets the account budget per minute (team 200, professional 400, enterprise 700).
    plan: str = "enterprise"
    zendesk_per_minute: int | None = None  # overrides the plan's account budget
    incremental_per_minute: int = 10  # every /incremental/ export, per account
    search_export_per_minute: int = 100  # search/export, per account (and in the account budget)
    view_per_minute: int = 5  # views/{id}/count and views/{id}/execute, per view per agent
    views_count_many_per_minute: int = 6  # views/count_many
    deleted_tickets_per_minute: int = 10  # deleted_tickets, per account
    ticket_updates_per_minute: int = 100  # PUT tickets/{id}, per account
    ticket_updates_per_ticket: int = 30  # PUT tickets/{id} by one user on one ticket ...
    ticket_updates_per_ticket_seconds: float = 600.0  # ... in this window (10 minutes)
    search_lag_seconds: float = 60.0  # search and search export see tickets as of this long ago
    jobs_per_account: int = 30  # background jobs (update_many) queued or running at once
    job_stage_seconds: float = 1.0  # a job moves queued -> working -> completed this often (or when read)
    export_holdback_seconds: float = 60.0  # the incremental export leaves out the last minute
    incidentio_per_minute: int = 1200
    github_per_hour: int = 5000
    # incident.io permalinks and GitHub html_urls open the sandbox's own pages (pages.py), as
    # the demo wants; off, they keep the seeded app.incident.io / github.com addresses, which
    # stay the same from run to run (the screenshots show them).
    own_links: bool = False
    github_search_per_minute: int = 30  # GitHub's search API: its own 30 a minute per token
    # Issue 23: an account that does not look like the default one.
    agent_locale: str = "en"  # the language view titles are rendered in ("en", "de")
    restrict_groups: tuple[str, ...] = ()  # agents see only these groups' tickets (names)
    deny_deleted: bool = False  # deleted_tickets answers 403 to agents (no permission)
    edit_default_view: bool = False  # an admin edited "Recently updated tickets": Support left out

    def __post_init__(self) -> None:
        if self.persona not in ("agent", "admin"):
            raise ValueError(f"persona {self.persona!r}: expected agent or admin")
        if self.plan not in limits.PLAN_PER_MINUTE:
            raise ValueError(f"plan {self.plan!r}: expected one of {', '.join(limits.PLAN_PER_MINUTE)}")
        if self.agent_locale not in VIEW_TITLES:
            raise ValueError(f"agent locale {self.agent_locale!r}: expected one of {', '.join(VIEW_TITLES)}")

    @property
    def account_per_minute(self) -> int:
        return self.zendesk_per_minute if self.zendesk_per_minute is not None else limits.PLAN_PER_MINUTE[self.plan]
