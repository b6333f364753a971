"""The configured sources, built for the composition root: one paced HTTP client each."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

import httpx

from bot.config import Settings
from bot.daily_calls import StoredDailyCalls
from bot.pacing import paced_client, source_turns
from bot.redis_turns import SharedSourceRates
from providers.base import Provider
from providers.clock import Clock
from providers.demo import DemoProvider
from providers.russianpost import RussianPostProvider
from providers.shop import ShopProvider
from providers.track17 import Track17Provider
from storage import Database

ClientFor = Callable[[str, type[Provider]], Awaitable[httpx.AsyncClient]]


async def build_providers(
    settings: Settings,
    stack: contextlib.AsyncExitStack,
    clock: Clock,
    db: Database,
    shared_rates: SharedSourceRates | None = None,
) -> list[Provider]:
    """The configured sources, each with its own HTTP client paced to the source's rate.

    Russian Post's daily allowance is counted in the database, shared by every process.
    """

    async def client(base_url: str, provider: type[Provider]) -> httpx.AsyncClient:
        turns = source_turns(provider.name, provider.rate_per_second, shared_rates)
        return await stack.enter_async_context(
            paced_client(base_url, settings.source_timeout_seconds, turns)
        )

    configured = [
        await _track17(settings, client),
        await _russian_post(settings, client, clock, db),
        await _shop(settings, client),
        DemoProvider(clock) if settings.demo_source else None,
    ]
    return [provider for provider in configured if provider is not None]


async def _track17(settings: Settings, client: ClientFor) -> Provider | None:
    """17TRACK, given an API key."""
    if settings.track17_api_key is None:
        return None
    return Track17Provider(
        await client(settings.track17_api_url, Track17Provider),
        settings.track17_api_key.get_secret_value(),
    )


async def _russian_post(
    settings: Settings, client: ClientFor, clock: Clock, db: Database
) -> Provider | None:
    """Russian Post, given a login and a password."""
    if not (settings.russian_post_login and settings.russian_post_password):
        return None
    return RussianPostProvider(
        await client(settings.russian_post_api_url, RussianPostProvider),
        settings.russian_post_login,
        settings.russian_post_password.get_secret_value(),
        daily_limit=settings.russian_post_daily_limit,
        clock=clock,
        daily_calls=StoredDailyCalls(db, RussianPostProvider.name),
    )


async def _shop(settings: Settings, client: ClientFor) -> Provider | None:
    """The shop's own order API, given its URL and a token."""
    if not (settings.shop_api_url and settings.shop_api_token):
        return None
    return ShopProvider(
        await client(settings.shop_api_url, ShopProvider),
        settings.shop_api_token.get_secret_value(),
        settings.shop_name,
    )
