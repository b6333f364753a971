"""Each day's calls to a source with a daily allowance, counted in one row per source and day.

One statement takes a call: an upsert that adds one unless the limit is reached, so two
processes taking the last call at once get it once (PostgreSQL locks the row for the upsert;
SQLite has one writer at a time).
"""

from __future__ import annotations

from datetime import date

from storage.sql import Session

KEEP_DAYS = 7


class SourceCallsRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def take(self, source: str, day: date, limit: int) -> int | None:
        """Count one call on `day`: the day's count with it, or None when `limit` is spent."""
        if limit < 1:
            return None
        row = await self._s.fetch_one(
            "INSERT INTO source_calls (source, day, used) VALUES (?, ?, 1)"
            " ON CONFLICT (source, day) DO UPDATE SET used = source_calls.used + 1"
            " WHERE source_calls.used < ? RETURNING used",
            (source, day.isoformat(), limit),
        )
        if row is not None and row["used"] == 1:  # a new day: forget the old ones
            await self._s.execute(
                "DELETE FROM source_calls WHERE source = ? AND day < ?",
                (source, date.fromordinal(day.toordinal() - KEEP_DAYS).isoformat()),
            )
        return None if row is None else int(row["used"])

    async def spend_all(self, source: str, day: date, limit: int) -> None:
        """The source refused for the day: count the whole allowance as used."""
        await self._s.execute(
            "INSERT INTO source_calls (source, day, used) VALUES (?, ?, ?)"
            " ON CONFLICT (source, day) DO UPDATE SET used = CASE"
            " WHEN source_calls.used < excluded.used THEN excluded.used"
            " ELSE source_calls.used END",
            (source, day.isoformat(), limit),
        )

    async def used(self, source: str, day: date) -> int:
        row = await self._s.fetch_one(
            "SELECT used FROM source_calls WHERE source = ? AND day = ?",
            (source, day.isoformat()),
        )
        return 0 if row is None else int(row["used"])
