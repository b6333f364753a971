"""Per-update context: who is talking, in which language and time zone.

One outer middleware loads (or creates) the user once per update and hands handlers `user`,
`texts` and `tz` by name, so no handler looks these up itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiogram.types import User as TgUser

from bot.texts import Catalogue
from bot.tracking import TrackingService

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UserContext(BaseMiddleware):
    def __init__(
        self, tracking: TrackingService, catalogue: Catalogue, default_timezone: str
    ) -> None:
        self._metrics = tracking.metrics
        self._tracking = tracking
        self._catalogue = catalogue
        self._default_tz = ZoneInfo(default_timezone)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update) and event.event_type:
            self._metrics.updates.labels(event.event_type).inc()
        tg_user: TgUser | None = data.get("event_from_user")
        if tg_user is None or tg_user.is_bot:
            return await handler(event, data)
        user = await self._tracking.seen_user(tg_user.id, tg_user.language_code)
        data["user"] = user
        data["texts"] = self._catalogue.for_language(user.language or user.tg_language)
        data["tz"] = ZoneInfo(user.timezone) if user.timezone else self._default_tz
        return await handler(event, data)
