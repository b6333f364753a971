"""Is this process healthy? The database answers, Redis too when the bot uses it, and the
scheduler runs and ticks on time. A source backing off is reported, not counted against health:
restarting the bot would not bring it back. Also refreshes the queue-depth gauges for a metrics
scrape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import redis.asyncio as redis

from bot.poller import Poller
from bot.scheduler import Jobs
from bot.tracking import TrackingService
from storage import StorageError

LATE_TICKS = 3  # a tick this many intervals overdue means the scheduler is stuck


@dataclass(frozen=True, slots=True)
class HealthReport:
    ok: bool
    checks: dict[str, str]


class HealthCheck:
    def __init__(
        self,
        tracking: TrackingService,
        poller: Poller,
        jobs: Jobs,
        redis_client: redis.Redis | None = None,
    ) -> None:
        self._tracking = tracking
        self._poller = poller
        self._jobs = jobs
        self._redis = redis_client

    async def run(self) -> HealthReport:
        checks: dict[str, str] = {}
        ok = True
        try:
            await self.refresh_gauges()
            checks["database"] = "ok"
        except StorageError as exc:
            ok, checks["database"] = False, f"error: {type(exc).__name__}"
        if self._redis is not None:
            # Dialogues, the send cap and the source rates live there: without it alerts stop.
            try:
                await self._redis.ping()
                checks["redis"] = "ok"
            except redis.RedisError as exc:
                ok, checks["redis"] = False, f"error: {type(exc).__name__}"
        checks["scheduler"] = self._scheduler_state()
        ok = ok and checks["scheduler"] == "ok"
        sources = self._tracking.sources
        for name in sources.names:
            checks[f"source:{name}"] = "ok" if sources.available(name) else "backing off"
        return HealthReport(ok, checks)

    def _scheduler_state(self) -> str:
        if not self._jobs.alive:
            return "not running"
        last = self._poller.last_tick_at
        allowed = timedelta(seconds=self._jobs.tick_seconds * LATE_TICKS + 60)
        if last is not None and self._tracking.clock() - last > allowed:
            return "late"
        return "ok"

    async def refresh_gauges(self) -> None:
        metrics = self._tracking.metrics
        async with self._tracking.db.read() as tx:
            metrics.queue_depth.labels("outbox").set(await tx.outbox.pending_count())
            due = await tx.shipments.count_due(self._tracking.clock())
            metrics.queue_depth.labels("due").set(due)
