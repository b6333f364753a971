"""`/start` with its deep-link payloads, and `/help`."""

from __future__ import annotations

import re
from html import escape
from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.menus import faq_menu_keyboard
from bot.orders import Orders
from bot.texts import FAQ_TOPICS, Texts
from bot.tracking import TrackingService
from handlers.adding import reply_to_scan
from handlers.faq import faq_answer
from handlers.inline import START_INLINE
from handlers.orders import reply_order
from providers.bare_numbers import scan_named
from providers.shop_links import read_payload
from storage.models import User

PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


async def cmd_start(
    message: Message,
    user: User,
    command: CommandObject,
    tracking: TrackingService,
    orders: Orders,
    texts: Texts,
    tz: ZoneInfo,
    state: FSMContext,
    shop_name: str,
    link_secret: str | None,
) -> None:
    """Deep links: `add_<code>`, `faq_<topic>`, and the shop's signed `o_<order>_<signature>`."""
    assert message.from_user is not None
    payload = command.args or ""
    kind, _, value = payload.partition("_")
    if not payload or payload == START_INLINE:
        await message.answer(texts("start-welcome", name=_name(message)))
    elif not PAYLOAD_RE.fullmatch(payload) or not value:
        await message.answer(texts("start-bad-link"))
    elif kind == "o" and (number := _signed_order(payload, link_secret)) is not None:
        outcome = await orders.follow_proven(message.from_user.id, number)
        await reply_order(message, number, outcome, tracking, texts, tz)
    elif kind == "add" and ((found := scan_named(value)).codes or found.bad):
        await reply_to_scan(message, found, user, tracking, texts, tz, orders, state)
    elif kind == "faq" and (topic := value.replace("_", "-")) in FAQ_TOPICS:
        text, markup = faq_answer(topic, texts, shop_name)
        await message.answer(text, reply_markup=markup)
    else:
        await message.answer(texts("start-bad-link"))


def _signed_order(payload: str, link_secret: str | None) -> str | None:
    """The order number of a link the shop signed; none without the secret to check it."""
    return read_payload(payload, link_secret) if link_secret else None


async def cmd_help(message: Message, bot: Bot, texts: Texts) -> None:
    """The inline-mode line names this bot, so it can be copied as it stands."""
    me = await bot.me()  # asked of Telegram once, then remembered by aiogram
    handle = f"@{escape(me.username)}" if me.username else texts("help-inline-handle")
    await message.answer(texts("help", bot=handle), reply_markup=faq_menu_keyboard(texts))


def _name(message: Message) -> str:
    return escape(message.from_user.first_name if message.from_user else "")


def build() -> Router:
    router = Router(name="start")
    router.message(CommandStart(ignore_case=True))(cmd_start)
    router.message(Command("help", ignore_case=True))(cmd_help)
    return router
