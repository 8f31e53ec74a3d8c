"""Build the three API clients from config and tokens (the one place that knows both)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from triage_tui.config import Config
from triage_tui.secrets import Token
from triage_tui.sources.github import GithubClient
from triage_tui.sources.incidentio import IncidentioClient
from triage_tui.sources.zendesk import ZendeskClient


@dataclass
class Clients:
    zendesk: ZendeskClient | None
    incidentio: IncidentioClient | None
    github: GithubClient | None

    async def aclose(self) -> None:
        for client in (self.zendesk, self.incidentio, self.github):
            if client is not None:
                await client.aclose()

    def requests_made(self) -> dict[str, int]:
        return {
            name: client.http.requests_made
            for name, client in (("zendesk", self.zendesk), ("incidentio", self.incidentio), ("github", self.github))
            if client is not None
        }


def build_clients(config: Config, tokens: dict[str, Token], **options: Any) -> Clients:
    """A client per configured service with a token; InsecureUrl propagates to the caller."""
    zendesk = None
    base = config.zendesk.base_url()
    if base and config.zendesk.email and tokens.get("zendesk") and tokens["zendesk"].value:
        zendesk = ZendeskClient(base, config.zendesk.email, tokens["zendesk"].value, **options)
    incidentio = None
    if config.incidentio.url and tokens.get("incidentio") and tokens["incidentio"].value:
        incidentio = IncidentioClient(config.incidentio.url, tokens["incidentio"].value, **options)
    github = None
    if config.github.url and config.github.repos:
        token = tokens.get("github")
        github = GithubClient(config.github.url, token.value if token else None, **options)
    return Clients(zendesk, incidentio, github)
