"""Per-user allowances over a sliding window: order proofs an hour, new numbers a day.

Kept in the database rather than in memory, so a restart does not hand out a fresh allowance and
several processes behind one webhook share one count. On PostgreSQL the user's row is locked
for the transaction, so two uses arriving at two processes at once are counted one after the
other; SQLite has one writer at a time anyway. Uses that left every window are deleted by
housekeeping (`forget_before`), not on each use, so a use costs one read and one insert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from storage.sql import Session, from_ms, required, to_ms


class AllowanceKind(StrEnum):
    ORDER_PROOF = "order_proof"  # a contact checked with the shop
    NEW_NUMBER = "new_number"  # a number the bot did not follow yet: a registration at a source


@dataclass(frozen=True, slots=True)
class AllowanceRule:
    """At most `limit` uses of `kind` within any `window`."""

    kind: AllowanceKind
    window: timedelta
    limit: int


@dataclass(frozen=True, slots=True)
class Allowance:
    allowed: bool
    left: int  # uses left after this one (0 when refused)
    next_at: datetime | None  # when refused: when the oldest use leaves the window


async def lock_user(session: Session, user_id: int) -> None:
    """PostgreSQL: one transaction at a time per user (NO KEY: inserts that only reference the
    user, outbox rows and subscriptions, do not wait for it); SQLite has one writer anyway."""
    if session.dialect == "postgresql":
        await session.fetch_one("SELECT id FROM users WHERE id = ? FOR NO KEY UPDATE", (user_id,))


class AllowancesRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def take(self, user_id: int, rule: AllowanceRule, now: datetime) -> Allowance:
        """Count one use unless the rule's limit were made within its window before `now`."""
        kind, window, limit = rule.kind, rule.window, rule.limit
        await lock_user(self._s, user_id)
        row = required(
            await self._s.fetch_one(
                "SELECT COUNT(*) AS n FROM allowance_uses"
                " WHERE user_id = ? AND kind = ? AND used_at > ?",
                (user_id, kind.value, to_ms(now - window)),
            )
        )
        used = int(row["n"])
        if used >= limit:
            return Allowance(False, 0, await self._free_again_at(user_id, rule, now, used))
        await self._s.execute(
            "INSERT INTO allowance_uses (user_id, kind, used_at) VALUES (?, ?, ?)",
            (user_id, kind.value, to_ms(now)),
        )
        return Allowance(True, limit - used - 1, None)

    async def _free_again_at(
        self, user_id: int, rule: AllowanceRule, now: datetime, used: int
    ) -> datetime:
        """When enough uses have left the window for one more: the first of them, unless the
        limit was lowered since, when more than one has to go."""
        row = required(
            await self._s.fetch_one(
                "SELECT used_at FROM allowance_uses WHERE user_id = ? AND kind = ? AND used_at > ?"
                " ORDER BY used_at LIMIT 1 OFFSET ?",
                (user_id, rule.kind.value, to_ms(now - rule.window), used - rule.limit),
            )
        )
        return from_ms(row["used_at"]) + rule.window

    async def before_counting(self, user_id: int) -> None:
        """Take the user's turn now, before reading what the count depends on (whether a number
        is new, say): a second worker then reads it after the first one's commit."""
        await lock_user(self._s, user_id)

    async def forget_before(self, moment: datetime) -> int:
        """Uses older than every window: they no longer count, and they name a user."""
        return await self._s.execute(
            "DELETE FROM allowance_uses WHERE used_at < ?", (to_ms(moment),)
        )
