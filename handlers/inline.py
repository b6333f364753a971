"""Inline mode: `@bot CODE` shows that parcel's card in any chat; an empty query lists yours."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.types import (
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
)

from bot.cards import Card, render_card, status_label
from bot.texts import Texts
from bot.tracking import TrackingService
from handlers.views import card_of
from providers.code_scan import scan
from providers.codes import CodeKind, Scan

MAX_RESULTS = 20
CACHE_SECONDS = 30
START_INLINE = "inline"  # the /start payload of "open the bot" when nothing was found


def article(
    result_id: str, card: Card, texts: Texts, tz: ZoneInfo, now: datetime
) -> InlineQueryResultArticle:
    text = render_card(card, texts, tz, now)
    return InlineQueryResultArticle(
        id=result_id,
        title=f"{card.title}",
        description=status_label(card.status, texts),
        input_message_content=InputTextMessageContent(message_text=text, parse_mode="HTML"),
    )


async def on_inline(
    query: InlineQuery,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
    order_pattern: re.Pattern[str] | None,
) -> None:
    now = tracking.clock()
    results: list[InlineQueryResultArticle] = []
    text = query.query.strip()
    scanned = scan(text, order_pattern)
    if not text:
        views, _ = await tracking.page(query.from_user.id, 0, MAX_RESULTS)
        results = [article(f"i{v.item.id}", card_of(v), texts, tz, now) for v in views]
    else:
        own = await tracking.find(query.from_user.id, text)
        results = [article(f"i{v.item.id}", card_of(v), texts, tz, now) for v in own[:MAX_RESULTS]]
        if not results:
            for code in scanned.codes[:3]:
                found = await tracking.lookup(code)
                if isinstance(found, tuple):
                    card = Card.of(*found)
                elif found is not None:
                    card = Card.of_result(found, now)
                else:
                    continue
                results.append(article(f"c{code.value}"[:64], card, texts, tz, now))
    await query.answer(
        results,  # type: ignore[arg-type]
        cache_time=CACHE_SECONDS,
        is_personal=True,
        button=None
        if results
        else InlineQueryResultsButton(
            text=texts("inline-nothing"), start_parameter=open_bot_payload(scanned)
        ),
    )


def open_bot_payload(found: Scan) -> str:
    """The code travels along (`add_<code>`): opening the bot adds it, or explains a typo."""
    candidates = [c.value for c in found.codes if c.kind is not CodeKind.ORDER]
    candidates += [b.value for b in found.bad]
    code = next((c for c in candidates if c.isascii() and c.isalnum() and len(c) <= 60), None)
    return f"add_{code}" if code else START_INLINE


def build() -> Router:
    router = Router(name="inline")
    router.inline_query()(on_inline)
    return router
