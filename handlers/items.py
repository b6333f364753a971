"""The user's items: `/list` with pages, and the status card's buttons that show or refresh.

Renaming and removing an item are `handlers.editing`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.archive import Archive
from bot.callbacks import ItemAction, ItemCb, PageCb
from bot.cards import render_explanation, render_history
from bot.keyboards import back_keyboard
from bot.outcomes import ItemView, RefreshState
from bot.texts import Texts
from bot.tracking import TrackingService
from handlers.filters import OwnedItem
from handlers.views import (
    PER_PAGE,
    card_of,
    edit_or_keep,
    existing_page,
    item_message,
    render_list,
)


async def list_page(
    user_id: int, page: int, tracking: TrackingService, archive: Archive, texts: Texts
) -> tuple[str, InlineKeyboardMarkup | None]:
    page, views, total = await existing_page(
        lambda number: tracking.page(user_id, number, PER_PAGE), page
    )
    return render_list(views, total, page, texts, archived_count=await archive.count(user_id))


async def cmd_list(
    message: Message, tracking: TrackingService, archive: Archive, texts: Texts
) -> None:
    assert message.from_user is not None
    text, keyboard = await list_page(message.from_user.id, 0, tracking, archive, texts)
    await message.answer(text, reply_markup=keyboard)


async def on_page(
    query: CallbackQuery,
    callback_data: PageCb,
    tracking: TrackingService,
    archive: Archive,
    texts: Texts,
) -> None:
    text, keyboard = await list_page(
        query.from_user.id, callback_data.page, tracking, archive, texts
    )
    if isinstance(query.message, Message):
        await edit_or_keep(query.message, text, keyboard)
    await query.answer()


async def show_card(
    query: CallbackQuery, view: ItemView, tracking: TrackingService, texts: Texts, tz: ZoneInfo
) -> None:
    text, keyboard = item_message(view, texts, tz, tracking.clock())
    if not isinstance(query.message, Message):
        return
    await edit_or_keep(query.message, text, keyboard)


async def on_open(
    query: CallbackQuery, view: ItemView, tracking: TrackingService, texts: Texts, tz: ZoneInfo
) -> None:
    text, keyboard = item_message(view, texts, tz, tracking.clock())
    if isinstance(query.message, Message):
        await query.message.answer(text, reply_markup=keyboard)
    await query.answer()


async def on_back(
    query: CallbackQuery, view: ItemView, tracking: TrackingService, texts: Texts, tz: ZoneInfo
) -> None:
    await show_card(query, view, tracking, texts, tz)
    await query.answer()


async def on_refresh(
    query: CallbackQuery, view: ItemView, tracking: TrackingService, texts: Texts, tz: ZoneInfo
) -> None:
    outcome = await tracking.refresh(query.from_user.id, view.item.id)
    if outcome is None:
        await query.answer(texts("item-gone"), show_alert=True)
        return
    await show_card(query, outcome.view, tracking, texts, tz)
    if outcome.state is RefreshState.TOO_SOON:
        await query.answer(texts("refresh-too-soon", seconds=outcome.wait_seconds))
    elif outcome.state is RefreshState.SOURCE_DOWN:
        await query.answer(texts("refresh-source-down"), show_alert=True)
    elif _news(view, outcome.view):
        await query.answer(texts("refresh-done"))
    else:
        await query.answer(texts("refresh-nothing-new"))


def _news(before: ItemView, after: ItemView) -> bool:
    """A new event or status since the card was drawn, or the first answer the source gave:
    otherwise "updated" would promise more than there is."""
    old, new = before.last_event, after.last_event
    if (old.id if old else None) != (new.id if new else None):
        return True
    was, now = before.item.shipment, after.item.shipment
    return was.status is not now.status or (was.checked_at is None and now.checked_at is not None)


async def on_history(
    query: CallbackQuery, view: ItemView, tracking: TrackingService, texts: Texts, tz: ZoneInfo
) -> None:
    events = await tracking.history(query.from_user.id, view.item.id) or []
    text = render_history(card_of(view), events, texts, tz, tracking.clock())
    if isinstance(query.message, Message):
        await query.message.answer(text, reply_markup=back_keyboard(view.item.id, texts))
    await query.answer()


async def on_explain(query: CallbackQuery, view: ItemView, texts: Texts, shop_name: str) -> None:
    text = render_explanation(view.item.shipment.status, texts, shop_name, view.item.title)
    if isinstance(query.message, Message):
        await query.message.answer(text, reply_markup=back_keyboard(view.item.id, texts))
    await query.answer()


async def on_mute(
    query: CallbackQuery,
    callback_data: ItemCb,
    view: ItemView,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
) -> None:
    muted = callback_data.action is ItemAction.MUTE
    fresh = await tracking.set_muted(query.from_user.id, view.item.id, muted)
    if fresh is not None:
        await show_card(query, fresh, tracking, texts, tz)
    await query.answer(texts("muted-on" if muted else "muted-off"))


def build() -> Router:
    router = Router(name="items")
    router.message(Command("list", ignore_case=True))(cmd_list)
    router.callback_query(PageCb.filter())(on_page)
    router.callback_query(ItemCb.filter(F.action == ItemAction.OPEN), OwnedItem())(on_open)
    router.callback_query(ItemCb.filter(F.action == ItemAction.BACK), OwnedItem())(on_back)
    router.callback_query(ItemCb.filter(F.action == ItemAction.REFRESH), OwnedItem())(on_refresh)
    router.callback_query(ItemCb.filter(F.action == ItemAction.HISTORY), OwnedItem())(on_history)
    router.callback_query(ItemCb.filter(F.action == ItemAction.EXPLAIN), OwnedItem())(on_explain)
    router.callback_query(
        ItemCb.filter(F.action.in_({ItemAction.MUTE, ItemAction.UNMUTE})), OwnedItem()
    )(on_mute)
    return router
