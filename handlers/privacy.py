"""`/forget`: erase everything the bot keeps about the user, after a confirmation."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import ForgetCb
from bot.keyboards import confirm_forget_keyboard
from bot.privacy import erase_user, kept_about
from bot.texts import Texts
from bot.tracking import TrackingService
from handlers.views import edit_or_keep


async def cmd_forget(message: Message, tracking: TrackingService, texts: Texts) -> None:
    assert message.from_user is not None
    kept = await kept_about(tracking, message.from_user.id)
    await message.answer(
        texts("forget-confirm", items=kept.listed + kept.archived, archived=kept.archived),
        reply_markup=confirm_forget_keyboard(texts),
    )


async def on_forget(
    query: CallbackQuery,
    callback_data: ForgetCb,
    tracking: TrackingService,
    texts: Texts,
    state: FSMContext,
) -> None:
    if callback_data.confirmed:
        await erase_user(tracking, query.from_user.id)
        await state.clear()
    if isinstance(query.message, Message):
        await edit_or_keep(
            query.message, texts("forget-done" if callback_data.confirmed else "forget-kept")
        )
    await query.answer()


def build() -> Router:
    router = Router(name="privacy")
    router.message(Command("forget", ignore_case=True))(cmd_forget)
    router.callback_query(ForgetCb.filter())(on_forget)
    return router
