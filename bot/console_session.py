"""The console's stand-in for Telegram: a Bot session that answers API calls in-process.

What the bot sends or edits is printed as a user would read it (HTML tags dropped, buttons
numbered in the order they appear), and every message, the user's too, is kept: a numbered
button is pressed on its message later, and a reply carries the message it answers, as
Telegram's does (a "track it?" question finds the label typed there). No call leaves the process.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any, TextIO

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    AnswerInlineQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, InlineKeyboardMarkup, Message, User

TAG_RE = re.compile(r"<[^>]+>")


def html_to_text(text: str) -> str:
    return html.unescape(TAG_RE.sub("", text))


class ConsoleSession(BaseSession):
    """Answers Bot API calls in-process and prints what a user would see."""

    def __init__(self, out: TextIO, user: User) -> None:
        super().__init__()
        self.out = out
        self.user = user
        self.chat = Chat(id=user.id, type="private", first_name=user.first_name)
        self.me = User(id=1000000, is_bot=True, first_name="Parcel bot", username="parcel_bot")
        self._ids = itertools.count(1)
        self.buttons: list[tuple[int, str]] = []  # (message_id, callback_data) by number
        self.messages: dict[int, Message] = {}

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        result: Any = True
        if isinstance(method, GetMe):
            result = self.me
        elif isinstance(method, SendMessage):
            answered = method.reply_parameters.message_id if method.reply_parameters else None
            result = self._show(
                next(self._ids),
                method.text or "",
                method.reply_markup,
                reply_to=self.messages.get(answered) if answered is not None else None,
            )
        elif isinstance(method, EditMessageText) and method.message_id is not None:
            result = self._show(
                method.message_id, method.text or "", method.reply_markup, edited=True
            )
        elif isinstance(method, EditMessageReplyMarkup) and method.message_id is not None:
            old = self.messages.get(method.message_id)
            result = self._show(
                method.message_id,
                (old.text or "") if old else "",
                method.reply_markup,
                edited=True,
            )
        elif isinstance(method, AnswerCallbackQuery) and method.text:
            self.out.write(f"  💬 {method.text}\n")
        elif isinstance(method, AnswerInlineQuery):
            for result_item in method.results:
                title = getattr(result_item, "title", "")
                self.out.write(f"  [inline] {title} — {getattr(result_item, 'description', '')}\n")
            if method.button is not None:  # shown above the results, "open the bot"
                self.out.write(f"  [inline] [{method.button.text}]\n")
        self.out.flush()
        return result  # type: ignore[no-any-return]

    def keep(self, message: Message) -> None:
        """A message the user typed, for the bot's replies to point at."""
        self.messages[message.message_id] = message

    def _show(
        self,
        message_id: int,
        text: str,
        markup: Any,
        edited: bool = False,
        reply_to: Message | None = None,
    ) -> Message:
        if edited and reply_to is None and (old := self.messages.get(message_id)) is not None:
            reply_to = old.reply_to_message
        message = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.me,
            text=html_to_text(text),
            reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
            reply_to_message=reply_to,
        )
        self.messages[message_id] = message
        marker = "✎ " if edited else ""
        self.out.write(
            "\n" + marker + html_to_text(text).replace("\n", "\n  ").join(["  ", ""]) + "\n"
        )
        if isinstance(markup, InlineKeyboardMarkup):
            row_texts = []
            for row in markup.inline_keyboard:
                cells = []
                for button in row:
                    if button.callback_data:
                        self.buttons.append((message_id, button.callback_data))
                        cells.append(f"[{len(self.buttons)}] {button.text}")
                row_texts.append("  ".join(cells))
            self.out.write("  " + "\n  ".join(row_texts) + "\n")
        return message
