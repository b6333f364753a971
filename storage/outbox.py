"""Outbox: alerts waiting to be sent, written in the same transaction as the change they report.

A row is claimed for a lease before sending, so a crashed sender's rows come back once the lease
runs out, and several senders share the queue without taking the same row (on PostgreSQL the
claim skips rows another sender is claiming at that moment). `dedup_key` is UNIQUE and rows are
kept after sending, so one alert goes out at most once however often the change is recorded;
settled rows are forgotten only after a retention period longer than any silence a notice
could repeat (`bot.retention`). States: pending → sent | failed | dropped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from storage.errors import StorageError
from storage.models import OutboxMessage
from storage.sql import (
    Dialect,
    Row,
    Session,
    chunked,
    claim_statement,
    from_ms,
    marks,
    required,
    to_ms,
)

COLUMNS = ("id", "user_id", "kind", "payload", "dedup_key", "not_before", "attempts", "created_at")
_RETURNING = ", ".join(COLUMNS)
# Literal 'pending' (not a parameter) so the engine can use the partial index outbox_due.
_CLAIMABLE = (
    "FROM outbox WHERE state = 'pending' AND not_before <= ?"
    " AND (claimed_until IS NULL OR claimed_until < ?)"
    " ORDER BY not_before, id LIMIT ?"
)


# The first claimable moment: the same index, walked until an unclaimed row.
NEXT_DUE_SQL = (
    "SELECT not_before FROM outbox WHERE state = 'pending'"
    " AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY not_before, id LIMIT 1"
)

# Literal 'pending' again, for the partial index outbox_settled.
FORGET_SETTLED_SQL = (
    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state <> 'pending'"
    " AND created_at < ? ORDER BY created_at, id LIMIT ?)"
)


def message_from_row(row: Row) -> OutboxMessage:
    payload = json.loads(row["payload"])
    if not isinstance(payload, dict):
        raise StorageError(f"outbox message {row['id']}: payload is not a JSON object")
    return OutboxMessage(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        payload=payload,
        dedup_key=row["dedup_key"],
        not_before=from_ms(row["not_before"]),
        attempts=row["attempts"],
        created_at=from_ms(row["created_at"]),
    )


def claim_sql(dialect: Dialect) -> str:
    """The sender's query: parameters (now, now, limit, claimed_until)."""
    return claim_statement(dialect, "outbox", _CLAIMABLE, "claimed_until = ?", _RETURNING)


class OutboxRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def enqueue(
        self,
        user_id: int,
        kind: str,
        payload: dict[str, Any],
        dedup_key: str,
        not_before: datetime,
        now: datetime,
    ) -> bool:
        """False when this dedup_key was queued before (whether or not it was sent)."""
        changed = await self._s.execute(
            "INSERT INTO outbox (user_id, kind, payload, dedup_key, not_before, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING",
            (
                user_id,
                kind,
                json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                dedup_key,
                to_ms(not_before),
                to_ms(now),
            ),
        )
        return changed > 0

    async def forget_settled_before(self, moment: datetime, limit: int) -> int:
        """Delete up to `limit` settled rows queued before `moment`, oldest first; the count."""
        return await self._s.execute(FORGET_SETTLED_SQL, (to_ms(moment), limit))

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[OutboxMessage]:
        """Take up to `limit` due messages for `lease`; unclaimed again if not settled by then."""
        at = to_ms(now)
        sql = claim_sql(self._s.dialect)
        rows = await self._s.fetch_all(sql, (at, at, limit, to_ms(now + lease)))
        return sorted((message_from_row(row) for row in rows), key=lambda m: (m.not_before, m.id))

    async def next_due_at(self, now: datetime) -> datetime | None:
        """When the earliest message nobody holds may be sent (None: nothing pending)."""
        row = await self._s.fetch_one(NEXT_DUE_SQL, (to_ms(now),))
        return None if row is None else from_ms(row["not_before"])

    async def mark_sent(self, message_id: int, now: datetime) -> None:
        await self._s.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?, claimed_until = NULL WHERE id = ?",
            (to_ms(now), message_id),
        )

    async def retry_later(self, message_id: int, not_before: datetime, error: str) -> None:
        await self._s.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ?,"
            " held = 0, claimed_until = NULL WHERE id = ?",
            (to_ms(not_before), error, message_id),
        )

    async def give_up(self, message_id: int, error: str) -> None:
        await self._s.execute(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?,"
            " claimed_until = NULL WHERE id = ?",
            (error, message_id),
        )

    async def release(self, message_ids: Sequence[int]) -> None:
        """Hand back claimed messages that were not sent (shutdown); no attempt counted."""
        for chunk in chunked(message_ids):
            await self._s.execute(
                "UPDATE outbox SET claimed_until = NULL"
                f" WHERE state = 'pending' AND id IN ({marks(len(chunk))})",
                tuple(chunk),
            )

    async def defer(self, message_id: int, not_before: datetime) -> None:
        """Quiet hours: send later without counting an attempt."""
        await self._s.execute(
            "UPDATE outbox SET not_before = ?, held = 1, claimed_until = NULL WHERE id = ?",
            (to_ms(not_before), message_id),
        )

    async def release_held(self, now: datetime) -> int:
        """Messages held for quiet hours are due now, to meet the setting in force again."""
        return await self._s.execute(
            "UPDATE outbox SET not_before = ?, held = 0"
            " WHERE state = 'pending' AND held = 1 AND not_before > ?",
            (to_ms(now), to_ms(now)),
        )

    async def drop_for_user(self, user_id: int) -> int:
        """The user blocked the bot: nothing pending for them will be sent."""
        return await self._s.execute(
            "UPDATE outbox SET state = 'dropped', claimed_until = NULL"
            " WHERE user_id = ? AND state = 'pending'",
            (user_id,),
        )

    async def reschedule_user(self, user_id: int, not_before: datetime) -> int:
        """Bring a user's held messages forward (they turned quiet hours off)."""
        return await self._s.execute(
            "UPDATE outbox SET not_before = ? WHERE user_id = ? AND state = 'pending'"
            " AND not_before > ?",
            (to_ms(not_before), user_id, to_ms(not_before)),
        )

    async def pending_count(self) -> int:
        row = await self._s.fetch_one("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'")
        return int(required(row)["n"])
