"""pydantic models of what triage-tui reads from and writes to each service.

Built to the real response shapes: unknown fields are ignored, nulls are accepted
generously (the live APIs send null where their descriptions say otherwise).
"""
