"""Groups and channels: a user's list lives in the private chat, so it is never shown to a group.

A command addressed to the bot in a group gets one line that points to the private chat (and to
inline mode, which is how a status is shown in a group); anything else said there is left alone,
so the bot neither answers a group's chatter nor follows codes that members mention.
"""

from __future__ import annotations

import re

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import Message

from bot.menus import open_bot_keyboard
from bot.texts import Texts

ANY_COMMAND = Command(re.compile(r".+"))  # any name, and only if addressed to this bot


async def on_group_command(message: Message, bot: Bot, texts: Texts) -> None:
    me = await bot.me()
    if not me.username:
        return
    await message.reply(
        texts("group-private-only", bot=f"@{me.username}"),
        reply_markup=open_bot_keyboard(me.username, texts),
    )


async def ignore(message: Message) -> None:
    """Said in a group and not to the bot: not the bot's business."""


def build() -> Router:
    router = Router(name="groups")
    router.message.filter(F.chat.type != ChatType.PRIVATE)
    router.message(ANY_COMMAND)(on_group_command)
    router.message()(ignore)
    return router
