"""Each Telegram update is handled once, even when a webhook delivery is repeated or reaches
two processes behind a load balancer: the update id is recorded in the database first."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from providers.clock import Clock
from storage import Database

log = logging.getLogger(__name__)

KEEP = timedelta(days=2)
PURGE_EVERY = 1000

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdateOnce(BaseMiddleware):
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._seen = 0

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        now = self._clock()
        async with self._db.transaction() as tx:
            first = await tx.receipts.remember(f"update:{event.update_id}", now)
            self._seen += 1
            if self._seen % PURGE_EVERY == 0:
                await tx.receipts.forget_before(now - KEEP)
        if not first:
            log.info("update %d delivered again; already handled", event.update_id)
            return None
        return await handler(event, data)
