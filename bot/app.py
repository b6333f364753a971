"""The composition root: builds every long-lived object once and owns their lifetimes.

`assemble()` opens the database, the HTTP client, the sources, the service and the dispatcher in
one AsyncExitStack and closes them in reverse order. `python -m bot run`, the console, the tests
and the benchmarks all go through it, so they exercise the same wiring.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.redis import RedisStorage

from bot.config import Settings
from bot.delivery import Outlet
from bot.dispatching import build_dispatcher, build_fsm_storage
from bot.health import HealthCheck
from bot.metrics import Metrics
from bot.poller import Poller
from bot.pushes import Track17Pushes
from bot.redis_turns import SharedSourceRates
from bot.scheduler import Jobs
from bot.send_cap import LocalSendCap, RedisSendCap, SendCap
from bot.sender import OutboxSender
from bot.settings_service import SettingsService
from bot.source_setup import build_providers
from bot.sources import Sources
from bot.texts import Catalogue
from bot.tracking import TrackingService
from bot.web import WebServer, build_web_app
from providers.base import Provider
from providers.clock import Clock, system_clock
from storage import Database, open_database


@dataclass(slots=True)
class App:
    settings: Settings
    db: Database
    sources: Sources
    tracking: TrackingService
    catalogue: Catalogue
    settings_service: SettingsService
    dispatcher: Dispatcher
    bot: Bot | None
    clock: Clock
    poller: Poller
    sender: OutboxSender | None
    jobs: Jobs
    web: WebServer


def redis_namespace(settings: Settings) -> str:
    """The bot's id (the token's public part): bots sharing one Redis keep apart."""
    bot_id = settings.bot_token.get_secret_value().split(":")[0] if settings.bot_token else ""
    return f"bot{bot_id or 'bot'}"


def build_send_cap(settings: Settings) -> SendCap:
    if settings.redis_url:
        namespace = redis_namespace(settings)
        return RedisSendCap(settings.redis_url, settings.send_rate_per_second, namespace)
    return LocalSendCap(settings.send_rate_per_second)


def make_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    assert settings.bot_token is not None
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session
        or AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


@contextlib.asynccontextmanager
async def assemble(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    session: BaseSession | None = None,
    providers: Sequence[Provider] | None = None,
    with_bot: bool = True,
) -> AsyncIterator[App]:
    """Each lifetime joins one exit stack as it opens, so they close in reverse order."""
    async with contextlib.AsyncExitStack() as stack:
        db = await open_database(settings.database_url, pool_size=settings.database_pool_size)
        stack.push_async_callback(db.close)
        chosen = await _chosen_providers(settings, stack, clock, db, providers)
        metrics = Metrics()
        sources = Sources(chosen, clock, metrics)
        tracking = TrackingService(
            db,
            sources,
            clock,
            settings.poll_interval_seconds,
            metrics,
            new_numbers_per_day=settings.new_numbers_per_user_per_day,
        )
        catalogue = Catalogue(
            default_language=settings.default_language, orders=settings.order_regex is not None
        )
        settings_service = SettingsService(
            db, clock, settings.quiet_hours, settings.default_timezone, tracking.forget_user
        )
        poller = Poller(tracking, lease=timedelta(seconds=settings.poll_lease_seconds))
        fsm = build_fsm_storage(settings, db, clock)
        stack.push_async_callback(fsm.close)
        dispatcher = build_dispatcher(settings, tracking, catalogue, settings_service, poller, fsm)
        bot, sender = _bot_and_sender(
            stack, settings, session, with_bot, db, catalogue, settings_service, clock, metrics
        )
        jobs = Jobs(poller, sender, settings.poll_tick_seconds)
        stack.push_async_callback(jobs.stop)
        web = _web_server(settings, tracking, poller, jobs, fsm, metrics)
        stack.push_async_callback(web.stop)
        yield App(
            settings,
            db,
            sources,
            tracking,
            catalogue,
            settings_service,
            dispatcher,
            bot,
            clock,
            poller,
            sender,
            jobs,
            web,
        )


async def _chosen_providers(
    settings: Settings,
    stack: contextlib.AsyncExitStack,
    clock: Clock,
    db: Database,
    providers: Sequence[Provider] | None,
) -> list[Provider]:
    """The sources given by the caller, else the configured ones (their rates shared by Redis)."""
    shared_rates = None
    if settings.redis_url:
        shared_rates = SharedSourceRates(settings.redis_url, redis_namespace(settings))
        stack.push_async_callback(shared_rates.close)
    if providers is not None:
        return list(providers)
    return await build_providers(settings, stack, clock, db, shared_rates)


def _bot_and_sender(
    stack: contextlib.AsyncExitStack,
    settings: Settings,
    session: BaseSession | None,
    with_bot: bool,
    db: Database,
    catalogue: Catalogue,
    settings_service: SettingsService,
    clock: Clock,
    metrics: Metrics,
) -> tuple[Bot | None, OutboxSender | None]:
    """The Telegram client and the outbox sender that writes through it (and its send cap).

    Neither without a token or a session to talk through, nor when the caller wants no bot.
    """
    if not with_bot or (settings.bot_token is None and session is None):
        return None, None
    bot = make_bot(settings, session)
    stack.push_async_callback(bot.session.close)
    cap = build_send_cap(settings)
    stack.push_async_callback(cap.close)
    outlet = Outlet(db, bot, catalogue, settings_service, clock, cap, metrics, settings.shop_name)
    sender = OutboxSender(
        outlet,
        rate_per_second=settings.send_rate_per_second,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
    )
    return bot, sender


def _web_server(
    settings: Settings,
    tracking: TrackingService,
    poller: Poller,
    jobs: Jobs,
    fsm: BaseStorage,
    metrics: Metrics,
) -> WebServer:
    """Health, metrics and (with a 17TRACK key) its push endpoint, on WEB_HOST:WEB_PORT."""
    pushes = (
        Track17Pushes(tracking, settings.track17_api_key.get_secret_value())
        if settings.track17_api_key is not None
        else None
    )
    redis = fsm.redis if isinstance(fsm, RedisStorage) else None
    health = HealthCheck(tracking, poller, jobs, redis)
    return WebServer(build_web_app(pushes, health, metrics), settings.web_host, settings.web_port)
