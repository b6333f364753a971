"""Telegram's send limits, kept in one place: a global rate, one message a second per chat, and
the pause Telegram asks for with a 429.

In one process an evenly spaced aiolimiter and a small table do it. With REDIS_URL every process
takes turns from Redis: a generic cell rate algorithm (GCRA, as in redis-cell), run as Lua on
Redis's clock, hands out send times one interval apart, so N workers together send evenly under
SEND_RATE_PER_SECOND, never in bursts; a send that wakes late moves the later turns back. A key
per chat with a TTL spaces each chat, and a `paused_until` key living for a 429's retry_after
holds every process.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Protocol

import redis.asyncio as redis
from aiolimiter import AsyncLimiter
from redis.commands.core import AsyncScript

PER_CHAT_INTERVAL = 1.05  # seconds between two messages to one chat (Telegram: about 1/s)
RATE_MARGIN = 0.985  # stay just under the cap: sliding windows forgive no rounding
SHARED_RATE_MARGIN = 0.975  # several processes: a Redis round trip and their loops add jitter
LATE_SLACK = 0.003  # seconds a send may trail its turn: its share of the margin
PROMPT_ANSWER = 0.005  # seconds: an answer this quick places a turn on our clock well enough

# KEYS: next free send time (µs, Redis clock), pause. ARGV: interval (µs). Returns the wait (µs).
_TAKE_TURN = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1])) or 0)
local paused_ms = redis.call('PTTL', KEYS[2])
if paused_ms > 0 then slot = math.max(slot, now + paused_ms * 1000) end
local next_slot = slot + tonumber(ARGV[1])
local keep_ms = math.ceil((next_slot - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', next_slot), 'PX', keep_ms)
return slot - now
"""

# KEYS: next free send time. ARGV: how late a send went (µs), interval (µs).
_MOVE_BACK = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local slot = tonumber(redis.call('GET', KEYS[1])) or 0
local next_slot = math.max(slot + tonumber(ARGV[1]), now + tonumber(ARGV[2]))
local keep_ms = math.ceil((next_slot - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', next_slot), 'PX', keep_ms)
return 0
"""

# KEYS: the chat, pause. ARGV: per-chat interval (ms).
# Returns 0 (taken), the chat's wait (ms) or minus the pause left (ms).
_TAKE_CHAT = """
local paused_ms = redis.call('PTTL', KEYS[2])
if paused_ms > 0 then return -paused_ms end
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 0 end
return math.max(1, redis.call('PTTL', KEYS[1]))
"""

# KEYS: pause. ARGV: its length (ms). A pause is lengthened, never shortened.
_PAUSE = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 0
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
        self._redis = redis.Redis.from_url(redis_url)
        self._interval_us = math.ceil(1_000_000 / (rate_per_second * SHARED_RATE_MARGIN))
        self._prefix = f"send_cap:{namespace}"
        self._turn_key = f"{self._prefix}:next_send_at"
        self._pause_key = f"{self._prefix}:paused_until"
        self._take_turn: AsyncScript = self._redis.register_script(_TAKE_TURN)
        self._move_back: AsyncScript = self._redis.register_script(_MOVE_BACK)
        self._take_chat: AsyncScript = self._redis.register_script(_TAKE_CHAT)
        self._set_pause: AsyncScript = self._redis.register_script(_PAUSE)

    async def acquire_global(self) -> None:
        asked = time.monotonic()
        keys = [self._turn_key, self._pause_key]
        wait = int(await self._take_turn(keys, [self._interval_us])) / 1_000_000
        answered = time.monotonic()
        # Redis took the turn between request and reply; after a slow reply, wait from the
        # reply, so as never to go early.
        due = (asked if answered - asked <= PROMPT_ANSWER else answered) + wait
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        late = time.monotonic() - (asked + wait) - LATE_SLACK  # at most this, beyond the slack
        if late > 0:
            # A late send crowds the turns after it into one second: move the next ones back.
            await self._move_back([self._turn_key], [int(late * 1_000_000), self._interval_us])

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
        await self._set_pause([self._pause_key], [math.ceil(seconds * 1000)])

    async def paused_for(self) -> float:
        return max(0, int(await self._redis.pttl(self._pause_key))) / 1000

    async def close(self) -> None:
        await self._redis.aclose()
