"""Each source's request rate, kept on every request its HTTP client sends.

The poll tick, a user's refresh or `/add`, an inline look-up, an order check and the register
call 17TRACK needs after a look-up all take turns of one schedule per source (with Redis, one
for every worker). Turns are evenly spaced, never a burst, since carriers count requests in a
sliding second: 17TRACK answers 429 past three.
"""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from types import TracebackType

import httpx
import redis.asyncio as redis
from aiolimiter import AsyncLimiter

from bot.redis_turns import RedisTurns, SharedSourceRates
from bot.send_cap import RATE_MARGIN

log = logging.getLogger(__name__)


class SharedTurns:
    """Turns from Redis; while Redis cannot be reached, from this process alone.

    A Redis outage then costs the shared rate (each worker keeps its own), not every request
    to every source.
    """

    def __init__(self, source: str, shared: RedisTurns, local: AsyncLimiter) -> None:
        self._source = source
        self._shared = shared
        self._local = local
        self._failing = False

    async def __aenter__(self) -> None:
        try:
            await self._shared.take()
        except redis.RedisError as exc:
            if not self._failing:
                log.warning(
                    "Redis unreachable for the %s request rate (%s); keeping it per process",
                    self._source,
                    type(exc).__name__,
                )
            self._failing = True
            await self._local.acquire()
            return
        if self._failing:
            log.info("Redis reachable again for the %s request rate", self._source)
        self._failing = False

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


def source_turns(
    source: str, rate_per_second: float, shared: SharedSourceRates | None
) -> AbstractAsyncContextManager[None]:
    """`async with turns:` returns when one more request fits the source's rate."""
    rate_per_second = max(rate_per_second, 0.001)
    local = AsyncLimiter(1, 1 / (rate_per_second * RATE_MARGIN))
    if shared is None:
        return local
    return SharedTurns(source, shared.gate(source, rate_per_second), local)


def paced_client(
    base_url: str, timeout: float, turns: AbstractAsyncContextManager[None]
) -> httpx.AsyncClient:
    """A client whose every request first waits for its turn (not counted in the timeout)."""

    async def wait_for_turn(request: httpx.Request) -> None:
        async with turns:
            return

    return httpx.AsyncClient(
        base_url=base_url, timeout=timeout, event_hooks={"request": [wait_for_turn]}
    )
