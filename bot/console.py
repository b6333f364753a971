"""`python -m bot console`: the real dispatcher and handlers, talking in the terminal.

A Bot session that answers API calls locally stands in for Telegram, so there is no token and
no network; the demo source on a sped-up clock makes statuses change within a minute. Type a
message, a button's number to press it, `@query` for inline mode, or `/quit`.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import logging
import re
import sys
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any, TextIO, TypeVar

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
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    InlineQuery,
    Message,
    MessageEntity,
    Update,
    User,
)
from pydantic import SecretStr

from bot.app import assemble
from bot.config import Settings
from providers.clock import ScaledClock

CONSOLE_TOKEN = "1000000:console-session-never-reaches-telegram"
DEMO_SCALE = 8640.0
CONSOLE_TICK_SECONDS = 2.0  # one day of the demo's life every ten seconds
# A longer number is a message: a 14-digit Russian Post code, an order number.
BUTTON_NUMBER_DIGITS = 3
T = TypeVar("T")
TAG_RE = re.compile(r"<[^>]+>")
WELCOME = (
    "Parcel bot console. Type a message (try RA000012349CN or /help), a button number to "
    "press it, @CODE for inline mode, /quit to leave.\n"
)


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
            result = self._show(next(self._ids), method.text or "", method.reply_markup)
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

    def _show(self, message_id: int, text: str, markup: Any, edited: bool = False) -> Message:
        message = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.me,
            text=html_to_text(text),
            reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
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


class Console:
    def __init__(self, session: ConsoleSession, bot: Bot, dispatcher: Any) -> None:
        self.session = session
        self.bot = bot
        self.dispatcher = dispatcher
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1_000_000)

    async def handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        if line.isdigit() and len(line) <= BUTTON_NUMBER_DIGITS:
            await self._press(int(line))
        elif line.startswith("@"):
            await self._feed(
                inline_query=InlineQuery(
                    id=str(next(self._update_ids)),
                    from_user=self.session.user,
                    query=line[1:].strip(),
                    offset="",
                )
            )
        else:
            await self._feed(
                message=Message(
                    message_id=next(self._message_ids),
                    date=datetime.now(UTC),
                    chat=self.session.chat,
                    from_user=self.session.user,
                    text=line,
                    entities=_command_entity(line),
                )
            )

    async def _press(self, number: int) -> None:
        if not 1 <= number <= len(self.session.buttons):
            self.session.out.write("  (no button with that number)\n")
            return
        message_id, data = self.session.buttons[number - 1]
        message = self.session.messages[message_id]
        await self._feed(
            callback_query=CallbackQuery(
                id=str(next(self._update_ids)),
                from_user=self.session.user,
                chat_instance="1",
                message=message,
                data=data,
            )
        )

    async def _feed(self, **payload: Any) -> None:
        update = Update(update_id=next(self._update_ids), **payload)
        await self.dispatcher.feed_update(self.bot, update)


def _command_entity(text: str) -> list[MessageEntity] | None:
    if not text.startswith("/"):
        return None
    length = len(text.split(maxsplit=1)[0])
    return [MessageEntity(type="bot_command", offset=0, length=length)]


async def run_console(
    settings: Settings, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> int:
    """The real dispatcher and jobs, with a local Bot session and the demo on a sped-up clock."""
    scale = settings.demo_time_scale if settings.demo_time_scale != 1.0 else DEMO_SCALE
    settings = _offline(settings, scale)
    user = User(id=42, is_bot=False, first_name="Demo", language_code=settings.default_language)
    session = ConsoleSession(out, user)
    clock = ScaledClock(scale)
    # The chat itself is the output: only problems are logged beside it.
    root = logging.getLogger()
    root.setLevel(max(root.getEffectiveLevel(), logging.WARNING))
    async with assemble(settings, clock=clock, session=session) as app:
        assert app.bot is not None
        console = Console(session, app.bot, app.dispatcher)
        out.write(WELCOME)
        await console.handle("/start")
        app.jobs.tick_seconds = CONSOLE_TICK_SECONDS
        app.jobs.start()
        await _converse(console, stdin, out)
    return 0


def _offline(settings: Settings, scale: float) -> Settings:
    """The demo source alone, in memory, with a token that never leaves the process."""
    return settings.model_copy(
        update={
            "demo_source": True,
            "track17_api_key": None,
            "database_url": "sqlite:///:memory:",
            "bot_token": SecretStr(CONSOLE_TOKEN),
            # Leases run on the demo clock: unscaled, a 60 s lease would end within
            # milliseconds and the next drain would send a message still being sent again.
            "outbox_lease_seconds": settings.outbox_lease_seconds * scale,
            "poll_lease_seconds": settings.poll_lease_seconds * scale,
        }
    )


async def _converse(console: Console, stdin: TextIO, out: TextIO) -> None:
    """Each line typed is handled in turn (read off the loop, so the jobs keep running)."""
    loop = asyncio.get_running_loop()
    while True:
        out.write("\n> ")
        out.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line or line.strip() in {"/quit", "/exit"}:
            break
        await console.handle(line)
