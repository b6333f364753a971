"""The normalised status catalogue: one vocabulary for every shop and carrier.

Each source maps its own wording onto `Status`; everything downstream (cards, alerts, stall
detection, poll intervals) reads the facts from `CATALOGUE`. Texts (label, meaning, advice) live
in the locale files under the keys `status-<value>-label|meaning|todo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum, StrEnum


class Status(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PROCESSING = "processing"
    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    CUSTOMS = "customs"
    OUT_FOR_DELIVERY = "out_for_delivery"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERY_FAILED = "delivery_failed"
    DELIVERED = "delivered"
    RETURNING = "returning"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    EXCEPTION = "exception"
    NOT_FOUND = "not_found"
    EXPIRED = "expired"


class Stage(IntEnum):
    """The journey's main stages shown as the progress line of a card."""

    ORDERED = 0
    SHIPPED = 1
    IN_TRANSIT = 2
    AT_PICKUP = 3
    RECEIVED = 4


@dataclass(frozen=True, slots=True)
class StatusInfo:
    emoji: str
    stage: Stage | None  # None: off the journey's line (not found yet, expired, going back)
    stall_after: timedelta | None  # silence longer than this is a stall; None: never stalls
    poll_factor: float | None  # multiplier of POLL_INTERVAL_SECONDS; None: stop polling
    final: bool = False
    problem: bool = False  # drawn as a warning on the progress line


_DAY = timedelta(days=1)

CATALOGUE: dict[Status, StatusInfo] = {
    Status.AWAITING_PAYMENT: StatusInfo("💳", Stage.ORDERED, 1 * _DAY, 1.0),
    Status.PROCESSING: StatusInfo("📦", Stage.ORDERED, 3 * _DAY, 2.0),
    Status.INFO_RECEIVED: StatusInfo("🏷", Stage.SHIPPED, 5 * _DAY, 2.0),
    Status.IN_TRANSIT: StatusInfo("🚚", Stage.IN_TRANSIT, 10 * _DAY, 1.0),
    Status.CUSTOMS: StatusInfo("🛃", Stage.IN_TRANSIT, 7 * _DAY, 1.0),
    Status.OUT_FOR_DELIVERY: StatusInfo("🛵", Stage.AT_PICKUP, 2 * _DAY, 0.25),
    Status.READY_FOR_PICKUP: StatusInfo("📬", Stage.AT_PICKUP, 5 * _DAY, 0.5),
    Status.DELIVERY_FAILED: StatusInfo("⚠️", Stage.AT_PICKUP, 3 * _DAY, 0.5, problem=True),
    Status.DELIVERED: StatusInfo("✅", Stage.RECEIVED, None, None, final=True),
    Status.RETURNING: StatusInfo("↩️", None, 20 * _DAY, 2.0, problem=True),
    Status.RETURNED: StatusInfo("↩️", None, None, None, final=True, problem=True),
    Status.CANCELLED: StatusInfo("❌", Stage.ORDERED, None, None, final=True, problem=True),
    Status.EXCEPTION: StatusInfo("❗", Stage.IN_TRANSIT, 5 * _DAY, 1.0, problem=True),
    Status.NOT_FOUND: StatusInfo("🔍", None, 7 * _DAY, 2.0),
    Status.EXPIRED: StatusInfo("⌛", None, None, None, final=True, problem=True),
}

# The shortest storage a parcel commonly gets at a pickup point (parcel lockers often keep one
# 72 hours; pickup points 5-7 days, Russian Post 15): the one reminder comes before this runs
# out, so it is in time wherever the parcel waits.
DEFAULT_STORAGE_DAYS = 3


def info(status: Status) -> StatusInfo:
    return CATALOGUE[status]
