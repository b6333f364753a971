"""Adding items: `/add`, a plain message with codes, and the `add_` deep link share one reply.

What the reply says is `handlers.add_output`'s; numbers that may be codes are `handlers.asking`'s.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.add_replies import bad_codes_text, label_left_out
from bot.callbacks import CarrierCb
from bot.orders import Orders
from bot.outcomes import RefreshState
from bot.texts import Texts
from bot.tracking import TrackingService
from handlers.add_output import TypingWhileSlow, ask_about, reply_outcomes
from handlers.filters import ContainsCodes
from handlers.orders import ask_contact
from handlers.views import edit_or_keep, item_message
from providers.bare_numbers import Asked, AskReason, scan_named
from providers.codes import Scan
from providers.track17 import CARRIER_CHOICES
from storage.models import User


async def reply_to_scan(
    message: Message,
    found: Scan,
    user: User,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
    orders: Orders,
    state: FSMContext,
) -> None:
    """Codes are added, order numbers start the contact check, and lower-case S10 codes typed
    apart (`ra 123456785 cn`) beside them are asked about; words beside several numbers label
    none of them."""
    if found.bad:
        await message.answer(bad_codes_text(found.bad, texts))
    to_verify = [c for c in found.codes if orders.needs_contact(c)]
    codes = [c for c in found.codes if c not in to_verify]
    numbers = len(codes) + len(found.doubtful)  # an order number is named apart, in its dialogue
    if codes:
        label = found.rest if numbers == 1 else ""
        outcomes = await tracking.add(user.id, codes, label, waiting=TypingWhileSlow(message))
        unused = label_left_out(found.rest, numbers)
        await reply_outcomes(
            message,
            outcomes,
            tracking,
            texts,
            tz,
            unused_label=unused,
            notifying=user.notifications,
        )
    if found.doubtful:
        await ask_about(message, [Asked(c, AskReason.SPACED) for c in found.doubtful], texts)
    if to_verify:
        # One dialogue at a time: the first order number starts it.
        await ask_contact(message, to_verify[0].value, texts, state)


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
    user: User,
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
    await reply_to_scan(message, found, user, tracking, texts, tz, orders, state)


async def on_codes_in_text(
    message: Message,
    user: User,
    scan: Scan,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
    orders: Orders,
    state: FSMContext,
) -> None:
    await reply_to_scan(message, scan, user, tracking, texts, tz, orders, state)


def build() -> Router:
    router = Router(name="adding")
    router.callback_query(CarrierCb.filter())(on_carrier)
    router.message(Command("add", ignore_case=True))(cmd_add)
    # A code in a photo's caption counts, and so does one fixed by editing the message (a
    # mistyped check digit is usually corrected that way); edits count in private chats only.
    router.message(F.text | F.caption, ContainsCodes())(on_codes_in_text)
    router.edited_message.filter(F.chat.type == ChatType.PRIVATE)
    router.edited_message(F.text | F.caption, ContainsCodes())(on_codes_in_text)
    return router
