"""`/status`: every active item at a glance, or the full card of the ones a query names."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.archive import Archive
from bot.cards import MAX_TITLE_CHARS, shown
from bot.texts import Texts
from bot.tracking import TrackingService
from handlers.views import PER_PAGE, item_message, render_list
from providers.codes import normalise

MAX_MATCHES = 5


async def cmd_status(
    message: Message,
    command: CommandObject,
    tracking: TrackingService,
    archive: Archive,
    texts: Texts,
    tz: ZoneInfo,
) -> None:
    assert message.from_user is not None
    user_id = message.from_user.id
    if not command.args:
        views, total = await tracking.page(user_id, 0, PER_PAGE)
        if total == 1:
            text, keyboard = item_message(views[0], texts, tz, tracking.clock())
            await message.answer(text, reply_markup=keyboard)
            return
        # An empty list says where the finished items went; a full one is the overview.
        archived = await archive.count(user_id) if total == 0 else 0
        text, markup = render_list(views, total, 0, texts, archived_count=archived)
        await message.answer(text, reply_markup=markup)
        return
    query = command.args.strip()
    views = await tracking.find(user_id, query)
    if not views and normalise(query) != query:
        views = await tracking.find(user_id, normalise(query))
    if not views:
        await message.answer(texts("status-not-found", query=shown(query, MAX_TITLE_CHARS)))
        return
    for view in views[:MAX_MATCHES]:
        text, keyboard = item_message(view, texts, tz, tracking.clock())
        await message.answer(text, reply_markup=keyboard)
    if len(views) > MAX_MATCHES:
        await message.answer(texts("search-more", count=len(views) - MAX_MATCHES))


def build() -> Router:
    router = Router(name="status")
    router.message(Command("status", ignore_case=True))(cmd_status)
    return router
