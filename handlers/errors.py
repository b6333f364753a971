"""The last safety net: an unexpected error is logged for the operator and the user gets a calm
sentence instead of silence or a stack trace."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import ErrorEvent

log = logging.getLogger(__name__)

SORRY = {
    "ru": "Что-то пошло не так, я уже записал ошибку. Попробуйте ещё раз чуть позже.",
    "en": "Something went wrong; the error has been logged. Please try again a bit later.",
}


async def on_error(event: ErrorEvent) -> bool:
    log.error(
        "update %s failed: %s",
        event.update.update_id,
        type(event.exception).__name__,
        exc_info=event.exception,
    )
    user = None
    if event.update.message and event.update.message.from_user:
        user = event.update.message.from_user
    elif event.update.callback_query:
        user = event.update.callback_query.from_user
    language = "en" if user and (user.language_code or "").startswith("en") else "ru"
    try:
        if event.update.callback_query is not None:
            await event.update.callback_query.answer(SORRY[language], show_alert=True)
        elif event.update.message is not None:
            await event.update.message.answer(SORRY[language], parse_mode=None)
    except Exception:
        log.warning("could not tell the user about the error", exc_info=True)
    return True


def build() -> Router:
    router = Router(name="errors")
    router.errors()(on_error)
    return router
