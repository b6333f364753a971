"""The poller's queue in the shipments table: due rows, claims with a lease, check times.

`next_check_at` says when to ask the source again (NULL: never), read through a partial index so
the cost follows the number due. Workers take due rows with `claim_due`, which stamps them
`claimed_until` for a lease: each row goes to one worker, and the rows of a worker that died
become due again when its lease runs out. Recording an answer or an error, or moving the next
check, ends the claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from storage.models import Shipment
from storage.shipment_rows import RETURNING, SELECT, shipment_from_row
from storage.sql import (
    EPOCH,
    Dialect,
    Session,
    chunked,
    claim_statement,
    marks,
    opt_ms,
    required,
    to_ms,
)


def _source_filter(source_count: int | None, dialect: Dialect = "sqlite") -> str:
    if source_count is None:
        return ""
    if dialect == "postgresql":
        # The plain column: PostgreSQL estimates its share from statistics, and with an opaque
        # expression it would guess too few rows and sort every due row instead of walking the
        # due index and stopping at the limit.
        return f" AND sh.source IN ({marks(source_count)})"
    # `|| ''` keeps SQLite from trading the due index for the (source, code) one.
    return f" AND sh.source || '' IN ({marks(source_count)})"


def due_sql(source_count: int | None) -> str:
    """The due rows, claimed or not; public so a test can ask the engine how it runs it."""
    return (
        f"SELECT {SELECT} FROM shipments sh"
        f" WHERE sh.next_check_at <= ?{_source_filter(source_count)}"
        " ORDER BY sh.next_check_at, sh.id LIMIT ?"
    )


def claim_sql(source_count: int | None, dialect: Dialect) -> str:
    """The poller's query: parameters (now, now, *sources, limit, claimed_until)."""
    rows = (
        "FROM shipments sh WHERE sh.next_check_at <= ?"
        " AND (sh.claimed_until IS NULL OR sh.claimed_until < ?)"
        f"{_source_filter(source_count, dialect)}"
        " ORDER BY sh.next_check_at, sh.id LIMIT ?"
    )
    return claim_statement(dialect, "shipments", rows, "claimed_until = ?", RETURNING)


class ShipmentQueue:
    """The queue half of `ShipmentsRepo`, on the same session."""

    def __init__(self, session: Session) -> None:
        self._s = session

    async def mark_checked(self, rows: Sequence[tuple[int, datetime, datetime | None]]) -> None:
        """(id, checked_at, next_check_at) for answers identical to the previous one.

        SQLite steps one prepared statement per row in-process; PostgreSQL gets the whole set
        as three arrays in one statement, since each separate execution costs the server a
        round of parsing, planning and locking.
        """
        if not rows:
            return
        values = [(sid, to_ms(checked), opt_ms(next_at)) for sid, checked, next_at in rows]
        if self._s.dialect == "postgresql":
            ids, checked_ms, next_ms = (list(column) for column in zip(*values, strict=True))
            await self._s.execute(
                "UPDATE shipments AS sh SET checked_at = v.checked_at,"
                " next_check_at = v.next_check_at, error_count = 0, last_error = '',"
                " claimed_until = NULL"
                " FROM unnest(?::bigint[], ?::bigint[], ?::bigint[])"
                " AS v(id, checked_at, next_check_at) WHERE sh.id = v.id",
                (ids, checked_ms, next_ms),
            )
            return
        await self._s.execute_many(
            "UPDATE shipments SET checked_at = ?, next_check_at = ?, error_count = 0,"
            " last_error = '', claimed_until = NULL WHERE id = ?",
            [(checked, next_at, sid) for sid, checked, next_at in values],
        )

    async def set_next_check(
        self, shipment_ids: Sequence[int], next_check_at: datetime | None
    ) -> None:
        for chunk in chunked(shipment_ids):
            await self._s.execute(
                "UPDATE shipments SET next_check_at = ?, claimed_until = NULL"
                f" WHERE id IN ({marks(len(chunk))})",
                (opt_ms(next_check_at), *chunk),
            )

    async def claim_due(
        self,
        now: datetime,
        limit: int,
        lease: timedelta,
        sources: Sequence[str] | None = None,
    ) -> list[Shipment]:
        """Take up to `limit` due rows nobody holds, oldest-due first, until `now + lease`.

        `sources=None` means every source, an empty list means none. The claim holds until the
        row's answer or error is recorded, its next check is moved, or `release_claims`.
        """
        if sources is not None and not sources:
            return []
        at = to_ms(now)
        sql = claim_sql(None if sources is None else len(sources), self._s.dialect)
        params = (at, at, *(sources or ()), limit, to_ms(now + lease))
        rows = await self._s.fetch_all(sql, params)
        claimed = (shipment_from_row(row) for row in rows)
        return sorted(claimed, key=lambda s: (s.next_check_at or EPOCH, s.id))

    async def release_claims(self, shipment_ids: Sequence[int]) -> None:
        """Hand back claimed rows that were not polled (shutdown): due again at once."""
        for chunk in chunked(shipment_ids):
            await self._s.execute(
                f"UPDATE shipments SET claimed_until = NULL WHERE id IN ({marks(len(chunk))})",
                tuple(chunk),
            )

    async def due(
        self, now: datetime, limit: int, sources: Sequence[str] | None = None
    ) -> list[Shipment]:
        """Oldest-due first, claimed or not (see `claim_due` for taking work).

        `sources=None` means every source, an empty list means none.
        """
        if sources is not None and not sources:
            return []
        count = None if sources is None else len(sources)
        params = (to_ms(now), *(sources or ()), limit)
        rows = await self._s.fetch_all(due_sql(count), params)
        return [shipment_from_row(row) for row in rows]

    async def count_due(self, now: datetime) -> int:
        row = await self._s.fetch_one(
            "SELECT COUNT(*) AS n FROM shipments WHERE next_check_at <= ?", (to_ms(now),)
        )
        return int(required(row)["n"])

    async def count_polled(self) -> int:
        row = await self._s.fetch_one(
            "SELECT COUNT(*) AS n FROM shipments WHERE next_check_at IS NOT NULL"
        )
        return int(required(row)["n"])

    async def followed_ids(self, shipment_ids: Sequence[int]) -> set[int]:
        """Those with at least one subscription of a user who has not blocked the bot.

        PostgreSQL takes the ids as one array (one statement, one plan for any count); SQLite
        gets them in chunks of IN lists.
        """
        found: set[int] = set()
        if self._s.dialect == "postgresql" and shipment_ids:
            rows = await self._s.fetch_all(
                "SELECT DISTINCT s.shipment_id FROM subscriptions s"
                " JOIN users u ON u.id = s.user_id"
                " WHERE s.shipment_id = ANY(?::bigint[]) AND u.active = ?",
                (list(shipment_ids), True),
            )
            return {row["shipment_id"] for row in rows}
        for chunk in chunked(shipment_ids):
            rows = await self._s.fetch_all(
                "SELECT DISTINCT s.shipment_id FROM subscriptions s"
                " JOIN users u ON u.id = s.user_id"
                f" WHERE s.shipment_id IN ({marks(len(chunk))}) AND u.active = ?",
                (*chunk, True),
            )
            found.update(row["shipment_id"] for row in rows)
        return found
