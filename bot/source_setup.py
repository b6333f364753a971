"""The configured sources, built for the composition root: one paced HTTP client each."""

from __future__ import annotations

import contextlib

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

    providers: list[Provider] = []
    if settings.track17_api_key is not None:
        providers.append(
            Track17Provider(
                await client(settings.track17_api_url, Track17Provider),
                settings.track17_api_key.get_secret_value(),
            )
        )
    if settings.russian_post_login and settings.russian_post_password:
        providers.append(
            RussianPostProvider(
                await client(settings.russian_post_api_url, RussianPostProvider),
                settings.russian_post_login,
                settings.russian_post_password.get_secret_value(),
                daily_limit=settings.russian_post_daily_limit,
                clock=clock,
                daily_calls=StoredDailyCalls(db, RussianPostProvider.name),
            )
        )
    if settings.shop_api_url and settings.shop_api_token:
        providers.append(
            ShopProvider(
                await client(settings.shop_api_url, ShopProvider),
                settings.shop_api_token.get_secret_value(),
                settings.shop_name,
            )
        )
    if settings.demo_source:
        providers.append(DemoProvider(clock))
    return providers
