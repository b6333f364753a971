"""Noticing silence: stalls, pickup deadlines and numbers the source has given up on.

Pure rules over a shipment's status and the time of its last event; the service turns a verdict
into one outbox row per follower, keyed so each stall is announced once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from providers.base import TrackEvent, TrackResult
from providers.statuses import CATALOGUE, DEFAULT_STORAGE_DAYS, Status
from storage.models import Shipment

PICKUP_REMINDER_BEFORE = timedelta(days=2)
DEFAULT_EXPIRY = timedelta(days=60)
# Sources that stop tracking a silent number on their own (17TRACK: 30 days without change).
SOURCE_EXPIRY = {"track17": timedelta(days=30)}


class Silence(StrEnum):
    STALL = "stall"
    PICKUP_REMINDER = "pickup_reminder"
    EXPIRED = "expired"


def expiry_for(source: str) -> timedelta:
    return SOURCE_EXPIRY.get(source, DEFAULT_EXPIRY)


def pickup_arrival(events: Sequence[TrackEvent]) -> datetime | None:
    """When the parcel reached the pickup point it waits at: the first of the latest run of
    ready-for-pickup events (storage runs from then, whatever notices the carrier adds later).
    None when the latest event is not one."""
    arrived = None
    for event in sorted(events, key=lambda e: e.occurred_at, reverse=True):
        if event.status is not Status.READY_FOR_PICKUP:
            break
        arrived = event.occurred_at
    return arrived


def judge(
    status: Status,
    source: str,
    last_activity: datetime,
    now: datetime,
    *,
    arrived: datetime | None = None,
) -> Silence | None:
    """What the silence since `last_activity` means for a shipment in `status`, if anything.

    A parcel at the pickup point is reminded of by the time since it `arrived` there, when known.
    """
    info = CATALOGUE[status]
    if info.final:
        return None
    quiet_for = now - last_activity
    if quiet_for > expiry_for(source):
        return Silence.EXPIRED
    if status is Status.READY_FOR_PICKUP:
        waiting = now - (arrived or last_activity)
        due = timedelta(days=DEFAULT_STORAGE_DAYS) - PICKUP_REMINDER_BEFORE
        return Silence.PICKUP_REMINDER if waiting >= due else None
    if info.stall_after is not None and quiet_for > info.stall_after:
        return Silence.STALL
    return None


def silence_of(
    shipment: Shipment, result: TrackResult, now: datetime
) -> tuple[Silence | None, datetime]:
    """The notice a quiet shipment is due, if any, and when the silence it reports began."""
    status = result.status
    last_activity = max((e.occurred_at for e in result.events), default=shipment.last_event_at)
    since = last_activity or shipment.created_at
    arrived = pickup_arrival(result.events) if status is Status.READY_FOR_PICKUP else None
    verdict = judge(status, shipment.source, since, now, arrived=arrived)
    # Notices are keyed by when the silence began: one stall notice per stall, one pickup
    # reminder per arrival.
    return verdict, arrived if verdict is Silence.PICKUP_REMINDER and arrived else since
