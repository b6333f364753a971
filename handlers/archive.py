"""`/archive` and the card's archive buttons: finished items out of the list and back."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.archive import Archive
from bot.callbacks import ArchivePageCb, ItemAction, ItemCb
from bot.outcomes import ItemView
from bot.texts import Texts
from bot.tracking import TrackingService
from handlers.filters import OwnedItem
from handlers.views import PER_PAGE, edit_or_keep, existing_page, item_message, render_list


async def archive_page(
    user_id: int, page: int, archive: Archive, texts: Texts
) -> tuple[str, InlineKeyboardMarkup | None]:
    page, views, total = await existing_page(
        lambda number: archive.page(user_id, number, PER_PAGE), page
    )
    return render_list(views, total, page, texts, archived=True)


async def cmd_archive(message: Message, archive: Archive, texts: Texts) -> None:
    assert message.from_user is not None
    text, keyboard = await archive_page(message.from_user.id, 0, archive, texts)
    await message.answer(text, reply_markup=keyboard)


async def on_archive_page(
    query: CallbackQuery, callback_data: ArchivePageCb, archive: Archive, texts: Texts
) -> None:
    text, keyboard = await archive_page(query.from_user.id, callback_data.page, archive, texts)
    if isinstance(query.message, Message):
        await edit_or_keep(query.message, text, keyboard)
    await query.answer()


async def on_archive_button(
    query: CallbackQuery,
    callback_data: ItemCb,
    view: ItemView,
    archive: Archive,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
) -> None:
    """Only a finished item goes to the archive; the button is shown for no other, so data
    saying otherwise is stale or forged and changes nothing."""
    archiving = callback_data.action is ItemAction.ARCHIVE
    move = archive.put if archiving else archive.take_out
    moved = await move(query.from_user.id, view.item.id)
    if moved is None:
        refusal = "archive-not-finished" if archiving else "item-gone"
        await query.answer(texts(refusal), show_alert=True)
        return
    if isinstance(query.message, Message):
        text, keyboard = item_message(moved, texts, tz, tracking.clock())
        await edit_or_keep(query.message, text, keyboard)
    await query.answer(texts("archive-done" if archiving else "unarchive-done"))


def build() -> Router:
    router = Router(name="archive")
    router.message(Command("archive", ignore_case=True))(cmd_archive)
    router.callback_query(ArchivePageCb.filter())(on_archive_page)
    router.callback_query(
        ItemCb.filter(F.action.in_({ItemAction.ARCHIVE, ItemAction.UNARCHIVE})), OwnedItem()
    )(on_archive_button)
    return router
