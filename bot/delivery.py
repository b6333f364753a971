"""One group of outbox messages to one chat: checked, rendered, sent, and settled.

The sender (`bot/sender.py`) decides what to claim and when; this decides, for each group it
hands over, whether it still goes out (the user is active, the item is there, quiet hours),
sends it through the shared cap and settles every outcome in the outbox: sent, deferred,
retried, dropped or refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup

from bot.alerts import AlertContext, is_urgent, load_context, render
from bot.logs import scrub
from bot.metrics import Metrics
from bot.outbox_ledger import OutboxLedger, SendReport
from bot.send_cap import SendCap
from bot.settings_service import SettingsService
from bot.texts import Catalogue
from providers.clock import Clock
from storage import Database
from storage.models import OutboxMessage, User

log = logging.getLogger(__name__)

QUIET_RECHECK = timedelta(minutes=5)  # held messages look at the quiet-hours setting again


async def sleep_unless_stopped(stopped: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when the sender is stopped."""
    if seconds <= 0:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopped.wait(), seconds)


@dataclass(frozen=True, slots=True)
class Outlet:
    """What a message goes out through: the store, the Telegram client, its cap, the texts."""

    db: Database
    bot: Bot
    catalogue: Catalogue
    preferences: SettingsService
    clock: Clock
    cap: SendCap
    metrics: Metrics = field(default_factory=Metrics)
    shop_name: str = ""


class Delivery:
    def __init__(
        self, outlet: Outlet, ledger: OutboxLedger, stopped: asyncio.Event, concurrency: int
    ) -> None:
        self.db = outlet.db
        self.bot = outlet.bot
        self.catalogue = outlet.catalogue
        self.preferences = outlet.preferences
        self.clock = outlet.clock
        self.shop_name = outlet.shop_name
        self.metrics = outlet.metrics
        self._cap = outlet.cap
        self._ledger = ledger
        self._stopped = stopped
        self._slots = asyncio.Semaphore(concurrency)

    async def deliver(
        self,
        group: list[OutboxMessage],
        valid_until: float,
        after: asyncio.Task[None] | None,
        report: SendReport,
    ) -> None:
        if after is not None:
            await asyncio.wait([after])  # the chat's previous message first (its error is its own)
        await sleep_unless_stopped(self._stopped, self._cap.chat_wait(group[0].user_id))
        # A few at a time: a hundred deliveries reading at once would delay the first send.
        async with self._slots:
            if self._stopped.is_set():
                await self._ledger.release(group)  # not started: back to the queue, as it was
                return
            await self._deliver_one(group, valid_until, report)

    async def _deliver_one(
        self, group: list[OutboxMessage], valid_until: float, report: SendReport
    ) -> None:
        first = group[0]
        async with self.db.read() as tx:
            user = await tx.users.get(first.user_id)
        context = await load_context(self.db, group)
        if user is None or not user.active or context is None:
            await self._ledger.finish(group, sent=False, error="nothing to send")
            report.dropped += len(group)
            return
        now = self.clock()
        held_until = self.preferences.quiet_until(user, now)
        if held_until is not None and not is_urgent(first.kind, context):
            await self._ledger.defer(group, min(held_until - now, QUIET_RECHECK))
            report.deferred += len(group)
            return
        await self._send(user, group, context, valid_until, report)

    async def _send(
        self,
        user: User,
        group: list[OutboxMessage],
        context: AlertContext,
        valid_until: float,
        report: SendReport,
    ) -> None:
        texts = self.catalogue.for_language(user.language or user.tg_language)
        tz = self.preferences.timezone(user)
        text, keyboard = render(group[0].kind, context, texts, tz, self.clock(), self.shop_name)
        await self._cap.acquire_global()
        if self._stopped.is_set() or time.monotonic() > valid_until:
            await self._ledger.release(group)
            return
        wait = await self._cap.reserve_chat(user.id)  # stamped when it really goes out
        if wait > 0:
            await self._ledger.defer(group, timedelta(seconds=wait))
            report.throttled += len(group)
            return
        await self._post(user, group, text, keyboard, report)

    async def _post(
        self,
        user: User,
        group: list[OutboxMessage],
        text: str,
        keyboard: InlineKeyboardMarkup,
        report: SendReport,
    ) -> None:
        """One send to Telegram; each kind of refusal settles the messages its own way."""
        try:
            await self.bot.send_message(user.id, text, reply_markup=keyboard)
        except TelegramRetryAfter as exc:
            self.metrics.telegram_429.inc()
            self._cap.release_chat(user.id)  # nothing was delivered
            await self._pause(exc.retry_after)
            await self._ledger.defer(group, timedelta(seconds=exc.retry_after))
            report.throttled += len(group)
            return
        except TelegramForbiddenError:
            await self._ledger.deactivate(user.id)
            report.dropped += len(group)
            return
        except TelegramBadRequest as exc:
            log.error("message %d refused by Telegram: %s", group[0].id, exc.message)
            await self._ledger.finish(group, sent=False, error=exc.message)
            report.failed += len(group)
            return
        except (TelegramNetworkError, TelegramServerError) as exc:
            await self._ledger.retry(group, scrub(str(exc)), report)
            return
        await self._ledger.finish(group, sent=True)
        report.sent += len(group)

    async def _pause(self, seconds: float) -> None:
        await self._cap.pause(seconds)
        log.warning("Telegram asked to slow down: pausing all sends for %.1f s", seconds)
