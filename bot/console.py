"""`python -m bot console`: the real dispatcher and handlers, talking in the terminal.

A Bot session that answers API calls locally stands in for Telegram, so there is no token and
no network; the demo source on a sped-up clock makes statuses change within a minute. Type a
message, a button's number to press it, `@query` for inline mode, or `/quit`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from aiogram import Bot
from aiogram.types import CallbackQuery, InlineQuery, Message, MessageEntity, Update, User
from pydantic import SecretStr

from bot.app import assemble
from bot.config import Settings
from bot.console_session import ConsoleSession
from providers.clock import ScaledClock

CONSOLE_TOKEN = "1000000:console-session-never-reaches-telegram"
DEMO_SCALE = 8640.0
CONSOLE_TICK_SECONDS = 2.0  # one day of the demo's life every ten seconds
# A longer number is a message: a 14-digit Russian Post code, an order number.
BUTTON_NUMBER_DIGITS = 3
WELCOME = (
    "Parcel bot console. Type a message (try RA000012349CN or /help), a button number to "
    "press it, @CODE for inline mode, /quit to leave.\n"
)


class Console:
    """Turns each line typed into the update Telegram would deliver, fed to the dispatcher."""

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
            message = Message(
                message_id=next(self._message_ids),
                date=datetime.now(UTC),
                chat=self.session.chat,
                from_user=self.session.user,
                text=line,
                entities=_command_entity(line),
            )
            self.session.keep(message)
            await self._feed(message=message)

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
