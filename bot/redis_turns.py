"""Evenly spaced turns shared through Redis: the send cap of all processes and the call rate of
each source across workers.

A generic cell rate algorithm (GCRA, as in redis-cell), run as Lua on Redis's clock, hands out
turn times one interval apart, so N processes together stay under one rate, never in bursts; a
caller that wakes late moves the later turns back. An optional pause key (a 429's retry_after)
holds every turn until it expires.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass

import redis.asyncio as redis
from redis.commands.core import AsyncScript

# A Redis that stops answering (not one that refuses) would otherwise hold each call for as long
# as TCP keeps retrying; a URL's own `socket_timeout=` and `socket_connect_timeout=` win.
REDIS_TIMEOUT_SECONDS = 5.0
SHARED_RATE_MARGIN = 0.975  # several processes: a Redis round trip and their loops add jitter
LATE_SLACK = 0.003  # seconds a turn may be taken late: its share of the margin
PROMPT_ANSWER = 0.005  # seconds: an answer this quick places a turn on our clock well enough

# KEYS: next free turn (µs, Redis clock), pause. ARGV: interval (µs). Returns the wait (µs).
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

# KEYS: next free turn. ARGV: how late a turn was taken (µs), interval (µs).
_MOVE_BACK = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local slot = tonumber(redis.call('GET', KEYS[1])) or 0
local next_slot = math.max(slot + tonumber(ARGV[1]), now + tonumber(ARGV[2]))
local keep_ms = math.ceil((next_slot - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', next_slot), 'PX', keep_ms)
return 0
"""


# KEYS: pause. ARGV: milliseconds. Lengthens a pause, never shortens one.
_PAUSE = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 0
"""


class RedisTurns:
    """`await turns.take()` returns when this caller's turn has come; `pause` holds them all."""

    def __init__(
        self, client: redis.Redis, key: str, pause_key: str, rate_per_second: float
    ) -> None:
        self._keys = [key, pause_key]
        self._interval_us = math.ceil(1_000_000 / (rate_per_second * SHARED_RATE_MARGIN))
        self._take_turn: AsyncScript = client.register_script(_TAKE_TURN)
        self._move_back: AsyncScript = client.register_script(_MOVE_BACK)
        self._pause: AsyncScript = client.register_script(_PAUSE)

    async def take(self) -> None:
        asked = time.monotonic()
        wait = int(await self._take_turn(self._keys, [self._interval_us])) / 1_000_000
        answered = time.monotonic()
        # Redis took the turn between request and reply; after a slow reply, wait from the
        # reply, so as never to go early.
        due = (asked if answered - asked <= PROMPT_ANSWER else answered) + wait
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        late = time.monotonic() - (asked + wait) - LATE_SLACK  # at most this, beyond the slack
        if late > 0:
            # A late turn crowds the turns after it into one second: move the next ones back.
            await self._move_back(self._keys[:1], [int(late * 1_000_000), self._interval_us])

    async def pause(self, seconds: float) -> None:
        """No turn for anyone for `seconds` (the other side answered 429)."""
        await self._pause(self._keys[1:], [math.ceil(seconds * 1000)])


class SharedSourceRates:
    """Each source's call rate, shared by every process of one bot through Redis."""

    def __init__(self, redis_url: str, namespace: str) -> None:
        self._redis = redis.Redis.from_url(
            redis_url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._prefix = f"source_rate:{namespace}"

    def gate(self, source: str, rate_per_second: float) -> RedisTurns:
        key = f"{self._prefix}:{source}"
        return RedisTurns(self._redis, f"{key}:next_call_at", f"{key}:paused", rate_per_second)

    async def close(self) -> None:
        await self._redis.aclose()


@dataclass(frozen=True, slots=True)
class RedisProblem:
    reason: str  # in words that name no password
    refused: bool  # Redis answered and said no (password, database number): no retry mends it


async def redis_problem(redis_url: str) -> RedisProblem | None:
    """None when Redis answers a PING; otherwise why not.

    Checked at start: the FSM storage reads Redis for every update, so a bot that started
    without it would answer every message with an error.
    """
    try:
        client = redis.Redis.from_url(
            redis_url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
    except ValueError as exc:
        return RedisProblem(str(exc), refused=True)
    try:
        await client.ping()
    except (redis.AuthenticationError, redis.ResponseError) as exc:
        return RedisProblem(str(exc) or type(exc).__name__, refused=True)
    except (redis.RedisError, OSError) as exc:
        return RedisProblem(str(exc) or type(exc).__name__, refused=False)
    finally:
        await client.aclose()
    return None
