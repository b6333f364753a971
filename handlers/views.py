"""Glue between service results and messages: a card or a page of the list, with its keyboard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message

from bot.cards import Card, render_card, render_list_line
from bot.keyboards import item_keyboard, list_keyboard
from bot.outcomes import ItemView
from bot.texts import Texts


def card_of(view: ItemView) -> Card:
    sub = view.item.subscription
    return Card.of(view.item.shipment, view.last_event, sub.label, sub.muted)


def item_message(
    view: ItemView, texts: Texts, tz: ZoneInfo, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    text = render_card(card_of(view), texts, tz, now)
    sub = view.item.subscription
    status = view.item.shipment.status
    keyboard = item_keyboard(sub.id, status, sub.muted, texts, archived=sub.archived)
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


PER_PAGE = 10

PageOf = Callable[[int], Awaitable[tuple[list[ItemView], int]]]


async def existing_page(page_of: PageOf, page: int) -> tuple[int, list[ItemView], int]:
    """The page asked for, or the last one when that is past the end (a button from before
    items went, or forged data)."""
    page = max(0, page)
    views, total = await page_of(page)
    if not views and total and page > 0:
        page = (total - 1) // PER_PAGE
        views, total = await page_of(page)
    return page, views, total


def render_list(
    views: Sequence[ItemView],
    total: int,
    page: int,
    texts: Texts,
    *,
    archived: bool = False,
    archived_count: int = 0,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of the list (or, `archived`, of the archive); the list mentions the archive."""
    footer = texts("list-archived", count=archived_count) if archived_count else ""
    if total == 0:
        empty = texts("archive-empty" if archived else "list-empty")
        return "\n\n".join(filter(None, (empty, footer))), None
    pages = (total + PER_PAGE - 1) // PER_PAGE
    title = "archive-title" if archived else "list-title"
    lines = [texts(title, count=total, page=page + 1, pages=pages), ""]
    first = page * PER_PAGE + 1
    lines += [render_list_line(first + i, card_of(v), texts) for i, v in enumerate(views)]
    if footer:
        lines += ["", footer]
    ids = [(v.item.id, v.item.title) for v in views]
    keyboard = list_keyboard(ids, page, pages, texts, archived=archived, first=first)
    return "\n".join(lines), keyboard
