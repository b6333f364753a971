"""Shipments: one row per number at a source, polled once however many users follow it.

The row doubles as the poller's queue: `next_check_at` says when to ask the source again
(NULL: never), read through a partial index so the cost follows the number due. Workers take
due rows with `claim_due`, which stamps them `claimed_until` for a lease: each row goes to one
worker, and the rows of a worker that died become due again when its lease runs out. Recording
an answer or an error, or moving the next check, ends the claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from providers.statuses import Status
from storage.models import Shipment
from storage.sql import (
    EPOCH,
    Dialect,
    Row,
    Session,
    chunked,
    claim_statement,
    from_ms,
    marks,
    opt_dt,
    opt_ms,
    required,
    select_list,
    to_ms,
)

COLUMNS = (
    "id",
    "source",
    "code",
    "kind",
    "status",
    "status_text",
    "carrier",
    "linked_code",
    "created_at",
    "checked_at",
    "next_check_at",
    "last_event_at",
    "error_count",
    "last_error",
    "fingerprint",
)
_RETURNING = ", ".join(COLUMNS)
_SELECT = select_list("sh", COLUMNS)
_FIND = f"SELECT {_SELECT} FROM shipments sh WHERE sh.source = ? AND sh.code = ?"


_STATUSES = {status.value: status for status in Status}  # a dict look-up, not an enum call


def shipment_from_row(row: Row, prefix: str = "") -> Shipment:
    """A shipment from a row of COLUMNS in that order, or, with a prefix, a joined row.

    The poller decodes thousands of rows a tick: reading them by position costs a fraction of
    looking up fifteen names, and every statement of this module selects COLUMNS in order (a
    row of another shape fails to unpack instead of being misread).
    """
    values = tuple(row[f"{prefix}{column}"] for column in COLUMNS) if prefix else tuple(row)
    (id_, source, code, kind, status, text, carrier, linked, created, checked, next_at, last_at,
     errors, last_error, digest) = values  # fmt: skip
    return Shipment(
        id=id_,
        source=source,
        code=code,
        kind=kind,
        status=_STATUSES[status],
        status_text=text,
        carrier=carrier,
        linked_code=linked,
        created_at=from_ms(created),
        checked_at=opt_dt(checked),
        next_check_at=opt_dt(next_at),
        last_event_at=opt_dt(last_at),
        error_count=errors,
        last_error=last_error,
        fingerprint=digest,
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
        f"SELECT {_SELECT} FROM shipments sh"
        f" WHERE sh.next_check_at <= ?{_source_filter(source_count)}"
        " ORDER BY sh.next_check_at, sh.id LIMIT ?"
    )


def claim_sql(source_count: int | None, dialect: Dialect) -> str:
    """The poller's query: parameters (now, now, *sources, limit, claimed_until)."""
    pick = (
        "SELECT sh.id FROM shipments sh WHERE sh.next_check_at <= ?"
        " AND (sh.claimed_until IS NULL OR sh.claimed_until < ?)"
        f"{_source_filter(source_count, dialect)}"
        " ORDER BY sh.next_check_at, sh.id LIMIT ?"
    )
    return claim_statement(dialect, "shipments", pick, "claimed_until = ?", _RETURNING)


class ShipmentsRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def get_or_create(
        self, source: str, code: str, kind: str, now: datetime
    ) -> tuple[Shipment, bool]:
        """A new number is checked at once (next_check_at = now) and is NOT_FOUND until then."""
        row = await self._s.fetch_one(
            "INSERT INTO shipments (source, code, kind, status, created_at, next_check_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT (source, code) DO NOTHING RETURNING {_RETURNING}",
            (source, code, kind, Status.NOT_FOUND.value, to_ms(now), to_ms(now)),
        )
        if row is not None:
            return shipment_from_row(row), True
        return shipment_from_row(required(await self._s.fetch_one(_FIND, (source, code)))), False

    async def get(self, shipment_id: int) -> Shipment | None:
        row = await self._s.fetch_one(
            f"SELECT {_SELECT} FROM shipments sh WHERE sh.id = ?", (shipment_id,)
        )
        return None if row is None else shipment_from_row(row)

    async def find(self, source: str, code: str) -> Shipment | None:
        row = await self._s.fetch_one(_FIND, (source, code))
        return None if row is None else shipment_from_row(row)

    async def record_result(
        self,
        shipment_id: int,
        *,
        status: Status,
        status_text: str,
        carrier: str | None,
        linked_code: str | None,
        checked_at: datetime,
        next_check_at: datetime | None,
        last_event_at: datetime | None,
        fingerprint: str = "",
    ) -> None:
        """A successful answer clears the error streak; an unknown last_event_at keeps the old."""
        await self._s.execute(
            "UPDATE shipments SET status = ?, status_text = ?, carrier = ?, linked_code = ?,"
            " checked_at = ?, next_check_at = ?,"
            " last_event_at = COALESCE(?, last_event_at), error_count = 0, last_error = '',"
            " fingerprint = ?, claimed_until = NULL"
            " WHERE id = ?",
            (
                status.value,
                status_text,
                carrier,
                linked_code,
                to_ms(checked_at),
                opt_ms(next_check_at),
                opt_ms(last_event_at),
                fingerprint,
                shipment_id,
            ),
        )

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

    async def record_error(
        self, shipment_id: int, error: str, next_check_at: datetime | None
    ) -> None:
        await self._s.execute(
            "UPDATE shipments SET error_count = error_count + 1, last_error = ?,"
            " next_check_at = ?, claimed_until = NULL WHERE id = ?",
            (error, opt_ms(next_check_at), shipment_id),
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

    async def delete_orphans(self) -> list[Shipment]:
        """Drop shipments without any subscription (archived ones still count) and their events.

        Returned so the caller can tell each source to stop tracking the number.
        """
        rows = await self._s.fetch_all(
            f"DELETE FROM shipments WHERE followers = 0 RETURNING {_RETURNING}"
        )
        return sorted((shipment_from_row(row) for row in rows), key=lambda s: s.id)
