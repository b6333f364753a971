"""Where a source with a daily allowance counts its calls.

By default in the process's memory; the bot passes a count kept in its database
(`bot.daily_calls.StoredDailyCalls`), so a restart does not start the day again and every worker
spends from one allowance.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol


class DailyCalls(Protocol):
    async def take(self, day: date, limit: int) -> int | None:
        """Count one call on `day`: the day's count with it, or None when `limit` is spent."""

    async def spend_all(self, day: date, limit: int) -> None:
        """The source said the allowance is gone: no more calls on `day`."""

    async def used(self, day: date) -> int:
        """Calls counted on `day`."""


class MemoryDailyCalls:
    """This process's count of the current day."""

    def __init__(self) -> None:
        self._day: date | None = None
        self._used = 0

    async def take(self, day: date, limit: int) -> int | None:
        if self._day != day:
            self._day, self._used = day, 0
        if self._used >= limit:
            return None
        self._used += 1
        return self._used

    async def spend_all(self, day: date, limit: int) -> None:
        if self._day != day:
            self._day, self._used = day, 0
        self._used = max(self._used, limit)

    async def used(self, day: date) -> int:
        return self._used if self._day == day else 0
