"""Glue between service results and messages: card text plus the matching keyboard."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message

from bot.cards import Card, render_card
from bot.keyboards import item_keyboard
from bot.outcomes import ItemView
from bot.texts import Texts
from providers.statuses import CATALOGUE


def card_of(view: ItemView) -> Card:
    sub = view.item.subscription
    return Card.of(view.item.shipment, view.last_event, sub.label, sub.muted)


def item_message(
    view: ItemView, texts: Texts, tz: ZoneInfo, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    text = render_card(card_of(view), texts, tz, now)
    sub = view.item.subscription
    finished = CATALOGUE[view.item.shipment.status].final
    keyboard = item_keyboard(sub.id, sub.muted, texts, finished=finished, archived=sub.archived)
    return text, keyboard


async def edit_or_keep(
    message: Message, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit a message; Telegram's 'not modified' is a success here, not an error."""
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "message is not modified" not in exc.message:
            raise
