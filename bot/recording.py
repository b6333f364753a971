"""Recording what a source says: new events, statuses, alerts and notices, one transaction each.

The poll tick, 17TRACK's pushes and a user's add or refresh all record through here, so "store
the events and queue the alerts together" and "an unchanged answer only moves the check times"
have one home.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.fingerprints import fingerprint
from bot.metrics import Metrics
from bot.policy import after_error, next_check
from bot.sources import Sources
from bot.watch import Silence, silence_of
from providers.bare_numbers import bare_number
from providers.base import NumberRejected, Outcome, TrackResult
from providers.clock import Clock
from providers.codes import Code, classify
from providers.statuses import CATALOGUE, Status
from storage import Database, Tx
from storage.models import Event, Shipment

log = logging.getLogger(__name__)

MAX_REJECTIONS = 5  # a number the source keeps refusing stops being polled


@dataclass(slots=True)
class BatchReport:
    polled: int = 0
    changed: int = 0
    failed: int = 0
    notices: int = 0

    def add(self, other: BatchReport) -> None:
        self.polled += other.polled
        self.changed += other.changed
        self.failed += other.failed
        self.notices += other.notices


REJECTED = "rejected: "  # how a source's refusal of a number starts in shipments.last_error


def awaits_carrier(shipment: Shipment) -> bool:
    """The source refused the number and never answered for it: a carrier may be chosen."""
    return shipment.checked_at is None and shipment.last_error.startswith(REJECTED)


class Recorder:
    def __init__(
        self,
        db: Database,
        sources: Sources,
        clock: Clock,
        poll_interval_seconds: float,
        metrics: Metrics,
    ) -> None:
        self.db = db
        self.sources = sources
        self.clock = clock
        self.poll_interval = poll_interval_seconds
        self.metrics = metrics

    async def record_rejection(self, shipment: Shipment, outcome: NumberRejected) -> None:
        async with self.db.transaction() as tx:
            await tx.shipments.record_error(shipment.id, REJECTED + outcome.reason, None)

    async def record_batch(
        self, shipments: Sequence[Shipment], outcomes: Mapping[str, Outcome]
    ) -> BatchReport:
        """One transaction for a polled batch: new events, statuses, alerts and notices."""
        now = self.clock()
        report = BatchReport(polled=len(shipments))
        unchanged: list[tuple[int, datetime, datetime | None]] = []
        expired: list[int] = []
        async with self.db.transaction() as tx:
            for shipment in shipments:
                outcome = outcomes.get(shipment.code)
                if not isinstance(outcome, TrackResult):
                    report.failed += 1
                    await self._record_refusal(tx, shipment, outcome, now)
                    continue
                verdict, began = silence_of(shipment, outcome, now)
                if fingerprint(outcome) == shipment.fingerprint:
                    upcoming = next_check(outcome.status, shipment.status, now, self.poll_interval)
                    unchanged.append((shipment.id, now, upcoming))
                else:
                    report.changed += 1
                    await self.record_result(tx, shipment, outcome, exclude_user=None)
                if verdict is not None:
                    report.notices += await self._announce(tx, shipment, verdict, began, now)
                if verdict is Silence.EXPIRED:
                    expired.append(shipment.id)
            await tx.shipments.mark_checked(unchanged)
            await tx.shipments.set_next_check(expired, None)
        return report

    async def _record_refusal(
        self, tx: Tx, shipment: Shipment, outcome: NumberRejected | None, now: datetime
    ) -> None:
        retry: datetime | None
        if outcome is None:
            error, retry = "missing from the answer", after_error(1, now, self.poll_interval)
        else:
            error = REJECTED + outcome.reason
            retry = (
                None
                if shipment.error_count + 1 >= MAX_REJECTIONS
                else after_error(shipment.error_count + 1, now, self.poll_interval)
            )
        await tx.shipments.record_error(shipment.id, error, retry)

    async def _announce(
        self,
        tx: Tx,
        shipment: Shipment,
        verdict: Silence,
        last_activity: datetime,
        now: datetime,
    ) -> int:
        """Queue a stall, pickup or expiry notice once per silence (keyed by its start)."""
        since = int(last_activity.timestamp())
        queued = 0
        for subscription, user in await tx.subscriptions.followers(shipment.id):
            if subscription.muted or not user.notifications:
                continue
            # `since`: when the silence began (a pickup reminder: the arrival), for its text.
            payload = {
                "shipment_id": shipment.id,
                "subscription_id": subscription.id,
                "since": since,
            }
            key = f"{verdict.value}:{subscription.id}:{since}"
            queued += await tx.outbox.enqueue(user.id, verdict.value, payload, key, now, now)
        self.metrics.alerts_queued.labels(verdict.value).inc(queued)
        return queued

    async def record_result(
        self, tx: Tx, shipment: Shipment, result: TrackResult, *, exclude_user: int | None
    ) -> list[Event]:
        """Store new events and the new status; queue alerts for followers in the same tx."""
        now = self.clock()
        new_events = await tx.events.add_new(shipment.id, result.events)
        last_event_at = max((e.occurred_at for e in result.events), default=shipment.last_event_at)
        await tx.shipments.record_result(
            shipment.id,
            status=result.status,
            status_text=result.status_text,
            carrier=result.carrier,
            linked_code=result.linked_code,
            checked_at=now,
            next_check_at=next_check(result.status, shipment.status, now, self.poll_interval),
            last_event_at=last_event_at,
            fingerprint=fingerprint(result),
        )
        if CATALOGUE[shipment.status].final and not CATALOGUE[result.status].final:
            # No longer finished (a delivered parcel coming back): out of the archives.
            await tx.subscriptions.restore_all(shipment.id)
        if result.linked_code and result.linked_code != shipment.linked_code:
            await self._follow_linked(tx, shipment, result.linked_code, now)
        changed = bool(new_events) or result.status != shipment.status
        # A number a source forgot and re-registered reads NOT_FOUND again: that is not news.
        if changed and shipment.checked_at is not None and result.status is not Status.NOT_FOUND:
            await self._queue_alerts(tx, shipment, result, new_events, exclude_user, now)
        return new_events

    async def _follow_linked(self, tx: Tx, order: Shipment, linked: str, now: datetime) -> None:
        """The shop shipped the order: every follower now follows the parcel too, and is told."""
        # The shop says it is a track code, so digits only (CDEK's) count as one.
        code = classify(linked) or bare_number(linked)
        source = self.sources.route(code) if isinstance(code, Code) else None
        if not isinstance(code, Code) or source is None:
            log.info("an order got a track code no source can follow")
            return
        parcel, _ = await tx.shipments.get_or_create(source, code.value, code.kind, now)
        for subscription, user in await tx.subscriptions.followers(order.id):
            # The order's name with a parcel mark: the two items read apart in lists and alerts.
            label = f"{subscription.label or order.code} 📦"
            added, _ = await tx.subscriptions.add(user.id, parcel.id, label, now)
            payload = {"subscription_id": added.id, "order": order.code}
            key = f"linked:{subscription.id}:{parcel.id}"
            await tx.outbox.enqueue(user.id, "linked", payload, key, now, now)

    async def _queue_alerts(
        self,
        tx: Tx,
        shipment: Shipment,
        result: TrackResult,
        new_events: Sequence[Event],
        exclude_user: int | None,
        now: datetime,
    ) -> None:
        marker = str(new_events[-1].id) if new_events else f"{result.status}@{now.timestamp():.0f}"
        payload = {
            "shipment_id": shipment.id,
            "event_ids": [e.id for e in new_events],
            "status": str(result.status),
            "previous_status": str(shipment.status),
        }
        for subscription, user in await tx.subscriptions.followers(shipment.id):
            if subscription.muted or user.id == exclude_user or not user.notifications:
                continue
            queued = await tx.outbox.enqueue(
                user.id,
                "alert",
                {**payload, "subscription_id": subscription.id},
                f"alert:{subscription.id}:{marker}",
                now,
                now,
            )
            self.metrics.alerts_queued.labels("alert").inc(queued)
