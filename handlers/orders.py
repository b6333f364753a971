"""The order dialogue: a message with an order number asks for the phone or e-mail used in the
order; the shop confirms it. Cancellable at any point with /cancel."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot.cards import MAX_TITLE_CHARS, shown
from bot.orders import OrderOutcome, Orders, OrderState
from bot.texts import Texts
from bot.tracking import TrackingService
from handlers.views import item_message
from providers.shop import normalise_contact


class OrderDialog(StatesGroup):
    waiting_contact = State()


async def ask_contact(message: Message, number: str, texts: Texts, state: FSMContext) -> None:
    await state.set_state(OrderDialog.waiting_contact)
    await state.update_data(order=number)
    await message.answer(texts("order-ask-contact", order=shown(number, MAX_TITLE_CHARS)))


async def on_cancel(message: Message, texts: Texts, state: FSMContext) -> None:
    await state.clear()
    await message.answer(texts("order-cancelled"))


async def on_contact(
    message: Message,
    orders: Orders,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
    state: FSMContext,
) -> None:
    assert message.from_user is not None
    contact = normalise_contact(message.text or "")
    if contact is None:
        await message.answer(texts("order-contact-invalid"))
        return
    number = str((await state.get_data()).get("order", ""))
    outcome = await orders.verify(message.from_user.id, number, contact)
    if outcome.state is not OrderState.NO_MATCH or outcome.attempts_left == 0:
        await state.clear()
    await reply_order(message, number, outcome, tracking, texts, tz)


async def reply_order(
    message: Message,
    number: str,
    outcome: OrderOutcome,
    tracking: TrackingService,
    texts: Texts,
    tz: ZoneInfo,
) -> None:
    order = shown(number, MAX_TITLE_CHARS)
    if outcome.state is OrderState.FOLLOWING and outcome.view is not None:
        text, keyboard = item_message(outcome.view, texts, tz, tracking.clock())
        await message.answer(
            f"{texts('order-following', order=order)}\n\n{text}", reply_markup=keyboard
        )
    elif outcome.state is OrderState.NO_MATCH:
        await message.answer(texts("order-no-match", order=order, left=outcome.attempts_left))
    elif outcome.state is OrderState.TOO_MANY_ATTEMPTS:
        await message.answer(texts("order-too-many", minutes=outcome.wait_minutes))
    elif outcome.state is OrderState.SHOP_DOWN:
        await message.answer(texts("order-shop-down"))
    else:
        await message.answer(texts("add-no-source", code=order))


def build() -> Router:
    router = Router(name="orders")
    router.message(StateFilter(OrderDialog.waiting_contact), Command("cancel", ignore_case=True))(
        on_cancel
    )
    router.message(StateFilter(OrderDialog.waiting_contact), F.text, ~F.text.startswith("/"))(
        on_contact
    )
    return router
