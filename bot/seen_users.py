"""The user behind each update, kept in memory for a minute so most updates write nothing.

Every update names its user; writing "seen" for each would cost a transaction per message. A
cached user is trusted while it is fresh, active and reports the same Telegram language, so
other processes' settings changes show within USER_CACHE_SECONDS.
"""

from __future__ import annotations

import time

from providers.clock import Clock
from storage import Database
from storage.models import User

USER_CACHE_SECONDS = 60.0  # other processes' settings changes show within this
USER_CACHE_SIZE = 50_000


class SeenUsers:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._users: dict[int, tuple[float, User]] = {}

    async def seen(self, user_id: int, tg_language: str | None) -> User:
        """Written only when new, changed or not seen for a while."""
        now = time.monotonic()
        cached = self._users.get(user_id)
        if cached is not None:
            at, user = cached
            if now - at < USER_CACHE_SECONDS and user.active and user.tg_language == tg_language:
                return user
        async with self._db.transaction() as tx:
            user = await tx.users.seen(user_id, tg_language, self._clock())
        if len(self._users) > USER_CACHE_SIZE:
            self._users.clear()
        self._users[user_id] = (now, user)
        return user

    def forget(self, user_id: int) -> None:
        """Their settings changed: the next update reads them afresh."""
        self._users.pop(user_id, None)
