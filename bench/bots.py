"""The bot side of the dispatch benchmark: one process running the full stack or a yardstick.

The yardsticks are a bare echo bot and a bare card bot, which answers every message with the
very card (text and six-button keyboard) the full stack answers an added code with, rendered
once at start: what sending that card costs aiogram, aiohttp and pydantic, with no database,
source or rendering, so no bot that answers with it can be faster. All bots are built the same
way as production (`bot.app.make_bot`: the real AiohttpSession with
the same defaults) and poll the same fake Bot API through `dp.start_polling` with the same
settings; only the dispatcher differs. The full stack is `bot.app.assemble` with a SQLite file and
the demo source; users who should already follow items are seeded through the tracking service
before polling starts, so the driver can tell the bot is ready by its first getUpdates.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event as StopEvent
from typing import Literal
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.types import InlineKeyboardMarkup, Message

from bot.add_replies import outcome_header
from bot.app import assemble, make_bot
from bot.config import Settings, load_settings
from bot.texts import Catalogue
from bot.tracking import TrackingService
from handlers.views import item_message
from providers.code_scan import scan
from storage import Shipment
from tests.fakes.telegram import running_polling

POLLING_TIMEOUT_S = 10
SEED_CHUNK = 500  # followers per seeding transaction
SEED_USER_ID = 1  # adds each seeded code once so that it has its events

BotKind = Literal["full", "bare", "card"]
CARD_CODE = "RA000012349CN"  # a demo code; its card is the one an add answers with


@dataclass(frozen=True, slots=True)
class BotSpec:
    """What the child process builds; plain data, so it crosses the process boundary."""

    kind: BotKind
    token: str
    api_url: str
    database_path: str = ""
    # (user id, codes that user already follows) for the full stack's /status users.
    followers: Sequence[tuple[int, tuple[str, ...]]] = field(default_factory=tuple)
    language: str = "en"
    profile_path: str | None = None


def serve(spec: BotSpec, stop: StopEvent) -> None:
    """Process entry point: poll until `stop` is set, under cProfile when asked."""
    gc.freeze()  # what a forked child inherits is not its garbage; spare the collector the scan
    logging.basicConfig(level=logging.WARNING, format="bot process: %(levelname)s %(message)s")
    if spec.profile_path is None:
        asyncio.run(_serve(spec, stop))
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        asyncio.run(_serve(spec, stop))
    finally:
        profiler.disable()
        profiler.dump_stats(spec.profile_path)


async def _serve(spec: BotSpec, stop: StopEvent) -> None:
    settings = _settings(spec)
    if spec.kind == "bare":
        bot = make_bot(settings)
        await _poll_until(bare_dispatcher(), bot, stop, close_session=True)
        return
    if spec.kind == "card":
        text, keyboard = await added_card(settings, spec.language)
        bot = make_bot(settings)
        await _poll_until(card_dispatcher(text, keyboard), bot, stop, close_session=True)
        return
    async with assemble(settings) as app:
        assert app.bot is not None
        await seed_followers(app.tracking, spec.followers, spec.language)
        await _poll_until(app.dispatcher, app.bot, stop, close_session=False)


def _settings(spec: BotSpec) -> Settings:
    # Pinned so that the environment cannot add a real source, Redis or a webhook to the run.
    values: dict[str, object] = {
        "bot_token": spec.token,
        "telegram_api_url": spec.api_url,
        "demo_source": spec.kind != "bare",
        "track17_api_key": "",
        "russian_post_login": "",
        "shop_api_url": "",
        "redis_url": "",
        "webhook_url": "",
        "_env_file": None,
    }
    if spec.database_path:
        values["database_url"] = f"sqlite:///{spec.database_path}"
    return load_settings(**values)


async def _poll_until(dp: Dispatcher, bot: Bot, stop: StopEvent, *, close_session: bool) -> None:
    async with running_polling(
        dp, bot, polling_timeout=POLLING_TIMEOUT_S, close_bot_session=close_session
    ):
        await asyncio.to_thread(stop.wait)


async def echo(message: Message) -> None:
    await message.answer(message.text or "-")


def bare_dispatcher() -> Dispatcher:
    """The yardstick: aiogram's own cost of receiving a message and sending one back."""
    dp = Dispatcher()
    dp.message.register(echo)
    return dp


def card_dispatcher(text: str, keyboard: InlineKeyboardMarkup) -> Dispatcher:
    """The second yardstick: aiogram's own cost of answering with the full stack's card."""

    async def card(message: Message) -> None:
        await message.answer(text, reply_markup=keyboard)

    dp = Dispatcher()
    dp.message.register(card)
    return dp


async def added_card(settings: Settings, language: str) -> tuple[str, InlineKeyboardMarkup]:
    """The reply to "add a code" as the full stack renders it, from a real add in memory."""
    in_memory = settings.model_copy(update={"database_url": "sqlite:///:memory:"})
    async with assemble(in_memory) as app:
        await app.tracking.seen_user(SEED_USER_ID, language)
        [outcome] = await app.tracking.add(SEED_USER_ID, list(scan(CARD_CODE).codes))
        assert outcome.view is not None, outcome.problem
        texts = Catalogue().for_language(language)
        tz, now = ZoneInfo(settings.default_timezone), app.tracking.clock()
        header = outcome_header(outcome, texts, tz, now, app.tracking.new_numbers_per_day)
        text, keyboard = item_message(outcome.view, texts, tz, now)
    return f"{header}\n\n{text}", keyboard


async def seed_followers(
    tracking: TrackingService, followers: Sequence[tuple[int, tuple[str, ...]]], language: str
) -> None:
    """Make each user follow its codes: every distinct code once through the service (so it
    carries the demo source's events), then the followers in bulk through the repositories,
    which takes a second where the service's one-add-at-a-time path would take a minute.
    """
    await tracking.seen_user(SEED_USER_ID, language)
    shipments: dict[str, Shipment] = {}
    distinct = sorted({code for _, codes in followers for code in codes})
    for parsed in scan(" ".join(distinct)).codes:
        source = tracking.sources.route(parsed)
        outcomes = await tracking.add(SEED_USER_ID, [parsed])
        async with tracking.db.read() as tx:
            shipment = await tx.shipments.find(source or "", parsed.value)
        if shipment is None or outcomes[0].problem is not None:
            raise RuntimeError(f"seeding {parsed.value} failed: {outcomes[0].problem}")
        shipments[parsed.value] = shipment
    now = tracking.clock()
    for start in range(0, len(followers), SEED_CHUNK):
        async with tracking.db.transaction() as tx:
            for user_id, codes in followers[start : start + SEED_CHUNK]:
                await tx.users.seen(user_id, language, now)
                for code in codes:
                    await tx.subscriptions.add(user_id, shipments[code].id, "", now)
