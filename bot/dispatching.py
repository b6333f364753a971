"""The dispatcher: the routers, the services handlers get by name, the per-update middleware,
the commands menu, and where dialogue state lives."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import BotCommand, BotCommandScopeDefault

from bot.archive import Archive
from bot.config import Settings
from bot.dialogue_storage import DatabaseStorage
from bot.in_flight import GracefulDispatcher
from bot.middleware import UserContext
from bot.orders import Orders
from bot.poller import Poller
from bot.redis_turns import REDIS_TIMEOUT_SECONDS
from bot.settings_service import SettingsService
from bot.texts import Catalogue
from bot.tracking import TrackingService
from handlers import build_router
from providers.clock import Clock
from storage import Database

COMMANDS = ("add", "list", "status", "archive", "remove", "faq", "settings", "help")


def build_dispatcher(
    settings: Settings,
    tracking: TrackingService,
    catalogue: Catalogue,
    settings_service: SettingsService,
    poller: Poller,
    fsm_storage: BaseStorage,
) -> Dispatcher:
    dispatcher = GracefulDispatcher(
        update_metrics=tracking.metrics,
        storage=fsm_storage,
        tracking=tracking,
        catalogue=catalogue,
        settings_service=settings_service,
        order_pattern=settings.order_regex,
        shop_name=settings.shop_name,
        link_secret=(
            settings.shop_link_secret.get_secret_value() if settings.shop_link_secret else None
        ),
        orders=Orders(tracking),
        archive=Archive(tracking.db),
        poller=poller,
        admin_ids=frozenset(settings.admin_ids),
    )
    dispatcher.update.outer_middleware(UserContext(tracking, catalogue, settings.default_timezone))
    dispatcher.include_router(build_router())
    dispatcher.startup.register(set_commands)
    return dispatcher


async def set_commands(bot: Bot, catalogue: Catalogue) -> None:
    """The commands menu in each language; the default scope gets the default language."""
    for language in catalogue.languages:
        texts = catalogue.for_language(language)
        commands = [BotCommand(command=c, description=texts(f"cmd-{c}")) for c in COMMANDS]
        await bot.set_my_commands(commands, BotCommandScopeDefault(), language_code=language)
    texts = catalogue.for_language(None)
    await bot.set_my_commands(
        [BotCommand(command=c, description=texts(f"cmd-{c}")) for c in COMMANDS]
    )


def build_fsm_storage(settings: Settings, db: Database, clock: Clock) -> BaseStorage:
    """Dialogue state lives in Redis when there is one, else in the database."""
    if settings.redis_url:
        return RedisStorage.from_url(
            settings.redis_url,
            connection_kwargs={
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            },
        )
    return DatabaseStorage(db, clock)
