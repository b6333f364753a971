"""The outbox sender: drains queued messages within Telegram's limits and loses none.

Rows are claimed with a lease, so a crash mid-send returns them after the lease (a message in
flight at the crash may go out twice; nothing else repeats). One place caps the rate
(`bot/send_cap.py`): evenly spaced sends under SEND_RATE_PER_SECOND, at most one message a
second per chat, and a 429 pauses every sender sharing the cap (all processes, with Redis) for
its retry_after. A 403 means the user blocked the bot: they are marked inactive and their
pending messages dropped.
"""

from __future__ import annotations

import asyncio
import time
from asyncio import FIRST_COMPLETED
from collections import defaultdict
from datetime import timedelta

from bot.delivery import Delivery, Outlet, sleep_unless_stopped
from bot.outbox_ledger import OutboxLedger, SendReport
from storage.models import OutboxMessage

CLAIM_USE = 0.75  # share of a claim's lease during which its messages may still be sent
# A drain with nothing claimable waits for a message due this soon (a chat's spacing), rather
# than leaving it to the next drain, which starts on the scheduler's grid up to a second later.
WAIT_FOR_DUE_AT_MOST = 1.5  # seconds


def _grouped(claimed: list[OutboxMessage]) -> list[list[OutboxMessage]]:
    """One message per user, kind and item: several events of one item go out together."""
    groups: dict[tuple[int, str, int], list[OutboxMessage]] = defaultdict(list)
    for message in claimed:
        key = (message.user_id, message.kind, int(message.payload.get("subscription_id", 0)))
        groups[key].append(message)
    return list(groups.values())


def _claim_sizes(rate_per_second: float, lease: timedelta, batch_size: int) -> tuple[int, int]:
    """How many messages one claim takes, and how few still waiting start the next claim.

    Claim no more than the rate lets us send within the usable part of a lease, and claim
    again while a quarter of a claim still waits, if those and a new claim fit in it too.
    """
    sendable = rate_per_second * lease.total_seconds() * CLAIM_USE
    claim_size = max(1, min(batch_size, int(sendable / 2)))
    return claim_size, max(0, min(claim_size // 4, int(sendable) - claim_size - 1))


class OutboxSender:
    def __init__(
        self,
        outlet: Outlet,
        *,
        rate_per_second: float,
        lease: timedelta = timedelta(seconds=60),
        max_attempts: int = 5,
        batch_size: int = 100,
        concurrency: int = 8,
    ) -> None:
        self.db = outlet.db
        self.clock = outlet.clock
        self.lease = lease
        self.metrics = outlet.metrics
        self._cap = outlet.cap
        self._stopped = asyncio.Event()
        ledger = OutboxLedger(outlet.db, outlet.clock, outlet.metrics, max_attempts)
        self._delivery = Delivery(outlet, ledger, self._stopped, concurrency)
        self._held_rechecked = False
        self._claim_size, self._low_water = _claim_sizes(rate_per_second, lease, batch_size)
        self.report = SendReport()

    def stop(self) -> None:
        """Take no new work; `drain` returns after the sends already started."""
        self._stopped.set()

    async def drain(self, budget_seconds: float = 10.0) -> SendReport:
        """Send what is due, for at most about `budget_seconds`.

        Claims are pipelined: the next one is taken while the last sends of the previous one
        still wait for their turn, so the rate never dips between claims. Messages to one chat
        go one after another, each a chat's spacing after the last, inside the drain: queued
        again, a chat's second message would wait behind the whole backlog.
        """
        deadline = time.monotonic() + budget_seconds
        await self._recheck_held_once()
        report = SendReport()
        running: set[asyncio.Task[None]] = set()
        try:
            await self._send_until(deadline, running, report)
        except asyncio.CancelledError:
            for task in running:
                task.cancel()  # their claims come back after the lease
            raise
        finally:
            # Sends already started end (or, once stopped, hand their messages back).
            results = await asyncio.gather(*running, return_exceptions=True)
            self._add(report)
        for result in results:
            if isinstance(result, Exception):
                raise result
        return report

    async def _send_until(
        self, deadline: float, running: set[asyncio.Task[None]], report: SendReport
    ) -> None:
        """Claim and start sends until the budget ends, nothing is due soon, or we are stopped."""
        last_to_chat: dict[int, asyncio.Task[None]] = {}
        waited = False
        while not self._stopped.is_set() and time.monotonic() < deadline:
            if len(running) > self._low_water:
                await self._settle(running, deadline)
                continue
            claimed = await self._claim()
            if claimed:
                waited = False
                self._start_sends(claimed, running, last_to_chat, report)
            elif running:
                await self._settle(running, deadline)
            # Once: a message still not claimable after the wait is another sender's.
            elif not waited and await self._wait_for_next_due(deadline):
                waited = True
            else:
                break

    async def _claim(self) -> list[OutboxMessage]:
        """The next due messages, taken for a lease once a 429's pause is over."""
        await self._wait_if_paused()
        async with self.db.transaction() as tx:
            return await tx.outbox.claim_due(self.clock(), self._claim_size, self.lease)

    def _start_sends(
        self,
        claimed: list[OutboxMessage],
        running: set[asyncio.Task[None]],
        last_to_chat: dict[int, asyncio.Task[None]],
        report: SendReport,
    ) -> None:
        """One task per group, each after the previous one to the same chat."""
        # Send from a claim only during most of its lease: after that another process
        # may take the rows over, and a late send would be a duplicate.
        valid_until = time.monotonic() + self.lease.total_seconds() * CLAIM_USE
        for group in _grouped(claimed):
            chat = group[0].user_id
            after = last_to_chat.get(chat)
            task = asyncio.create_task(self._delivery.deliver(group, valid_until, after, report))
            running.add(task)
            task.add_done_callback(running.discard)
            last_to_chat[chat] = task

    async def _recheck_held_once(self) -> None:
        """Messages held for quiet hours by an earlier run: the setting in force may differ now."""
        if self._held_rechecked:
            return
        async with self.db.transaction() as tx:
            await tx.outbox.release_held(self.clock())
        self._held_rechecked = True

    async def _settle(self, running: set[asyncio.Task[None]], deadline: float) -> None:
        """Wait until one of the sends ends (or the budget does); a failed send is raised."""
        timeout = max(0.0, deadline - time.monotonic())
        done, _ = await asyncio.wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
        for task in done:
            task.result()

    async def _wait_for_next_due(self, deadline: float) -> bool:
        """Sleep until the next message is due if that is soon; False when there is none."""
        now = self.clock()
        async with self.db.read() as tx:
            due_at = await tx.outbox.next_due_at(now)
        if due_at is None:
            return False
        wait = max(0.0, (due_at - now).total_seconds())
        if wait > WAIT_FOR_DUE_AT_MOST or time.monotonic() + wait > deadline:
            return False
        await sleep_unless_stopped(self._stopped, wait)
        return not self._stopped.is_set()

    async def _wait_if_paused(self) -> None:
        delay = await self._cap.paused_for()
        if delay > 0:
            await asyncio.sleep(delay)

    def _add(self, report: SendReport) -> None:
        for name in SendReport.__slots__:
            setattr(self.report, name, getattr(self.report, name) + getattr(report, name))
