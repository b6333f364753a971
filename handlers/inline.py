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
from providers.bare_numbers import scan_named
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
    text = query.query.strip()
    # Typed to the bot itself, a digits-only number (CDEK's) is taken as a code, as by /add.
    scanned = scan_named(text, order_pattern)
    cards = await inline_cards(tracking, query.from_user.id, text, scanned)
    now = tracking.clock()
    results = [article(result_id, card, texts, tz, now) for result_id, card in cards]
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


async def inline_cards(
    tracking: TrackingService, user_id: int, text: str, scanned: Scan
) -> list[tuple[str, Card]]:
    """The user's own matches first; only when there are none, the codes' public status."""
    if not text:
        views, _ = await tracking.page(user_id, 0, MAX_RESULTS)
        return [(f"i{v.item.id}", card_of(v)) for v in views]
    own = await tracking.find(user_id, text)
    if own:
        return [(f"i{v.item.id}", card_of(v)) for v in own[:MAX_RESULTS]]
    cards: list[tuple[str, Card]] = []
    for code in scanned.codes[:3]:
        found = await tracking.lookup(code)
        if isinstance(found, tuple):
            cards.append((f"c{code.value}"[:64], Card.of(*found)))
        elif found is not None:
            cards.append((f"c{code.value}"[:64], Card.of_result(found, tracking.clock())))
    return cards


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
