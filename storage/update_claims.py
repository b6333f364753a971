"""Claims on Telegram updates, so that each is handled once by one of several webhook processes.

A claim is held until a moment (the lease); a process that dies while handling leaves a claim
that lapses, so Telegram's next delivery of the update is handled elsewhere. Taking a claim is
one upsert that succeeds only over no row or a lapsed unhandled one, so two processes taking
the same update at once get it once.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from storage.sql import Session, to_ms


class ClaimOutcome(Enum):
    TAKEN = "taken"  # this process handles the update now
    HANDLED = "handled"  # handled before: a repeated delivery
    BUSY = "busy"  # another process holds it and has not finished


class UpdateClaimsRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def take(self, update_id: int, now: datetime, until: datetime) -> ClaimOutcome:
        row = await self._s.fetch_one(
            "INSERT INTO update_claims (update_id, held_until, handled) VALUES (?, ?, 0)"
            " ON CONFLICT (update_id) DO UPDATE SET held_until = excluded.held_until"
            " WHERE update_claims.handled = 0 AND update_claims.held_until <= ?"
            " RETURNING update_id",
            (update_id, to_ms(until), to_ms(now)),
        )
        if row is not None:
            return ClaimOutcome.TAKEN
        held = await self._s.fetch_one(
            "SELECT handled FROM update_claims WHERE update_id = ?", (update_id,)
        )
        return ClaimOutcome.HANDLED if held is not None and held["handled"] else ClaimOutcome.BUSY

    async def settle(self, update_id: int, now: datetime) -> None:
        """Handled: repeats are skipped from now on (until the row is forgotten)."""
        await self._s.execute(
            "UPDATE update_claims SET handled = 1, held_until = ? WHERE update_id = ?",
            (to_ms(now), update_id),
        )

    async def release(self, update_id: int, until: datetime) -> None:
        """Not handled after all: the next delivery takes it afresh (unless, the lease having
        lapsed, another process holds it by now)."""
        await self._s.execute(
            "DELETE FROM update_claims WHERE update_id = ? AND handled = 0 AND held_until = ?",
            (update_id, to_ms(until)),
        )

    async def forget_before(self, moment: datetime) -> int:
        return await self._s.execute(
            "DELETE FROM update_claims WHERE held_until < ?", (to_ms(moment),)
        )
