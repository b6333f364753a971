"""The user's items: `/list` with pages, and every button of a status card."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.archive import Archive
from bot.callbacks import ItemAction, ItemCb, PageCb
from bot.cards import MAX_TITLE_CHARS, render_explanation, render_history, shown
from bot.keyboards import back_keyboard, confirm_delete_keyboard
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
from providers.codes import normalise


class Rename(StatesGroup):
    waiting_label = State()


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
    else:
        await query.answer(texts("refresh-done"))


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


async def on_rename(query: CallbackQuery, view: ItemView, texts: Texts, state: FSMContext) -> None:
    await state.set_state(Rename.waiting_label)
    await state.update_data(item_id=view.item.id)
    if isinstance(query.message, Message):
        await query.message.answer(texts("rename-prompt", title=escape(view.item.title)))
    await query.answer()


async def on_rename_cancel(message: Message, texts: Texts, state: FSMContext) -> None:
    await state.clear()
    await message.answer(texts("rename-cancelled"))


async def on_new_label(
    message: Message, tracking: TrackingService, texts: Texts, tz: ZoneInfo, state: FSMContext
) -> None:
    assert message.from_user is not None and message.text is not None
    if message.text.startswith("/"):
        await state.clear()
        await message.answer(texts("rename-cancelled"))
        return
    item_id = int((await state.get_data()).get("item_id", 0))
    await state.clear()
    if not await tracking.rename(message.from_user.id, item_id, message.text):
        await message.answer(texts("item-gone"))
        return
    view = await tracking.item(message.from_user.id, item_id)
    if view is not None:
        text, keyboard = item_message(view, texts, tz, tracking.clock())
        await message.answer(f"{texts('rename-done')}\n\n{text}", reply_markup=keyboard)


async def on_delete(query: CallbackQuery, view: ItemView, texts: Texts) -> None:
    if isinstance(query.message, Message):
        await edit_or_keep(
            query.message,
            texts("delete-confirm", title=escape(view.item.title)),
            confirm_delete_keyboard(view.item.id, texts),
        )
    await query.answer()


async def on_delete_yes(
    query: CallbackQuery, view: ItemView, tracking: TrackingService, texts: Texts
) -> None:
    await tracking.remove(query.from_user.id, view.item.id)
    if isinstance(query.message, Message):
        await edit_or_keep(query.message, texts("delete-done", title=escape(view.item.title)))
    await query.answer()


async def cmd_remove(
    message: Message, command: CommandObject, tracking: TrackingService, texts: Texts
) -> None:
    assert message.from_user is not None
    query = (command.args or "").strip()
    if not query:
        await message.answer(texts("remove-usage"))
        return
    views = await tracking.find(message.from_user.id, query)
    if not views:
        views = await tracking.find(message.from_user.id, normalise(query))
    if not views:
        await message.answer(texts("status-not-found", query=shown(query, MAX_TITLE_CHARS)))
        return
    for view in views[:5]:
        await message.answer(
            texts("delete-confirm", title=escape(view.item.title)),
            reply_markup=confirm_delete_keyboard(view.item.id, texts),
        )


def build() -> Router:
    router = Router(name="items")
    router.message(Command("list"))(cmd_list)
    router.callback_query(PageCb.filter())(on_page)
    router.callback_query(ItemCb.filter(F.action == ItemAction.OPEN), OwnedItem())(on_open)
    router.callback_query(ItemCb.filter(F.action == ItemAction.BACK), OwnedItem())(on_back)
    router.callback_query(ItemCb.filter(F.action == ItemAction.REFRESH), OwnedItem())(on_refresh)
    router.callback_query(ItemCb.filter(F.action == ItemAction.HISTORY), OwnedItem())(on_history)
    router.callback_query(ItemCb.filter(F.action == ItemAction.EXPLAIN), OwnedItem())(on_explain)
    router.callback_query(
        ItemCb.filter(F.action.in_({ItemAction.MUTE, ItemAction.UNMUTE})), OwnedItem()
    )(on_mute)
    router.callback_query(ItemCb.filter(F.action == ItemAction.RENAME), OwnedItem())(on_rename)
    router.message(StateFilter(Rename.waiting_label), Command("cancel"))(on_rename_cancel)
    router.message(StateFilter(Rename.waiting_label), F.text)(on_new_label)
    router.callback_query(ItemCb.filter(F.action == ItemAction.DELETE), OwnedItem())(on_delete)
    router.callback_query(ItemCb.filter(F.action == ItemAction.DELETE_YES), OwnedItem())(
        on_delete_yes
    )
    router.message(Command("remove"))(cmd_remove)
    return router
