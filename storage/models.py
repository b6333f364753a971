"""Plain, frozen records returned by the repositories; no row objects leave `storage/`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from providers.statuses import Status


@dataclass(frozen=True, slots=True)
class User:
    id: int  # Telegram user id (= private chat id)
    language: str | None  # chosen in /settings; None: follow Telegram's language_code
    tg_language: str | None  # last language_code Telegram reported
    timezone: str | None  # IANA name; None: DEFAULT_TIMEZONE
    quiet_hours: str | None  # "23:00-08:00", "off"; None: QUIET_HOURS
    notifications: bool
    active: bool  # False after Telegram said 403 (blocked, deactivated)
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Shipment:
    """One number at one source, polled once however many users follow it."""

    id: int
    source: str
    code: str
    kind: str  # providers.codes.CodeKind value
    status: Status
    status_text: str
    carrier: str | None
    linked_code: str | None
    created_at: datetime
    checked_at: datetime | None  # last successful answer from the source
    next_check_at: datetime | None  # None: not polled any more
    last_event_at: datetime | None  # time of the newest known event
    error_count: int
    last_error: str
    fingerprint: str = ""  # digest of the source's last answer (see bot.fingerprints)


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    user_id: int
    shipment_id: int
    label: str
    muted: bool
    archived: bool
    created_at: datetime
    refreshed_at: datetime | None  # last manual refresh, for the once-a-minute limit


@dataclass(frozen=True, slots=True)
class Item:
    """A user's view of a shipment: their subscription joined with the shared shipment."""

    subscription: Subscription
    shipment: Shipment

    @property
    def id(self) -> int:
        return self.subscription.id

    @property
    def title(self) -> str:
        return self.subscription.label or self.shipment.code


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    shipment_id: int
    occurred_at: datetime
    status: Status
    description: str
    location: str


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    user_id: int
    kind: str  # "alert", "stall", "pickup_reminder", "expired", "notice"
    payload: dict[str, Any]
    dedup_key: str
    not_before: datetime
    attempts: int
    created_at: datetime
