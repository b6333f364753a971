"""Per-update context: who is talking, in which language and time zone.

One outer middleware loads (or creates) the user once per update and hands handlers `user`,
`texts` and `tz` by name, so no handler looks these up itself. What is said in a group gets
`texts` and `tz` from Telegram's word alone: no row is made for a member of a group.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject, Update
from aiogram.types import User as TgUser

from bot.texts import Catalogue
from bot.tracking import TrackingService

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UserContext(BaseMiddleware):
    def __init__(
        self, tracking: TrackingService, catalogue: Catalogue, default_timezone: str
    ) -> None:
        self._tracking = tracking
        self._catalogue = catalogue
        self._default_tz = ZoneInfo(default_timezone)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        if tg_user is None or tg_user.is_bot:
            # A channel post, or a group's anonymous admin (@GroupAnonymousBot): nobody to store,
            # yet the group handlers still answer, in the bot's default language.
            data["texts"] = self._catalogue.for_language(None)
            data["tz"] = self._default_tz
            return await handler(event, data)
        if _in_a_group(event, data):
            # A group's member is not the bot's user until they talk to it: nothing is stored.
            data["texts"] = self._catalogue.for_language(tg_user.language_code)
            data["tz"] = self._default_tz
            return await handler(event, data)
        user = await self._tracking.seen_user(tg_user.id, tg_user.language_code)
        data["user"] = user
        data["texts"] = self._catalogue.for_language(user.language or user.tg_language)
        data["tz"] = ZoneInfo(user.timezone) if user.timezone else self._default_tz
        return await handler(event, data)


def _in_a_group(event: TelegramObject, data: dict[str, Any]) -> bool:
    """Said in a group or channel; a button pressed there still comes from a user of the bot."""
    chat: Chat | None = data.get("event_chat")
    if chat is None or chat.type == ChatType.PRIVATE:
        return False
    return not (isinstance(event, Update) and event.callback_query is not None)
