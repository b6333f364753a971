"""The poll tick: take what is due, ask each source in its largest batches, record the answers.

The database is the queue (`shipments.next_check_at`, read through an index), so a tick costs
in proportion to what is due; rows are claimed (`FOR UPDATE SKIP LOCKED` on PostgreSQL) with a
lease, so any number of worker processes can run ticks side by side. Each source has a cap on
concurrent calls; its rate is kept below, on every request its HTTP client sends (see
`bot.pacing`); a source that fails backs off as a whole and its numbers wait for it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.recording import BatchReport
from bot.sources import SourceBackingOffError, Sources
from bot.tracking import TrackingService
from providers.base import SourceError
from storage import Database
from storage.models import Shipment

log = logging.getLogger(__name__)

DEFAULT_TICK_LIMIT = 5000
DEFAULT_LEASE = timedelta(minutes=5)
MAX_CONCURRENT_CALLS = 4


@dataclass(slots=True)
class TickReport:
    due: int = 0
    unfollowed: int = 0
    deferred: int = 0
    batches: BatchReport = field(default_factory=BatchReport)
    lag_seconds: float = 0.0  # how late the oldest due shipment was


class Poller:
    def __init__(
        self,
        tracking: TrackingService,
        *,
        tick_limit: int = DEFAULT_TICK_LIMIT,
        max_concurrent: int = MAX_CONCURRENT_CALLS,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.tracking = tracking
        self.tick_limit = tick_limit
        self.lease = lease
        self._max_concurrent = max_concurrent
        self._slots: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(max_concurrent)
        )
        self.last_tick_at: datetime | None = None

    @property
    def db(self) -> Database:
        return self.tracking.db

    @property
    def sources(self) -> Sources:
        return self.tracking.sources

    async def tick(self) -> TickReport:
        """Everything due now, oldest first: each source drains its own share side by side.

        A source claims only what it is about to have in flight (its batch size times its
        concurrent calls), with a lease, so several processes share the work, a slow source
        never holds rows it cannot reach before the lease ends, and a crashed process's rows
        come back once its lease runs out; every outcome clears the claim. A last pass defers
        whatever is left due for sources that are missing or backing off.
        """
        now = self.tracking.clock()
        report = TickReport()
        await asyncio.gather(*(self._drain(name, now, report) for name in self.sources.names))
        await self._drain(None, now, report)
        self.last_tick_at = self.tracking.clock()
        self.tracking.metrics.poll_lag.set(report.lag_seconds)
        return report

    async def _drain(self, name: str | None, now: datetime, report: TickReport) -> None:
        provider = self.sources.get(name) if name is not None else None
        size = provider.max_batch * self._max_concurrent if provider else self.tick_limit
        taken = 0
        while taken < self.tick_limit and (name is None or self.sources.available(name)):
            async with self.db.transaction() as tx:
                due = await tx.shipments.claim_due(
                    now, size, self.lease, sources=[name] if name is not None else None
                )
            if not due:
                return
            taken += len(due)
            if due[0].next_check_at is not None:
                lag = (now - due[0].next_check_at).total_seconds()
                report.lag_seconds = max(report.lag_seconds, lag)
            report.due += len(due)
            # Ask the source only in the first half of the lease; past it, hand rows back.
            valid_until = time.monotonic() + self.lease.total_seconds() / 2
            await self._poll(due, now, report, valid_until)
            if len(due) < size:
                return

    async def _poll(
        self, due: Sequence[Shipment], now: datetime, report: TickReport, valid_until: float
    ) -> None:
        async with self.db.read() as tx:
            followed = await tx.shipments.followed_ids([s.id for s in due])
        unfollowed = [s.id for s in due if s.id not in followed]
        by_source: dict[str, list[Shipment]] = defaultdict(list)
        for shipment in due:
            if shipment.id in followed:
                by_source[shipment.source].append(shipment)
        deferrals: dict[datetime | None, list[int]] = defaultdict(list)
        deferrals[None] = unfollowed
        report.unfollowed += len(unfollowed)
        calls = []
        for name, shipments in by_source.items():
            provider = self.sources.get(name)
            if provider is None or not self.sources.available(name):
                later = self.sources.backoff_of(name) or now + timedelta(
                    seconds=self.tracking.poll_interval
                )
                deferrals[later] += [s.id for s in shipments]
                report.deferred += len(shipments)
                continue
            size = max(1, provider.max_batch)
            for start in range(0, len(shipments), size):
                batch = shipments[start : start + size]
                calls.append(self._call(name, batch, report, valid_until))
        await self._defer(deferrals)
        await asyncio.gather(*calls)

    async def _defer(self, deferrals: dict[datetime | None, list[int]]) -> None:
        if not any(deferrals.values()):
            return
        async with self.db.transaction() as tx:
            for moment, ids in deferrals.items():
                if ids:
                    await tx.shipments.set_next_check(ids, moment)

    async def _call(
        self, name: str, batch: Sequence[Shipment], report: TickReport, valid_until: float
    ) -> None:
        async with self._slots[name]:
            if time.monotonic() > valid_until:
                async with self.db.transaction() as tx:
                    await tx.shipments.release_claims([s.id for s in batch])
                return
            try:
                outcomes = await self.sources.fetch(name, [s.code for s in batch])
            except (SourceError, SourceBackingOffError) as exc:
                retry = self.sources.backoff_of(name) or self.tracking.clock()
                async with self.db.transaction() as tx:
                    await tx.shipments.set_next_check([s.id for s in batch], retry)
                report.deferred += len(batch)
                log.debug("batch of %d at %s deferred: %s", len(batch), name, exc)
                return
        report.batches.add(await self.tracking.recorder.record_batch(batch, outcomes))
