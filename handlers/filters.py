"""Filters that parse and check, returning data: handlers get `scan` or `view`, never raw input.

`OwnedItem` is the one place where "nobody touches another user's item" is enforced for buttons.
"""

from __future__ import annotations

import re
from typing import Any

from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Message

from bot.callbacks import ItemCb
from bot.tracking import TrackingService
from providers.bare_numbers import MAX_ASKED, AskReason, asked_numbers
from providers.code_scan import scan


class ContainsCodes(BaseFilter):
    """Matches a message holding at least one code (valid or with a wrong check digit)."""

    async def __call__(
        self, message: Message, order_pattern: re.Pattern[str] | None
    ) -> bool | dict[str, Any]:
        text = message.text or message.caption or ""
        if not text or text.startswith("/"):
            return False
        found = scan(text, order_pattern)
        if not found.codes and not found.bad:
            return False
        return {"scan": found}


class HoldsDoubtfulNumbers(BaseFilter):
    """Matches a message with no code but numbers that may be codes (a few of digits only, S10
    codes typed as words around a number, codes in links); placed after `ContainsCodes`, which
    claims the rest."""

    async def __call__(self, message: Message) -> bool | dict[str, Any]:
        text = message.text or message.caption or ""
        if not text or text.startswith("/"):
            return False
        asked = asked_numbers(text)
        if not asked:
            return False
        if len(asked) > MAX_ASKED and all(one.reason is AskReason.DIGITS for one in asked):
            return False  # digits alone, and many: a table of order or account numbers
        return {"asked": asked}


class OwnedItem(BaseFilter):
    """Loads the item named by the callback for the pressing user; no match otherwise.

    A refused press falls through to `fallback.on_item_gone`, which answers it: a filter that
    answered too would leave the press to be answered twice.
    """

    async def __call__(
        self, query: CallbackQuery, callback_data: ItemCb, tracking: TrackingService
    ) -> bool | dict[str, Any]:
        view = await tracking.item(query.from_user.id, callback_data.item_id)
        if view is None:
            return False
        return {"view": view}
