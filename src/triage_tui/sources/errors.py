"""Typed errors the sync engine and the UI act on. Messages never carry credentials."""

from __future__ import annotations


class SourceError(Exception):
    """Base: `source` is "zendesk", "incidentio" or "github"."""

    retryable = False

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


class InsecureUrl(SourceError):
    pass


class AuthFailed(SourceError):
    pass


class NotFound(SourceError):
    pass


class Conflict(SourceError):
    """A safe update met a newer ticket: someone else changed it."""


class Rejected(SourceError):
    """The service refused the request as invalid (400, 422...): resending will not help."""

    def __init__(self, source: str, message: str, status: int = 400) -> None:
        super().__init__(source, message)
        self.status = status


class RateLimited(SourceError):
    retryable = True

    def __init__(self, source: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(source, message)
        self.retry_after = retry_after


class ServerError(SourceError):
    retryable = True

    def __init__(self, source: str, message: str, status: int = 500) -> None:
        super().__init__(source, message)
        self.status = status


class Offline(SourceError):
    retryable = True


class AmbiguousWrite(SourceError):
    """The request went out but no answer came back: it may or may not have been applied."""

    retryable = True


class BadResponse(SourceError):
    """The answer was not what the API promises (HTML error page, truncated JSON...)."""

    retryable = True
