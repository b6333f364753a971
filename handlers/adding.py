"""Adding items: `/add`, a plain message with codes, and the `add_` deep link share one reply."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import AsyncIterator, Sequence
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.chat_action import ChatActionSender

from bot.add_replies import (
    ask_text,
    bad_codes_text,
    label_left_out,
    outcome_header,
    summary_lines,
)
from bot.callbacks import CarrierCb, NumberCb
from bot.keyboards import asked_numbers_keyboard, carriers_keyboard
from bot.orders import Orders
from bot.outcomes import AddOutcome, AddProblem, RefreshState
from bot.texts import Texts
from bot.tracking import ASKED_AT_ONCE, TrackingService
from handlers.filters import ContainsCodes, HoldsDoubtfulNumbers
from handlers.orders import ask_contact
from handlers.views import edit_or_keep, item_message
from providers.bare_numbers import asked_code, label_beside, scan_named
from providers.codes import Scan
from providers.track17 import CARRIER_CHOICES

MAX_CARDS_PER_REPLY = ASKED_AT_ONCE  # the numbers asked at once are the ones shown as cards
TYPING_AFTER_SECONDS = 1.0  # a quick answer needs no "typing…"; a source taking its turns does


async def reply_to_scan(
    message: Message,
    found: Scan,
    user_id: int,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
    orders: Orders,
    state: FSMContext,
) -> None:
    if found.bad:
        await message.answer(bad_codes_text(found.bad, texts))
    to_verify = [c for c in found.codes if orders.needs_contact(c)]
    codes = [c for c in found.codes if c not in to_verify]
    if codes:
        outcomes = await tracking.add(user_id, codes, found.rest, waiting=TypingWhileSlow(message))
        unused = label_left_out(found.rest, len(codes))
        await reply_outcomes(message, outcomes, tracking, texts, tz, unused_label=unused)
    if to_verify:
        # One dialogue at a time: the first order number starts it.
        await ask_contact(message, to_verify[0].value, texts, state)


class TypingWhileSlow:
    """Shows "typing…" while sources are asked, once they have kept the user waiting over a
    second in all (several codes: counted across their requests). The time a busy bot spends
    on its own queue does not count: typing actions would only add to it."""

    def __init__(self, message: Message) -> None:
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
    message: Message,
    outcomes: Sequence[AddOutcome],
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
    *,
    unused_label: str = "",
) -> None:
    now, limit = tracking.clock(), tracking.new_numbers_per_day
    for outcome in outcomes[:MAX_CARDS_PER_REPLY]:
        if outcome.view is None:
            continue  # told in the summary, one line for each reason
        header = outcome_header(outcome, texts, tz, now, limit)
        if outcome.problem is AddProblem.NEEDS_CARRIER:
            keyboard = carriers_keyboard(outcome.view.item.id, CARRIER_CHOICES, texts)
            await message.answer(header, reply_markup=keyboard)
            continue
        text, keyboard = item_message(outcome.view, texts, tz, now)
        await message.answer(f"{header}\n\n{text}", reply_markup=keyboard)
    summary = summary_lines(outcomes, MAX_CARDS_PER_REPLY, texts, tz, now, limit, unused_label)
    if summary:
        await message.answer("\n\n".join(summary))


CARRIER_ANSWERS = {
    RefreshState.UPDATED: "refresh-done",
    RefreshState.SOURCE_DOWN: "refresh-source-down",
    RefreshState.TOO_SOON: "refresh-source-down",
    RefreshState.NOT_NEEDED: "button-outdated",
}


async def on_carrier(
    query: CallbackQuery,
    callback_data: CarrierCb,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
) -> None:
    """Button data is checked: a known carrier, and an item of the user who pressed."""
    if callback_data.carrier not in CARRIER_CHOICES:
        await query.answer(texts("button-outdated"), show_alert=True)
        return
    outcome = await tracking.choose_carrier(
        query.from_user.id, callback_data.item_id, callback_data.carrier
    )
    if outcome is None:
        await query.answer(texts("item-gone"), show_alert=True)
        return
    if isinstance(query.message, Message):
        text, keyboard = item_message(outcome.view, texts, tz, tracking.clock())
        await edit_or_keep(query.message, text, keyboard)
    await query.answer(texts(CARRIER_ANSWERS[outcome.state]))


async def cmd_add(
    message: Message,
    command: CommandObject,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
    order_pattern: re.Pattern[str] | None,
    orders: Orders,
    state: FSMContext,
) -> None:
    if not command.args:
        await message.answer(texts("add-usage"))
        return
    found = scan_named(command.args, order_pattern)
    if not found.codes and not found.bad:
        await message.answer(texts("add-nothing-found"))
        return
    assert message.from_user is not None
    await reply_to_scan(message, found, message.from_user.id, tracking, texts, tz, orders, state)


async def on_codes_in_text(
    message: Message,
    scan: Scan,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
    orders: Orders,
    state: FSMContext,
) -> None:
    assert message.from_user is not None
    await reply_to_scan(message, scan, message.from_user.id, tracking, texts, tz, orders, state)


async def on_doubtful_numbers(message: Message, numbers: Sequence[str], texts: Texts) -> None:
    """Digits only may be an order or account number, and S10 letters typed apart may be words:
    the user says whether to track them.

    The question replies to the user's message, so a tap finds the words typed beside the
    number there and keeps them as its label.
    """
    await message.answer(
        ask_text(numbers, texts),
        reply_markup=asked_numbers_keyboard(numbers, texts),
        reply_parameters=message.as_reply_parameters(allow_sending_without_reply=True),
    )


async def on_track_number(
    query: CallbackQuery,
    callback_data: NumberCb,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
) -> None:
    """The number is checked again: the button's data is the presser's word, not the bot's."""
    code = asked_code(callback_data.number)
    if code is None or not isinstance(query.message, Message):
        await query.answer(texts("button-outdated"), show_alert=True)
        return
    await query.answer()
    label = _label_typed_with(query.message.reply_to_message, code.value, query.from_user.id)
    waiting = TypingWhileSlow(query.message)
    outcomes = await tracking.add(query.from_user.id, [code], label, waiting=waiting)
    await reply_outcomes(query.message, outcomes, tracking, texts, tz)


def _label_typed_with(said: Message | None, number: str, presser_id: int) -> str:
    """Only the presser's own words label their item."""
    if said is None or said.from_user is None or said.from_user.id != presser_id:
        return ""
    return label_beside(said.text or said.caption or "", number)


def build() -> Router:
    router = Router(name="adding")
    router.callback_query(CarrierCb.filter())(on_carrier)
    router.callback_query(NumberCb.filter())(on_track_number)
    router.message(Command("add"))(cmd_add)
    # A code in a photo's caption counts, and so does one fixed by editing the message (a
    # mistyped check digit is usually corrected that way); edits count in private chats only.
    router.message(F.text | F.caption, ContainsCodes())(on_codes_in_text)
    router.message(F.text | F.caption, HoldsDoubtfulNumbers())(on_doubtful_numbers)
    router.edited_message.filter(F.chat.type == ChatType.PRIVATE)
    router.edited_message(F.text | F.caption, ContainsCodes())(on_codes_in_text)
    return router
