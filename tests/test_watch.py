"""Silence rules: stalls, pickup reminders from the arrival, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.watch import PICKUP_REMINDER_BEFORE, Silence, judge, pickup_arrival
from providers.base import TrackEvent
from providers.statuses import DEFAULT_STORAGE_DAYS, Status

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
REMIND_AFTER = timedelta(days=DEFAULT_STORAGE_DAYS) - PICKUP_REMINDER_BEFORE


def event(days: float, status: Status) -> TrackEvent:
    return TrackEvent(T0 + timedelta(days=days), status, "", "")


def test_the_arrival_is_the_first_of_the_latest_run_of_pickup_events_in_any_order() -> None:
    events = [
        event(4, Status.READY_FOR_PICKUP),
        event(0, Status.IN_TRANSIT),
        event(1, Status.READY_FOR_PICKUP),
        event(2, Status.DELIVERY_FAILED),
        event(3, Status.READY_FOR_PICKUP),
    ]
    assert pickup_arrival(events) == T0 + timedelta(days=3)


def test_no_arrival_when_the_latest_event_is_not_at_the_pickup_point() -> None:
    assert pickup_arrival([event(1, Status.READY_FOR_PICKUP), event(2, Status.IN_TRANSIT)]) is None
    assert pickup_arrival([]) is None


def test_the_pickup_reminder_counts_from_the_arrival_when_known() -> None:
    arrived = T0
    last_notice = T0 + timedelta(days=3)
    due = arrived + REMIND_AFTER
    early = due - timedelta(minutes=1)
    ready = Status.READY_FOR_PICKUP
    assert judge(ready, "russianpost", last_notice, early, arrived=arrived) is None
    assert (
        judge(ready, "russianpost", last_notice, due, arrived=arrived) is Silence.PICKUP_REMINDER
    )
    # Without an arrival, the last activity stands in for it.
    assert judge(ready, "russianpost", last_notice, due) is None
    reminded = judge(ready, "russianpost", last_notice, last_notice + REMIND_AFTER)
    assert reminded is Silence.PICKUP_REMINDER


def test_expiry_still_counts_from_the_last_activity() -> None:
    long_ago = T0 - timedelta(days=40)
    verdict = judge(
        Status.READY_FOR_PICKUP, "track17", T0, T0 + timedelta(days=5), arrived=long_ago
    )
    assert verdict is Silence.PICKUP_REMINDER
    assert judge(Status.IN_TRANSIT, "track17", T0, T0 + timedelta(days=31)) is Silence.EXPIRED
