"""APScheduler only triggers: a poll tick every POLL_TICK_SECONDS, an outbox drain every
second and an hourly look at source quotas and old outbox rows, each coalesced with at most one
run at a time. The database is the queue; no job is ever created per shipment. `stop()` lets
running jobs finish (briefly) before returning.

A drain or a tick may outlast its interval (a backlog at the send cap takes many seconds). The
next time then simply passes: the job is skipped here, quietly, rather than refused by
APScheduler, which would log a warning every second for as long as the backlog lasts. Likewise
a job that keeps failing logs its traceback once (a store out of reach, one line: it is no bug),
then one line every five minutes while it lasts, and one when it works again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.archive import archive_finished
from bot.operator import watch_quotas
from bot.outages import unreachable_store
from bot.poller import Poller
from bot.retention import (
    forget_abandoned_dialogues,
    forget_old_allowance_uses,
    forget_settled_outbox,
)
from bot.sender import OutboxSender

log = logging.getLogger(__name__)

SEND_EVERY_SECONDS = 1.0
QUOTA_EVERY_SECONDS = 3600.0
STOP_GRACE_SECONDS = 5.0
REPEAT_FAILURE_LOG_SECONDS = 300.0


class _FailureLog:
    """How one job's failures reach the log: the first in full, then a reminder now and then."""

    def __init__(self, job: str) -> None:
        self.job = job
        self.in_a_row = 0
        self.logged_at = 0.0

    def failed(self, exc: Exception) -> None:
        """Call from the `except` block, so the first failure's traceback is at hand."""
        self.in_a_row += 1
        now = time.monotonic()
        store = unreachable_store(exc)
        if self.in_a_row == 1 and store is not None:
            log.warning("scheduled job %s failed: %s is out of reach", self.job, store)
        elif self.in_a_row == 1:
            log.exception("scheduled job %s failed; it runs again at its next time", self.job)
        elif now - self.logged_at >= REPEAT_FAILURE_LOG_SECONDS:
            reason = str(exc).partition("\n")[0]
            log.error(
                "scheduled job %s still failing, %d runs in a row: %s: %s",
                self.job,
                self.in_a_row,
                type(exc).__name__,
                reason,
            )
        else:
            return
        self.logged_at = now

    def succeeded(self) -> None:
        if self.in_a_row:
            log.info("scheduled job %s works again after %d failed runs", self.job, self.in_a_row)
            self.in_a_row = 0


class Jobs:
    def __init__(self, poller: Poller, sender: OutboxSender | None, tick_seconds: float) -> None:
        self.poller = poller
        self.sender = sender
        self.tick_seconds = tick_seconds
        self._scheduler = AsyncIOScheduler(
            # Two instances may start; the second finds the first running and returns (`_guarded`).
            job_defaults={"coalesce": True, "max_instances": 2, "misfire_grace_time": None}
        )
        self._running: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._scheduler.add_job(
            self._guarded("poll", self._poll),
            "interval",
            seconds=self.tick_seconds,
            id="poll",
            next_run_time=_soon(),
        )
        self._scheduler.add_job(
            self._guarded("quota", self._watch),
            "interval",
            seconds=QUOTA_EVERY_SECONDS,
            id="quota",
            next_run_time=_soon(),
        )
        if self.sender is not None:
            self._scheduler.add_job(
                self._guarded("send", self._send),
                "interval",
                seconds=SEND_EVERY_SECONDS,
                id="send",
                next_run_time=_soon(),
            )
        self._scheduler.start()

    async def stop(self) -> None:
        if self.sender is not None:
            self.sender.stop()
        # Paused first: APScheduler's shutdown cancels the jobs still running at once.
        if self._scheduler.running:
            self._scheduler.pause()
        if self._running:
            _, pending = await asyncio.wait(self._running, timeout=STOP_GRACE_SECONDS)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    @property
    def alive(self) -> bool:
        return bool(self._scheduler.running)

    def _guarded(
        self, name: str, job: Callable[[], Awaitable[None]]
    ) -> Callable[[], Awaitable[None]]:
        busy = False
        failures = _FailureLog(name)

        async def run() -> None:
            nonlocal busy
            if busy:
                return  # still at work from an earlier time
            busy = True
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await job()
                failures.succeeded()
            except asyncio.CancelledError:
                # Stopping, past the grace period: claims not settled come back after their lease.
                log.info("scheduled job %s was stopped before it ended", name)
            except Exception as exc:
                failures.failed(exc)
            finally:
                busy = False
                if task is not None:
                    self._running.discard(task)

        return run

    async def _poll(self) -> None:
        report = await self.poller.tick()
        if report.due:
            log.info(
                "poll tick: %d due, %d changed, %d failed, %d deferred, %d notices",
                report.due,
                report.batches.changed,
                report.batches.failed,
                report.deferred,
                report.batches.notices,
            )

    async def _watch(self) -> None:
        tracking = self.poller.tracking
        await watch_quotas(tracking)
        await forget_settled_outbox(tracking.db, tracking.clock())
        await forget_abandoned_dialogues(tracking.db, tracking.clock())
        await forget_old_allowance_uses(tracking.db, tracking.clock())
        await archive_finished(tracking.db, tracking.clock())

    async def _send(self) -> None:
        assert self.sender is not None
        await self.sender.drain(budget_seconds=30.0)


def _soon() -> datetime:
    return datetime.now().astimezone()
