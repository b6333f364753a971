"""Telegram's webhook deliveries: checked, claimed in the database, handled, then answered.

Telegram re-delivers an update it got no 2xx answer for, and behind a load balancer a repeat
may reach any process. So each update is answered only once handled: a process that dies (or
stops) mid-way leaves the update to Telegram's next delivery, which the lapsed claim lets
another process take, while a repeat of an update handled already is skipped and one being
handled elsewhere is asked to come back later (503). So is one that failed because Redis or the
database was out of reach: its next delivery finds them back, and the user repeats nothing.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.logs import OneLinePerInterval
from bot.outages import unreachable_store
from providers.clock import Clock
from storage import ClaimOutcome, Database, StorageError

log = logging.getLogger(__name__)
outage_log = logging.getLogger(f"{__name__}.outage")
outage_log.addFilter(OneLinePerInterval())

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LEASE = timedelta(minutes=2)  # beyond the minute Telegram waits for an answer
KEEP = timedelta(days=2)  # Telegram gives up re-delivering within a day
PURGE_EVERY = 1000
RETRY_AFTER_SECONDS = "5"


class UpdateClaims:
    """Who handles which update, recorded in the database every process shares."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._taken = 0

    async def take(self, update_id: int) -> tuple[ClaimOutcome, datetime]:
        now = self._clock()
        until = now + LEASE
        async with self._db.transaction() as tx:
            outcome = await tx.update_claims.take(update_id, now, until)
            self._taken += 1
            if self._taken % PURGE_EVERY == 0:
                await tx.update_claims.forget_before(now - KEEP)
        return outcome, until

    async def settle(self, update_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.update_claims.settle(update_id, self._clock())

    async def release(self, update_id: int, until: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.update_claims.release(update_id, until)


class TelegramWebhook:
    """The aiohttp handler of the webhook path."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        claims: UpdateClaims,
        secret: str | None,
        data: dict[str, Any],
    ) -> None:
        self._dispatcher = dispatcher
        self._bot = bot
        self._claims = claims
        self._secret = secret
        self._data = data

    async def handle(self, request: web.Request) -> web.Response:
        # Compared as bytes: compare_digest refuses a str with a non-ASCII character.
        if self._secret is not None and not secrets.compare_digest(
            request.headers.get(SECRET_HEADER, "").encode(), self._secret.encode()
        ):
            return web.Response(status=401, text="Unauthorized")
        try:
            update = Update.model_validate(await request.json(), context={"bot": self._bot})
        except (ValueError, ValidationError):
            return web.Response(status=400, text="Bad Request: not a Telegram update")
        try:
            return await self._handle_once(update)
        except Exception as exc:
            store = unreachable_store(exc)
            if store is None and not isinstance(exc, StorageError):
                raise
            _log_sent_back(update.update_id, exc, store)
            return _come_back_later()

    async def _handle_once(self, update: Update) -> web.Response:
        outcome, until = await self._claims.take(update.update_id)
        if outcome is ClaimOutcome.HANDLED:
            log.info("update %d delivered again; already handled", update.update_id)
            return web.json_response({})
        if outcome is ClaimOutcome.BUSY:
            log.info("update %d is being handled by another process", update.update_id)
            return _come_back_later()
        try:
            await self._dispatcher.feed_update(
                self._bot, update, **self._data, telegram_redelivers=True
            )
        except BaseException:
            # Stopped or failed half-way: the update goes to Telegram's next delivery.
            await self._claims.release(update.update_id, until)
            raise
        await self._claims.settle(update.update_id)
        return web.json_response({})


def _log_sent_back(update_id: int, exc: Exception, store: str | None) -> None:
    """An outage gets one warning every few minutes however many updates it sends back."""
    if store is not None:
        outage_log.warning("updates go back to Telegram: %s is out of reach", store)
    level = logging.WARNING if store is None else logging.INFO
    log.log(level, "update %d not handled; Telegram repeats it: %s", update_id, exc)


def _come_back_later() -> web.Response:
    return web.Response(status=503, headers={"Retry-After": RETRY_AFTER_SECONDS})
