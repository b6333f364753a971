"""Events: a shipment's history as reported by its source, each event stored once.

An event is identified by its time, status and location (a UNIQUE constraint), so a source that
rewords a description does not make it new. Nor is an event with the time, location and words of
a stored one: a source whose status for an event depends on what came after it (17TRACK gives
the item's status, not the event's) does not make it new either. `add_new` tells the caller
exactly which events it has not seen before: the ones that deserve an alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from providers.base import TrackEvent
from providers.statuses import Status
from storage.models import Event
from storage.sql import Row, Session, chunked, from_ms, marks, to_ms

COLUMNS = ("id", "shipment_id", "occurred_at", "status", "description", "location")
_SELECT = ", ".join(COLUMNS)
_NEWEST_FIRST = "ORDER BY occurred_at DESC, id DESC"


def event_from_row(row: Row) -> Event:
    return Event(
        id=row["id"],
        shipment_id=row["shipment_id"],
        occurred_at=from_ms(row["occurred_at"]),
        status=Status(row["status"]),
        description=row["description"],
        location=row["location"],
    )


def _distinct(events: Sequence[TrackEvent]) -> list[tuple[int, str, str, str]]:
    """(time, status, description, location): one per identity, first description kept."""
    seen: dict[tuple[int, str, str], str] = {}
    said: set[tuple[int, str, str]] = set()
    for event in events:
        at = to_ms(event.occurred_at)
        key, words = (
            (at, event.status.value, event.location),
            (at, event.location, event.description),
        )
        if key not in seen and words not in said:
            seen[key] = event.description
            said.add(words)
    return [(at, status, text, place) for (at, status, place), text in seen.items()]


def _insert_unseen(rows: int) -> str:
    values = ", ".join(["(CAST(? AS BIGINT), ?, ?, ?)"] * rows)
    return (
        "INSERT INTO events (shipment_id, occurred_at, status, description, location)"
        " SELECT CAST(? AS BIGINT), v.column1, v.column2, v.column3, v.column4"
        f" FROM (VALUES {values}) AS v"
        " WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.shipment_id = ?"
        " AND e.occurred_at = v.column1 AND e.location = v.column4"
        " AND e.description = v.column3)"
        " ON CONFLICT (shipment_id, occurred_at, status, location) DO NOTHING"
        f" RETURNING {_SELECT}"
    )


class EventsRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def add_new(self, shipment_id: int, events: Sequence[TrackEvent]) -> list[Event]:
        """Store events not stored yet; return exactly those, oldest first."""
        stored: list[Event] = []
        for chunk in chunked(_distinct(events), 100):
            params: list[Any] = [shipment_id]
            for at, status, text, place in chunk:
                params += (at, status, text, place)
            params.append(shipment_id)
            rows = await self._s.fetch_all(_insert_unseen(len(chunk)), params)
            stored += (event_from_row(row) for row in rows)
        return sorted(stored, key=lambda e: (e.occurred_at, e.id))

    async def history(self, shipment_id: int, limit: int = 20) -> list[Event]:
        """Newest first."""
        rows = await self._s.fetch_all(
            f"SELECT {_SELECT} FROM events WHERE shipment_id = ? {_NEWEST_FIRST} LIMIT ?",
            (shipment_id, limit),
        )
        return [event_from_row(row) for row in rows]

    async def by_ids(self, shipment_id: int, event_ids: Sequence[int]) -> list[Event]:
        """Oldest first; ids of another shipment are ignored."""
        found: list[Event] = []
        for chunk in chunked(event_ids):
            rows = await self._s.fetch_all(
                f"SELECT {_SELECT} FROM events WHERE shipment_id = ?"
                f" AND id IN ({marks(len(chunk))})",
                (shipment_id, *chunk),
            )
            found += [event_from_row(row) for row in rows]
        return sorted(found, key=lambda e: (e.occurred_at, e.id))

    async def latest(self, shipment_id: int) -> Event | None:
        rows = await self.history(shipment_id, 1)
        return rows[0] if rows else None

    async def latest_of(self, shipment_ids: Sequence[int]) -> dict[int, Event]:
        """The newest event of each shipment that has one, in one statement per chunk.

        A list of items is shown with each item's last event; asking per item would cost a
        round trip each.
        """
        latest: dict[int, Event] = {}
        for chunk in chunked(sorted(set(shipment_ids))):
            rows = await self._s.fetch_all(
                f"SELECT {_SELECT} FROM events e WHERE e.shipment_id IN ({marks(len(chunk))})"
                " AND NOT EXISTS (SELECT 1 FROM events n WHERE n.shipment_id = e.shipment_id"
                " AND (n.occurred_at > e.occurred_at"
                " OR (n.occurred_at = e.occurred_at AND n.id > e.id)))",
                tuple(chunk),
            )
            latest.update((row["shipment_id"], event_from_row(row)) for row in rows)
        return latest
