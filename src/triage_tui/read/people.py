"""Users and organizations as the screen reads them: validated from the cache on first use
and kept until a sync says they changed (`forget`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage_tui.store.cache import Store

if TYPE_CHECKING:
    from triage_tui.models.zendesk import Organization, User


def _zendesk():
    # The pydantic models are imported on first use: the first paint needs none of them.
    from triage_tui.models import zendesk

    return zendesk


class People:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.org_records: dict[str, dict] = {}  # every org as the last load read them, by id
        self._orgs: dict[int, Organization | None] = {}
        self._users: dict[int, User | None] = {}

    def org(self, org_id: int | None) -> Organization | None:
        if org_id is None:
            return None
        if org_id not in self._orgs:
            raw = self.org_records.get(str(org_id)) or self.store.record("org", org_id)
            self._orgs[org_id] = _zendesk().Organization.model_validate(raw) if raw else None
        return self._orgs[org_id]

    def user(self, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        if user_id not in self._users:
            raw = self.store.record("user", user_id)
            self._users[user_id] = _zendesk().User.model_validate(raw) if raw else None
        return self._users[user_id]

    def forget(self) -> None:
        """Users or orgs changed: names and plans must be read again."""
        self._orgs.clear()
        self._users.clear()
