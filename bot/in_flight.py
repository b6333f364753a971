"""A dispatcher that knows which updates it is handling, so that a stop lets them finish.

Long polling stops taking updates on SIGTERM but leaves the handlers it started running, and
its shutdown hooks (the FSM storage's close first) run at once; then the runner closes the
database and the HTTP clients. Counting in `feed_update`, the one entry of every update in both
modes, covers everything aiogram's own middlewares do for it too (the error handler's reply
included), and the shutdown hooks wait for those updates first, for a bounded time. Updates
are counted for the metrics there too, so one lost inside aiogram's dialogue-state middleware
(Redis out of reach) counts as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.metrics import Metrics

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 2.5  # what updates in flight get at a stop, in either mode


class GracefulDispatcher(Dispatcher):
    def __init__(self, *, update_metrics: Metrics | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._metrics = update_metrics
        self._handling = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def handling(self) -> int:
        return self._handling

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        if self._metrics is not None and update.event_type:
            self._metrics.updates.labels(update.event_type).inc()
        self._handling += 1
        self._idle.clear()
        try:
            return await super().feed_update(bot, update, **kwargs)
        finally:
            self._handling -= 1
            if not self._handling:
                self._idle.set()

    async def emit_shutdown(self, *args: Any, **kwargs: Any) -> None:
        if not await self.drained(SHUTDOWN_GRACE_SECONDS):
            log.warning("shutting down with %d updates still being handled", self._handling)
        await super().emit_shutdown(*args, **kwargs)

    async def drained(self, grace_seconds: float) -> bool:
        """Wait until no update is being handled, at most `grace_seconds`; True if none is."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace_seconds)
        return not self._handling
