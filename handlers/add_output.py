"""What an add says back: the cards and summary of the numbers added, the "track it?" question
for numbers that may be codes, and "typing…" while sources keep the user waiting."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InaccessibleMessage, Message
from aiogram.utils.chat_action import ChatActionSender

from bot.add_replies import ask_text, outcome_header, summary_lines
from bot.keyboards import asked_numbers_keyboard, carriers_keyboard
from bot.outcomes import AddOutcome, AddProblem
from bot.texts import Texts
from bot.tracking import ASKED_AT_ONCE, TrackingService
from handlers.views import item_message
from providers.bare_numbers import MAX_ASKED, Asked
from providers.track17 import CARRIER_CHOICES

MAX_CARDS_PER_REPLY = ASKED_AT_ONCE  # the numbers asked at once are the ones shown as cards
TYPING_AFTER_SECONDS = 1.0  # a quick answer needs no "typing…"; a source taking its turns does
# The chat to answer in: a button pressed on a message too old for Telegram to show the bot
# (over 48 hours) still names its chat.
Answerable = Message | InaccessibleMessage


class TypingWhileSlow:
    """Shows "typing…" while sources are asked, once they have kept the user waiting over a
    second in all (several codes: counted across their requests). The time a busy bot spends
    on its own queue does not count: typing actions would only add to it."""

    def __init__(self, message: Answerable) -> None:
        self.message = message
        self.grace = TYPING_AFTER_SECONDS

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        if self.message.bot is None:
            yield
            return
        started = time.monotonic()
        try:
            async with ChatActionSender.typing(
                chat_id=self.message.chat.id, bot=self.message.bot, initial_sleep=self.grace
            ):
                yield
        finally:
            self.grace = max(0.0, self.grace - (time.monotonic() - started))


async def reply_outcomes(
    message: Answerable,
    outcomes: Sequence[AddOutcome],
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
    *,
    unused_label: str = "",
    notifying: bool = True,
) -> None:
    """`notifying`: the user's alerts are on; if not, an added number promises no message."""
    now, limit = tracking.clock(), tracking.new_numbers_per_day
    for outcome in outcomes[:MAX_CARDS_PER_REPLY]:
        if outcome.view is None:
            continue  # told in the summary, one line for each reason
        header = outcome_header(outcome, texts, tz, now, limit, notifying=notifying)
        if outcome.problem is AddProblem.NEEDS_CARRIER:
            keyboard = carriers_keyboard(outcome.view.item.id, CARRIER_CHOICES, texts)
            await message.answer(header, reply_markup=keyboard)
            continue
        text, keyboard = item_message(outcome.view, texts, tz, now)
        await message.answer(f"{header}\n\n{text}", reply_markup=keyboard)
    summary = summary_lines(outcomes, MAX_CARDS_PER_REPLY, texts, tz, now, limit, unused_label)
    if summary:
        await message.answer("\n\n".join(summary))


async def ask_about(message: Message, asked: Sequence[Asked], texts: Texts) -> None:
    """The question replies to the user's message, so a tap finds the words typed beside the
    number there and keeps them as its label. More than a few get no button each: `/add` takes
    them all, letters apart or not."""
    numbers = [one.code.value for one in asked]
    if len(numbers) > MAX_ASKED:
        example = next((n for n in numbers if not n.isdigit()), numbers[0])
        await message.answer(texts("ask-too-many", count=len(numbers), code=escape(example)))
        return
    await message.answer(
        ask_text(asked, texts),
        reply_markup=asked_numbers_keyboard(numbers, texts),
        reply_parameters=message.as_reply_parameters(allow_sending_without_reply=True),
    )
