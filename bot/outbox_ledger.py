"""What became of each claimed outbox message, written back: sent, given up, retried later,
deferred, handed back, or dropped with a user who blocked the bot."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.metrics import Metrics
from providers.clock import Clock
from storage import Database
from storage.models import OutboxMessage

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SendReport:
    sent: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    throttled: int = 0


class OutboxLedger:
    def __init__(self, db: Database, clock: Clock, metrics: Metrics, max_attempts: int) -> None:
        self._db = db
        self._clock = clock
        self._metrics = metrics
        self._max_attempts = max_attempts

    async def retry(self, group: list[OutboxMessage], error: str, report: SendReport) -> None:
        """A passing failure: again later, backing off, until the attempts run out."""
        attempts = group[0].attempts + 1
        if attempts >= self._max_attempts:
            log.error(
                "giving up on message %d after %d attempts: %s", group[0].id, attempts, error
            )
            await self.finish(group, sent=False, error=error)
            report.failed += len(group)
            return
        delay = timedelta(seconds=min(5 * 2**attempts, 3600))
        async with self._db.transaction() as tx:
            for message in group:
                await tx.outbox.retry_later(message.id, self._clock() + delay, error)
        report.retried += len(group)

    async def finish(self, group: list[OutboxMessage], *, sent: bool, error: str = "") -> None:
        counter = self._metrics.alerts_sent if sent else self._metrics.alerts_failed
        counter.inc(len(group))
        async with self._db.transaction() as tx:
            for message in group:
                if sent:
                    await tx.outbox.mark_sent(message.id, self._clock())
                else:
                    await tx.outbox.give_up(message.id, error)

    async def defer(self, group: list[OutboxMessage], delay: timedelta) -> None:
        async with self._db.transaction() as tx:
            for message in group:
                await tx.outbox.defer(message.id, self._clock() + delay)

    async def release(self, group: list[OutboxMessage]) -> None:
        """Not sent, not attempted: back to the queue as it was."""
        async with self._db.transaction() as tx:
            await tx.outbox.release([m.id for m in group])

    async def deactivate(self, user_id: int) -> None:
        log.info("a user blocked the bot; their alerts stop")
        async with self._db.transaction() as tx:
            await tx.users.set_active(user_id, False)
            await tx.outbox.drop_for_user(user_id)
