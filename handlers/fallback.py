"""Last in line: free-text questions answered from the FAQ, anything else gets a gentle hint.

Also answers buttons nobody else claimed (an old version, a forged payload) instead of leaving
the user's spinner turning.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.callbacks import ItemCb
from bot.faq_match import faq_topic_for, is_question, small_talk_for
from bot.menus import faq_menu_keyboard
from bot.texts import Texts
from bot.tracking import TrackingService
from handlers.faq import faq_answer

# Topics a question about one's own parcels leads to: the answer ends with a pointer to them.
ABOUT_ONES_PARCELS = frozenset(("not-tracked", "arrival", "stalled", "customs", "pickup"))


async def on_nothing_to_cancel(message: Message, texts: Texts) -> None:
    """/cancel with no dialogue open: the dialogues name it, so it is a known command."""
    await message.answer(texts("cancel-nothing"))


async def on_unknown_command(message: Message, texts: Texts) -> None:
    await message.answer(texts("unknown-command"))


async def on_text(
    message: Message, texts: Texts, shop_name: str, tracking: TrackingService
) -> None:
    said = message.text or ""
    topic = faq_topic_for(said, texts)
    if topic is None:
        if talk := small_talk_for(said, texts):
            await message.answer(texts(f"fallback-{talk}"))
        elif is_question(said, texts):
            await message.answer(texts("fallback-question"), reply_markup=faq_menu_keyboard(texts))
        else:
            await message.answer(texts("fallback-hint"))
        return
    text, markup = faq_answer(topic, texts, shop_name)
    if message.from_user is not None and topic in ABOUT_ONES_PARCELS:
        # "Where is my parcel?": their statuses are one tap away, or the way to add one is said.
        _, followed = await tracking.page(message.from_user.id, 0, 1)
        pointer = texts("faq-your-items", count=followed) if followed else texts("faq-no-items")
        text += "\n\n" + pointer
    await message.answer(text, reply_markup=markup)


async def on_other_content(message: Message, texts: Texts) -> None:
    await message.answer(texts("fallback-not-text"))


async def on_item_gone(query: CallbackQuery, texts: Texts) -> None:
    """An item button `OwnedItem` refused: removed since, or never the presser's."""
    await query.answer(texts("item-gone"), show_alert=True)


async def on_stale_button(query: CallbackQuery, texts: Texts) -> None:
    await query.answer(texts("button-outdated"), show_alert=True)


def build() -> Router:
    router = Router(name="fallback")
    router.message(Command("cancel", ignore_case=True))(on_nothing_to_cancel)
    router.message(F.text.startswith("/"))(on_unknown_command)
    router.message(F.text)(on_text)
    router.message()(on_other_content)
    router.callback_query(ItemCb.filter())(on_item_gone)
    router.callback_query()(on_stale_button)
    return router
