"""Who is asking: each service's credentials checked as the real one checks them."""

from __future__ import annotations

import base64

from triage_sandbox import incidentio_api
from triage_sandbox.http import Request, Response
from triage_sandbox.settings import SandboxSettings
from triage_sandbox.state import SandboxState


def authenticate(state: SandboxState, settings: SandboxSettings, service: str, request: Request) -> bool:
    """Whether the request carries the sandbox's token the way `service` expects it; for
    Zendesk, also the agent (or admin) the token's email names, kept on the request."""
    header = request.headers.get("authorization", "")
    token = settings.token
    if service == "zendesk":
        if not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except (ValueError, UnicodeDecodeError):
            return False
        user_part, _, secret = decoded.partition(":")
        if not user_part.endswith("/token") or secret != token:
            return False
        email_address = user_part.removesuffix("/token").lower()
        with state.lock:
            agent = next(
                (
                    u
                    for u in state.users.values()
                    if (u.get("email") or "").lower() == email_address and u.get("role") in ("agent", "admin")
                ),
                None,
            )
        request.user = agent
        return agent is not None
    if service == "incidentio":
        return header == f"Bearer {token}"
    return header in (f"Bearer {token}", f"token {token}")


def unauthorised(service: str) -> Response:
    """Each service's own 401."""
    if service == "zendesk":
        return Response(401, {"error": "Couldn't authenticate you"})
    if service == "incidentio":
        return incidentio_api.error(401, "authentication_error", "The API key you've provided is invalid")
    return Response(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
