"""Numbers that may be codes: asked about with a "track it" button, added when it is pressed.

Digits only may be an order or account number, S10 letters typed apart from the digits
(`ra 123456785 cn`) may be words, and a code in a link is read from someone's page, so a plain
message holding them (and nothing the scanner takes for a code) gets a question first. An
edited message is asked about too: a typo is usually mended by editing. The button's data is
the presser's word, not the bot's: it is checked again.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message

from bot.callbacks import NumberCb
from bot.texts import Texts
from bot.tracking import TrackingService
from handlers.add_output import TypingWhileSlow, ask_about, reply_outcomes
from handlers.filters import HoldsDoubtfulNumbers
from providers.bare_numbers import Asked, asked_code, label_beside
from storage.models import User


async def on_doubtful_numbers(message: Message, asked: Sequence[Asked], texts: Texts) -> None:
    await ask_about(message, asked, texts)


async def on_track_number(
    query: CallbackQuery,
    user: User,
    callback_data: NumberCb,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
) -> None:
    """A question older than Telegram keeps messages for bots (48 hours) still adds its number,
    without a label: the words typed beside it can no longer be read."""
    code = asked_code(callback_data.number)
    if code is None or query.message is None:
        await query.answer(texts("button-outdated"), show_alert=True)
        return
    await query.answer()
    said = query.message.reply_to_message if isinstance(query.message, Message) else None
    label = _label_typed_with(said, code.value, query.from_user.id)
    waiting = TypingWhileSlow(query.message)
    outcomes = await tracking.add(query.from_user.id, [code], label, waiting=waiting)
    await reply_outcomes(
        query.message, outcomes, tracking, texts, tz, notifying=user.notifications
    )


def _label_typed_with(said: Message | None, number: str, presser_id: int) -> str:
    """Only the presser's own words label their item."""
    if said is None or said.from_user is None or said.from_user.id != presser_id:
        return ""
    return label_beside(said.text or said.caption or "", number)


def build() -> Router:
    """After the adding router: a message the scanner reads as codes never reaches the question."""
    router = Router(name="asking")
    router.callback_query(NumberCb.filter())(on_track_number)
    router.message(F.text | F.caption, HoldsDoubtfulNumbers())(on_doubtful_numbers)
    router.edited_message.filter(F.chat.type == ChatType.PRIVATE)
    router.edited_message(F.text | F.caption, HoldsDoubtfulNumbers())(on_doubtful_numbers)
    return router
