"""Attempts to prove an order is yours, counted per user over a sliding window.

Kept in the database rather than in memory, so a restart does not hand out fresh attempts and
several processes behind one webhook share one count. On PostgreSQL the user's row is locked
for the transaction, so two attempts arriving at two processes at once are counted one after
the other; SQLite has one writer at a time anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.sql import Session, from_ms, to_ms


@dataclass(frozen=True, slots=True)
class Attempt:
    allowed: bool
    left: int  # attempts left after this one (0 when refused)
    next_at: datetime | None  # when refused: when the oldest attempt leaves the window


class OrderAttemptsRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def take(self, user_id: int, now: datetime, window: timedelta, limit: int) -> Attempt:
        """Count one attempt unless `limit` were made within `window` before `now`."""
        if self._s.dialect == "postgresql":
            await self._s.fetch_one("SELECT id FROM users WHERE id = ? FOR UPDATE", (user_id,))
        await self._s.execute(
            "DELETE FROM order_attempts WHERE user_id = ? AND attempted_at <= ?",
            (user_id, to_ms(now - window)),
        )
        rows = await self._s.fetch_all(
            "SELECT attempted_at FROM order_attempts WHERE user_id = ? ORDER BY attempted_at",
            (user_id,),
        )
        if len(rows) >= limit:
            return Attempt(False, 0, from_ms(rows[0]["attempted_at"]) + window)
        await self._s.execute(
            "INSERT INTO order_attempts (user_id, attempted_at) VALUES (?, ?)",
            (user_id, to_ms(now)),
        )
        return Attempt(True, limit - len(rows) - 1, None)
