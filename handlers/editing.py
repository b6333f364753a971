"""Changing an item: the rename dialogue and removal (a card's buttons, or `/remove <label>`).

Every button goes through `OwnedItem`, so an item id from another user's card finds nothing.
"""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callbacks import ItemAction, ItemCb
from bot.cards import MAX_TITLE_CHARS, shown
from bot.keyboards import confirm_delete_keyboard
from bot.orders import Orders
from bot.outcomes import ItemView
from bot.texts import Texts
from bot.tracking import TrackingService
from handlers.adding import reply_to_scan
from handlers.filters import ContainsCodes, OwnedItem
from handlers.status import MAX_MATCHES
from handlers.views import edit_or_keep, item_message
from providers.codes import CodeKind, Scan, normalise
from storage.models import User


class Rename(StatesGroup):
    waiting_label = State()


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
    item_id = int((await state.get_data()).get("item_id", 0))
    await state.clear()
    if not await tracking.rename(message.from_user.id, item_id, message.text):
        await message.answer(texts("item-gone"))
        return
    view = await tracking.item(message.from_user.id, item_id)
    if view is not None:
        text, keyboard = item_message(view, texts, tz, tracking.clock())
        await message.answer(f"{texts('rename-done')}\n\n{text}", reply_markup=keyboard)


async def on_command_while_renaming(message: Message, state: FSMContext) -> None:
    """A command ends the rename and is answered as usual, so the next message is read as a
    message again, not as the item's new name."""
    await state.clear()
    raise SkipHandler


def build_dialogue_exit() -> Router:
    """Included before the routers that answer commands, which would leave the rename open."""
    router = Router(name="rename-exit")
    router.message(
        StateFilter(Rename.waiting_label),
        F.text.startswith("/"),
        ~Command("cancel", ignore_case=True),
    )(on_command_while_renaming)
    return router


async def on_code_while_renaming(
    message: Message,
    user: User,
    scan: Scan,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
    orders: Orders,
    state: FSMContext,
) -> None:
    """A track code sent instead of a name: the rename is dropped and the code added, as it
    would be outside the dialogue (an order number can be a name, so it stays one)."""
    if not any(code.kind is not CodeKind.ORDER for code in scan.codes):
        await on_new_label(message, tracking, texts, tz, state)
        return
    await state.clear()
    await reply_to_scan(message, scan, user, tracking, texts, tz, orders, state)


def _named(view: ItemView) -> dict[str, str]:
    """Label and number both: two items labelled alike are told apart by their numbers."""
    label = view.item.subscription.label
    return {"label": escape(label), "code": escape(view.item.shipment.code)}


async def on_delete(query: CallbackQuery, view: ItemView, texts: Texts) -> None:
    if isinstance(query.message, Message):
        await edit_or_keep(
            query.message,
            texts("delete-confirm", **_named(view)),
            confirm_delete_keyboard(view.item.id, texts),
        )
    await query.answer()


async def on_delete_yes(
    query: CallbackQuery, view: ItemView, tracking: TrackingService, texts: Texts
) -> None:
    await tracking.remove(query.from_user.id, view.item.id)
    if isinstance(query.message, Message):
        await edit_or_keep(query.message, texts("delete-done", **_named(view)))
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
    for view in views[:MAX_MATCHES]:
        await message.answer(
            texts("delete-confirm", **_named(view)),
            reply_markup=confirm_delete_keyboard(view.item.id, texts),
        )
    if len(views) > MAX_MATCHES:
        await message.answer(texts("search-more", count=len(views) - MAX_MATCHES))


def build() -> Router:
    router = Router(name="editing")
    router.callback_query(ItemCb.filter(F.action == ItemAction.RENAME), OwnedItem())(on_rename)
    router.message(StateFilter(Rename.waiting_label), Command("cancel", ignore_case=True))(
        on_rename_cancel
    )
    router.message(StateFilter(Rename.waiting_label), ContainsCodes())(on_code_while_renaming)
    router.message(StateFilter(Rename.waiting_label), F.text)(on_new_label)
    router.callback_query(ItemCb.filter(F.action == ItemAction.DELETE), OwnedItem())(on_delete)
    router.callback_query(ItemCb.filter(F.action == ItemAction.DELETE_YES), OwnedItem())(
        on_delete_yes
    )
    router.message(Command("remove", ignore_case=True))(cmd_remove)
    return router
