"""Telegram's send limits, kept in one place: a global rate, one message a second per chat, and
the pause Telegram asks for with a 429.

In one process an evenly spaced aiolimiter and a small table do it. With REDIS_URL every process
takes its send turns from one schedule in Redis (`bot/redis_turns.py`), so N workers together
send evenly under SEND_RATE_PER_SECOND, never in bursts. A key per chat with a TTL spaces each
chat, and a `paused_until` key living for a 429's retry_after holds every process.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Protocol

import redis.asyncio as redis
from aiolimiter import AsyncLimiter
from redis.commands.core import AsyncScript

from bot.redis_turns import REDIS_TIMEOUT_SECONDS, RedisTurns

PER_CHAT_INTERVAL = 1.05  # seconds between two messages to one chat (Telegram: about 1/s)
RATE_MARGIN = 0.985  # stay just under the cap: sliding windows forgive no rounding

# KEYS: the chat, pause. ARGV: per-chat interval (ms).
# Returns 0 (taken), the chat's wait (ms) or minus the pause left (ms).
_TAKE_CHAT = """
local paused_ms = redis.call('PTTL', KEYS[2])
if paused_ms > 0 then return -paused_ms end
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 0 end
return math.max(1, redis.call('PTTL', KEYS[1]))
"""


class SendCap(Protocol):
    async def acquire_global(self) -> None:
        """Wait until one more message fits under the global rate (and any pause is over)."""

    def chat_wait(self, chat_id: int) -> float:
        """A cheap look, when planning: seconds until the chat is free (0 if unknown)."""

    async def reserve_chat(self, chat_id: int) -> float:
        """Right before sending: take the chat's slot (0), or seconds to wait (or paused)."""

    def release_chat(self, chat_id: int) -> None:
        """Nothing was delivered: the reservation does not count."""

    async def pause(self, seconds: float) -> None:
        """Telegram answered 429: hold every send sharing this cap for `seconds`."""

    async def paused_for(self) -> float:
        """Seconds left of a pause (0 if none)."""

    async def close(self) -> None:
        """Let go of connections, if any."""


class LocalSendCap:
    def __init__(self, rate_per_second: float) -> None:
        self._limiter = AsyncLimiter(1, 1 / (rate_per_second * RATE_MARGIN))
        self._chat_free_at: dict[int, float] = {}
        self._paused_until = 0.0

    async def acquire_global(self) -> None:
        paused = self._paused_until - time.monotonic()
        if paused > 0:
            await asyncio.sleep(paused)
        await self._limiter.acquire()

    def chat_wait(self, chat_id: int) -> float:
        return max(0.0, self._chat_free_at.get(chat_id, 0.0) - time.monotonic())

    async def reserve_chat(self, chat_id: int) -> float:
        now = time.monotonic()
        wait = max(self._paused_until, self._chat_free_at.get(chat_id, 0.0)) - now
        if wait > 0:
            return wait
        self._chat_free_at[chat_id] = now + PER_CHAT_INTERVAL
        if len(self._chat_free_at) > 10_000:
            self._chat_free_at = {c: t for c, t in self._chat_free_at.items() if t > now}
        return 0.0

    def release_chat(self, chat_id: int) -> None:
        self._chat_free_at.pop(chat_id, None)

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def paused_for(self) -> float:
        return max(0.0, self._paused_until - time.monotonic())

    async def close(self) -> None:
        return None


class RedisSendCap:
    """Send turns, chat slots and the pause in Redis, shared by all processes of one bot.

    Keys are `send_cap:<namespace>:...`, the namespace carrying the bot's id, so bots sharing
    a Redis keep apart. Times come from Redis (`TIME`, key TTLs), so process clocks may differ.
    """

    def __init__(self, redis_url: str, rate_per_second: float, namespace: str) -> None:
        self._redis = redis.Redis.from_url(
            redis_url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._prefix = f"send_cap:{namespace}"
        self._pause_key = f"{self._prefix}:paused_until"
        self._turns = RedisTurns(
            self._redis, f"{self._prefix}:next_send_at", self._pause_key, rate_per_second
        )
        self._take_chat: AsyncScript = self._redis.register_script(_TAKE_CHAT)

    async def acquire_global(self) -> None:
        await self._turns.take()

    def chat_wait(self, chat_id: int) -> float:
        return 0.0  # known only to Redis: reserve_chat asks it, right before the send

    async def reserve_chat(self, chat_id: int) -> float:
        """Take the chat, or wait for it if a message to it has just gone out.

        Sent back to the queue, the message would wait for a later drain; waiting here for
        under PER_CHAT_INTERVAL, then for a new turn, costs only the turn already taken.
        """
        busy_ms = await self._try_chat(chat_id)
        if busy_ms > 0:
            await asyncio.sleep(busy_ms / 1000)
            await self.acquire_global()
            busy_ms = await self._try_chat(chat_id)
        return abs(busy_ms) / 1000  # below zero: paused

    async def _try_chat(self, chat_id: int) -> int:
        keys = [f"{self._prefix}:chat:{chat_id}", self._pause_key]
        return int(await self._take_chat(keys, [math.ceil(PER_CHAT_INTERVAL * 1000)]))

    def release_chat(self, chat_id: int) -> None:
        return None  # the chat's key in Redis expires within PER_CHAT_INTERVAL

    async def pause(self, seconds: float) -> None:
        await self._turns.pause(seconds)

    async def paused_for(self) -> float:
        return max(0, int(await self._redis.pttl(self._pause_key))) / 1000

    async def close(self) -> None:
        await self._redis.aclose()
