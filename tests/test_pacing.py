"""Each source's request pacing: evenly spaced turns, and a Redis outage that costs only the
sharing, not the requests."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time

import pytest

from bot.pacing import paced_client, source_turns
from bot.redis_turns import SharedSourceRates
from tests.fakes.plain_source import PlainSource
from tests.stamps import most_in_window

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


async def test_requests_of_a_paced_client_are_evenly_spaced_at_the_rate() -> None:
    async with (
        PlainSource() as source,
        paced_client(source.url, 5.0, source_turns("shop", 10.0, None)) as client,
    ):
        for _ in range(12):
            assert (await client.get("/")).status_code == 200
    received = source.stamps
    assert len(received) == 12
    gaps = [b - a for a, b in itertools.pairwise(received)]
    assert min(gaps) > 0.09  # never a burst: one request each tenth of a second
    assert most_in_window(received, 1.0) <= 10


async def test_with_redis_unreachable_turns_are_kept_in_the_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    shared = SharedSourceRates(UNREACHABLE_REDIS, "test-pacing")
    turns = source_turns("shop", 20.0, shared)
    taken: list[float] = []
    try:
        with caplog.at_level(logging.INFO, logger="bot.pacing"):
            for _ in range(5):
                await turns.take()
                taken.append(time.monotonic())
    finally:
        await shared.close()
    assert len(taken) == 5
    assert min(b - a for a, b in itertools.pairwise(taken)) > 0.045
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "shop" in warnings[0].getMessage()  # said once, not per call


async def test_a_paced_client_still_reaches_the_source_while_redis_is_down() -> None:
    shared = SharedSourceRates(UNREACHABLE_REDIS, "test-pacing")
    try:
        async with (
            PlainSource() as source,
            paced_client(source.url, 5.0, source_turns("shop", 50.0, shared)) as client,
        ):
            response = await client.get("/")
    finally:
        await shared.close()
    assert response.status_code == 200


async def test_a_redis_that_stops_answering_delays_a_turn_only_until_its_timeout() -> None:
    """A server that accepts the connection and then says nothing, as a partitioned Redis."""
    held: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    url = f"redis://127.0.0.1:{port}/0?socket_timeout=0.3&socket_connect_timeout=0.3"
    shared = SharedSourceRates(url, "test-pacing")
    try:
        started = time.monotonic()
        await source_turns("shop", 5.0, shared).take()
        waited = time.monotonic() - started
    finally:
        await shared.close()
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()
    assert held  # it did reach the silent server
    assert waited < 3.0


async def test_a_429_holds_the_next_request_for_its_retry_after() -> None:
    async with (
        PlainSource(refuse_first=True) as source,
        paced_client(source.url, 5.0, source_turns("shop", 50.0, None)) as client,
    ):
        statuses = [(await client.get("/")).status_code for _ in range(3)]
    received = source.stamps
    assert statuses == [429, 200, 200]
    assert received[1] - received[0] >= 0.95  # not the 20 ms the rate alone would allow
    assert received[2] - received[1] < 0.5
