"""Telegram's send limits, kept in one place: a global rate and one message a second per chat.

In one process an evenly spaced aiolimiter and a small table do it. With REDIS_URL the limits
are shared by every process through the `limits` library's moving windows in Redis, so N
workers together stay under SEND_RATE_PER_SECOND.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol

from aiolimiter import AsyncLimiter
from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool

PER_CHAT_INTERVAL = 1.05  # seconds between two messages to one chat (Telegram: about 1/s)
RATE_MARGIN = 0.985  # stay just under the cap: sliding windows forgive no rounding
REDIS_POLL_SECONDS = 0.01


class SendCap(Protocol):
    async def acquire_global(self) -> None:
        """Wait until one more message fits under the global rate."""

    def chat_wait(self, chat_id: int) -> float:
        """A cheap look, when planning: seconds until the chat is free (0 if unknown)."""

    async def reserve_chat(self, chat_id: int) -> float:
        """Right before sending: take the chat's slot (0), or seconds to wait."""

    def release_chat(self, chat_id: int) -> None:
        """Nothing was delivered: the reservation does not count."""

    async def close(self) -> None:
        """Let go of connections, if any."""


class LocalSendCap:
    def __init__(self, rate_per_second: float) -> None:
        self._limiter = AsyncLimiter(1, 1 / (rate_per_second * RATE_MARGIN))
        self._chat_free_at: dict[int, float] = {}

    async def acquire_global(self) -> None:
        await self._limiter.acquire()

    def chat_wait(self, chat_id: int) -> float:
        return max(0.0, self._chat_free_at.get(chat_id, 0.0) - time.monotonic())

    async def reserve_chat(self, chat_id: int) -> float:
        now = time.monotonic()
        wait = self._chat_free_at.get(chat_id, 0.0) - now
        if wait > 0:
            return wait
        self._chat_free_at[chat_id] = now + PER_CHAT_INTERVAL
        if len(self._chat_free_at) > 10_000:
            self._chat_free_at = {c: t for c, t in self._chat_free_at.items() if t > now}
        return 0.0

    def release_chat(self, chat_id: int) -> None:
        self._chat_free_at.pop(chat_id, None)

    async def close(self) -> None:
        return None


class RedisSendCap:
    """Moving windows in Redis, shared by all processes of one bot (keys carry its id)."""

    def __init__(self, redis_url: str, rate_per_second: float, namespace: str) -> None:
        uri = redis_url.replace("redis://", "async+redis://", 1)
        self._pool = ConnectionPool.from_url(redis_url)  # ours, so that close() can end it
        pool: dict[str, Any] = {"connection_pool": self._pool}  # accepted, though not in hints
        storage = RedisStorage(uri, implementation="redispy", **pool)
        self._limiter = MovingWindowRateLimiter(storage)
        self._global = RateLimitItemPerSecond(max(1, int(rate_per_second * RATE_MARGIN)), 1)
        self._chat = RateLimitItemPerSecond(1, 1)
        self._namespace = namespace

    async def acquire_global(self) -> None:
        while True:
            if await self._limiter.hit(self._global, self._namespace, "global"):
                return
            stats = await self._limiter.get_window_stats(self._global, self._namespace, "global")
            await asyncio.sleep(max(REDIS_POLL_SECONDS, min(stats.reset_time - time.time(), 1.0)))

    def chat_wait(self, chat_id: int) -> float:
        return 0.0  # known only to Redis; reserve_chat asks it right before the send

    async def reserve_chat(self, chat_id: int) -> float:
        if await self._limiter.hit(self._chat, self._namespace, "chat", str(chat_id)):
            return 0.0
        return PER_CHAT_INTERVAL

    def release_chat(self, chat_id: int) -> None:
        return None  # a moving window cannot give a hit back; the slot simply expires

    async def close(self) -> None:
        await self._pool.aclose()
