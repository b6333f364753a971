"""Shipments: one row per number at a source, polled once however many users follow it.

The row doubles as the poller's queue, whose half of the repository is `ShipmentQueue`
(`storage/shipment_queue.py`); rows are decoded in `storage/shipment_rows.py`.
"""

from __future__ import annotations

from datetime import datetime

from providers.statuses import Status
from storage.models import Shipment
from storage.shipment_queue import ShipmentQueue
from storage.shipment_rows import RETURNING, SELECT, shipment_from_row
from storage.sql import opt_ms, required, to_ms

FORGET_ORPHANS_SQL = f"DELETE FROM shipments WHERE followers = 0 RETURNING {RETURNING}"
_FIND = f"SELECT {SELECT} FROM shipments sh WHERE sh.source = ? AND sh.code = ?"


class ShipmentsRepo(ShipmentQueue):
    """A row per number, created once, updated with each answer; queued by the base class."""

    async def get_or_create(
        self, source: str, code: str, kind: str, now: datetime
    ) -> tuple[Shipment, bool]:
        """A new number is checked at once (next_check_at = now) and is NOT_FOUND until then."""
        row = await self._s.fetch_one(
            "INSERT INTO shipments (source, code, kind, status, created_at, next_check_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT (source, code) DO NOTHING RETURNING {RETURNING}",
            (source, code, kind, Status.NOT_FOUND.value, to_ms(now), to_ms(now)),
        )
        if row is not None:
            return shipment_from_row(row), True
        return shipment_from_row(required(await self._s.fetch_one(_FIND, (source, code)))), False

    async def get(self, shipment_id: int) -> Shipment | None:
        row = await self._s.fetch_one(
            f"SELECT {SELECT} FROM shipments sh WHERE sh.id = ?", (shipment_id,)
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

    async def record_error(
        self, shipment_id: int, error: str, next_check_at: datetime | None
    ) -> None:
        await self._s.execute(
            "UPDATE shipments SET error_count = error_count + 1, last_error = ?,"
            " next_check_at = ?, claimed_until = NULL WHERE id = ?",
            (error, opt_ms(next_check_at), shipment_id),
        )

    async def delete_orphans(self) -> list[Shipment]:
        """Drop shipments without any subscription (archived ones still count) and their events.

        Returned so the caller can tell each source to stop tracking the number.
        """
        rows = await self._s.fetch_all(FORGET_ORPHANS_SQL)
        return sorted((shipment_from_row(row) for row in rows), key=lambda s: s.id)
