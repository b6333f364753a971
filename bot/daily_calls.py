"""A source's daily allowance counted in the bot's database (see `providers.daily_calls`)."""

from __future__ import annotations

from datetime import date

from storage import Database


class StoredDailyCalls:
    """One count for every process of the bot, kept across restarts."""

    def __init__(self, db: Database, source: str) -> None:
        self._db = db
        self._source = source

    async def take(self, day: date, limit: int) -> int | None:
        async with self._db.transaction() as tx:
            return await tx.source_calls.take(self._source, day, limit)

    async def spend_all(self, day: date, limit: int) -> None:
        async with self._db.transaction() as tx:
            await tx.source_calls.spend_all(self._source, day, limit)

    async def used(self, day: date) -> int:
        async with self._db.read() as tx:
            return await tx.source_calls.used(self._source, day)
