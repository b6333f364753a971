"""Updates being handled right now, so that a stop lets them finish before sessions close.

Long polling stops taking updates on SIGTERM but leaves the handlers it started running; the
runner waits here (bounded) before the database and HTTP clients close under them. The webhook
server has its own grace for the same purpose (`bot.web`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.types import TelegramObject

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
WORKFLOW_KEY = "in_flight"


class InFlightUpdates(BaseMiddleware):
    """An outer middleware counting the updates inside it."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def count(self) -> int:
        return self._count

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        self._count += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._count -= 1
            if not self._count:
                self._idle.set()

    @classmethod
    def of(cls, dispatcher: Dispatcher) -> InFlightUpdates:
        """The counter `install` gave this dispatcher."""
        counter = dispatcher[WORKFLOW_KEY]
        assert isinstance(counter, cls)
        return counter

    @classmethod
    def install(cls, dispatcher: Dispatcher) -> None:
        """Outermost of the update middlewares, so the count covers everything an update does."""
        counter = cls()
        dispatcher.update.outer_middleware(counter)
        dispatcher[WORKFLOW_KEY] = counter

    async def drained(self, grace_seconds: float) -> bool:
        """Wait until no update is being handled, at most `grace_seconds`; True if none is."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace_seconds)
        return not self._count
