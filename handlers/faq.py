"""`/faq`: a menu of topics, every status explained, and answers to free-text questions."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import FaqCb
from bot.cards import render_explanation
from bot.menus import faq_back_keyboard, faq_menu_keyboard, faq_statuses_keyboard
from bot.texts import FAQ_TOPICS, Texts
from handlers.views import edit_or_keep
from providers.statuses import Status


def faq_answer(topic: str, texts: Texts, shop: str) -> tuple[str, InlineKeyboardMarkup]:
    shop = escape(shop)  # the operator's SHOP_NAME is text, not HTML
    if topic == "statuses":
        return texts("faq-statuses-body", shop=shop), faq_statuses_keyboard(texts)
    # Each body opens with its own heading.
    return texts(f"faq-{topic}-body", shop=shop), faq_back_keyboard(texts)


async def cmd_faq(message: Message, texts: Texts) -> None:
    await message.answer(texts("faq-menu-title"), reply_markup=faq_menu_keyboard(texts))


async def on_faq(query: CallbackQuery, callback_data: FaqCb, texts: Texts, shop_name: str) -> None:
    if callback_data.topic == "status" and callback_data.status in set(Status):
        text = render_explanation(Status(callback_data.status), texts, shop_name)
        markup = faq_statuses_keyboard(texts)
    elif callback_data.topic in FAQ_TOPICS:
        text, markup = faq_answer(callback_data.topic, texts, shop_name)
    else:
        text, markup = texts("faq-menu-title"), faq_menu_keyboard(texts)
    if isinstance(query.message, Message):
        await edit_or_keep(query.message, text, markup)
    await query.answer()


def build() -> Router:
    router = Router(name="faq")
    router.message(Command("faq", ignore_case=True))(cmd_faq)
    router.callback_query(FaqCb.filter())(on_faq)
    return router
