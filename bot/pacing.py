"""Each source's request rate, kept on every request its HTTP client sends.

The poll tick, a user's refresh or `/add`, an inline look-up, an order check and the register
call 17TRACK needs after a look-up all take turns of one schedule per source (with Redis, one
for every worker). Turns are evenly spaced, never a burst, since carriers count requests in a
sliding second: 17TRACK answers 429 past three. A 429 holds the source's turns for its
Retry-After, in every worker that shares them, rather than only in the one that was refused.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

import httpx
import redis.asyncio as redis
from aiolimiter import AsyncLimiter

from bot.redis_turns import RedisTurns, SharedSourceRates
from bot.send_cap import RATE_MARGIN
from providers.http_status import retry_after_seconds

log = logging.getLogger(__name__)

# Requests already waiting for a turn are held this long at most after a 429; a longer wait is
# the source's back-off (bot.sources), which refuses at once instead of keeping a user waiting.
MAX_HOLD_SECONDS = 60.0


class Turns(Protocol):
    async def take(self) -> None:
        """Return when one more request fits the source's rate and no pause holds it."""

    async def pause(self, seconds: float) -> None:
        """The source answered 429: no request for `seconds`."""


class LocalTurns:
    """Evenly spaced turns in this process."""

    def __init__(self, rate_per_second: float) -> None:
        self._limiter = AsyncLimiter(1, 1 / (rate_per_second * RATE_MARGIN))
        self._paused_until = 0.0

    async def take(self) -> None:
        wait = self._paused_until - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
            await self.take()  # the pause may have grown meanwhile
            return
        await self._limiter.acquire()

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)


class SharedTurns:
    """Turns from Redis; while Redis cannot be reached, from this process alone.

    A Redis outage then costs the shared rate (each worker keeps its own), not every request
    to every source.
    """

    def __init__(self, source: str, shared: RedisTurns, local: LocalTurns) -> None:
        self._source = source
        self._shared = shared
        self._local = local
        self._failing = False

    async def take(self) -> None:
        try:
            await self._shared.take()
        except redis.RedisError as exc:
            self._unreachable(exc)
            await self._local.take()
            return
        if self._failing:
            log.info("Redis reachable again for the %s request rate", self._source)
        self._failing = False

    async def pause(self, seconds: float) -> None:
        try:
            await self._shared.pause(seconds)
        except redis.RedisError as exc:
            self._unreachable(exc)
            await self._local.pause(seconds)

    def _unreachable(self, exc: redis.RedisError) -> None:
        if not self._failing:
            log.warning(
                "Redis unreachable for the %s request rate (%s); keeping it per process",
                self._source,
                type(exc).__name__,
            )
        self._failing = True


def source_turns(source: str, rate_per_second: float, shared: SharedSourceRates | None) -> Turns:
    rate_per_second = max(rate_per_second, 0.001)
    local = LocalTurns(rate_per_second)
    if shared is None:
        return local
    return SharedTurns(source, shared.gate(source, rate_per_second), local)


def paced_client(base_url: str, timeout: float, turns: Turns) -> httpx.AsyncClient:
    """A client whose every request first waits for its turn (not counted in the timeout)."""

    async def wait_for_turn(request: httpx.Request) -> None:
        await turns.take()

    async def hold_after_429(response: httpx.Response) -> None:
        if response.status_code == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            await turns.pause(min(wait, MAX_HOLD_SECONDS))

    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        event_hooks={"request": [wait_for_turn], "response": [hold_after_429]},
    )
