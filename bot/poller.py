"""The poll tick: take what is due, ask each source in its largest batches, record the answers.

The database is the queue (`shipments.next_check_at`, read through an index), so a tick costs
in proportion to what is due. Each source gets its own rate limiter (aiolimiter) and a cap on
concurrent calls; a source that fails backs off as a whole and its numbers wait for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiolimiter import AsyncLimiter

from bot.sources import SourceBackingOffError, Sources
from bot.tracking import BatchReport, TrackingService
from providers.base import SourceError
from storage import Database
from storage.models import Shipment

log = logging.getLogger(__name__)

DEFAULT_TICK_LIMIT = 5000
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
    ) -> None:
        self.tracking = tracking
        self.tick_limit = tick_limit
        self._limiters: dict[str, AsyncLimiter] = {}
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
        """Everything due now, in rounds of `tick_limit`, oldest first."""
        now = self.tracking.clock()
        report = TickReport()
        while True:
            async with self.db.read() as tx:
                due = await tx.shipments.due(now, self.tick_limit)
            if not due:
                break
            if report.due == 0 and due[0].next_check_at is not None:
                report.lag_seconds = max(0.0, (now - due[0].next_check_at).total_seconds())
            report.due += len(due)
            await self._poll(due, now, report)
            if len(due) < self.tick_limit:
                break
        self.last_tick_at = self.tracking.clock()
        self.tracking.metrics.poll_lag.set(report.lag_seconds)
        return report

    async def _poll(self, due: Sequence[Shipment], now: datetime, report: TickReport) -> None:
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
                calls.append(self._call(name, shipments[start : start + size], report))
        await self._defer(deferrals)
        await asyncio.gather(*calls)

    async def _defer(self, deferrals: dict[datetime | None, list[int]]) -> None:
        if not any(deferrals.values()):
            return
        async with self.db.transaction() as tx:
            for moment, ids in deferrals.items():
                if ids:
                    await tx.shipments.set_next_check(ids, moment)

    async def _call(self, name: str, batch: Sequence[Shipment], report: TickReport) -> None:
        async with self._slots[name], self._limiter(name):
            try:
                outcomes = await self.sources.fetch(name, [s.code for s in batch])
            except (SourceError, SourceBackingOffError) as exc:
                retry = self.sources.backoff_of(name) or self.tracking.clock()
                async with self.db.transaction() as tx:
                    await tx.shipments.set_next_check([s.id for s in batch], retry)
                report.deferred += len(batch)
                log.debug("batch of %d at %s deferred: %s", len(batch), name, exc)
                return
        report.batches.add(await self.tracking.record_batch(batch, outcomes))

    def _limiter(self, name: str) -> AsyncLimiter:
        if name not in self._limiters:
            provider = self.sources.get(name)
            rate = provider.rate_per_second if provider else 1.0
            self._limiters[name] = AsyncLimiter(max(rate, 0.001), 1)
        return self._limiters[name]
