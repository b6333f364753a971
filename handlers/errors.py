"""The last safety net: an unexpected error is logged for the operator and the user gets a calm
sentence instead of silence or a stack trace.

Redis or the database out of reach is not a bug: the log gets one line every few minutes, not a
traceback for every update of the outage. In webhook mode the update goes back to Telegram, which
delivers it again (see `bot/webhook.py`), so nothing is lost and the user is told nothing; in long
polling it is gone, so the user is asked to send it again in a minute.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import ErrorEvent, User

from bot.logs import OneLinePerInterval
from bot.outages import unreachable_store
from bot.tracking import TrackingService

log = logging.getLogger(__name__)
outage_log = logging.getLogger(f"{__name__}.outage")
outage_log.addFilter(OneLinePerInterval())

SORRY = {
    "ru": "Что-то пошло не так, я уже записал ошибку. Попробуйте ещё раз чуть позже.",
    "en": "Something went wrong; the error has been logged. Please try again a bit later.",
}
AGAIN_SOON = {
    "ru": "Сейчас я не могу добраться до своих данных — это ненадолго. Пришлите это ещё раз "
    "через минуту, пожалуйста: сообщение не сохранилось.",
    "en": "I can't reach my data right now; it won't last long. Please send this again in a "
    "minute: the message was not saved.",
}
PRESS_AGAIN_SOON = {
    "ru": "Сейчас я не могу добраться до своих данных — это ненадолго. "
    "Нажмите ещё раз через минуту.",
    "en": "I can't reach my data right now; it won't last long. Press again in a minute.",
}


async def on_error(
    event: ErrorEvent,
    tracking: TrackingService | None = None,
    telegram_redelivers: bool = False,
) -> Any:
    """`telegram_redelivers` is set by the webhook, whose unanswered updates come again."""
    if isinstance(event.exception, TelegramForbiddenError):
        return await _blocked_meanwhile(event, tracking)
    store = unreachable_store(event.exception)
    if tracking is not None:
        tracking.metrics.updates_failed.labels("outage" if store else "error").inc()
    if store is not None:
        outage_log.warning("updates fail: %s is out of reach", store, exc_info=event.exception)
        if telegram_redelivers:
            return UNHANDLED  # raised on to the webhook, which asks Telegram to come back
    else:
        log.error(
            "update %s failed: %s",
            event.update.update_id,
            type(event.exception).__name__,
            exc_info=event.exception,
        )
    language = _language(event)
    try:
        if event.update.callback_query is not None:
            said = PRESS_AGAIN_SOON if store else SORRY
            await event.update.callback_query.answer(said[language], show_alert=True)
        elif event.update.message is not None:
            said = AGAIN_SOON if store else SORRY
            await event.update.message.answer(said[language], parse_mode=None)
    except Exception as exc:  # the error itself is logged above; this one in a line
        log.warning("could not tell the user about the error: %s: %s", type(exc).__name__, exc)
    return True


async def _blocked_meanwhile(event: ErrorEvent, tracking: TrackingService | None) -> bool:
    """The user blocked the bot between writing and the answer: nobody to tell, nothing broken."""
    user = _sender(event)
    log.info("update %s: the user blocked the bot meanwhile", event.update.update_id)
    if tracking is not None and user is not None:
        await tracking.set_active(user.id, False)  # as the outbox does on its own 403
    return True


def _sender(event: ErrorEvent) -> User | None:
    if event.update.message and event.update.message.from_user:
        return event.update.message.from_user
    if event.update.callback_query:
        return event.update.callback_query.from_user
    return None


def _language(event: ErrorEvent) -> str:
    """Telegram's word for the language: the user's own setting may be what could not be read."""
    user = _sender(event)
    return "en" if user and (user.language_code or "").startswith("en") else "ru"


def build() -> Router:
    router = Router(name="errors")
    router.errors()(on_error)
    return router
