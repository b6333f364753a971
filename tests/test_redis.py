"""With REDIS_URL: several processes share one send cap and each source's rate, and dialogue
state lives in Redis. Redis runs at 127.0.0.1:6379 on these machines; unreachable, these tests
skip locally and fail under CI=true."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis.asyncio as redis

from bot.app import App, assemble
from bot.pacing import paced_client, source_turns
from bot.redis_turns import SharedSourceRates, redis_problem
from bot.send_cap import RedisSendCap
from providers.clock import ManualClock
from providers.statuses import Status
from storage import open_database
from tests.conftest import make_settings, running_bot
from tests.fakes.chat import Chat
from tests.fakes.plain_source import PlainSource
from tests.fakes.shop import FakeShop
from tests.fakes.source import ScriptedSource
from tests.fakes.tcp_cut import CuttableLink
from tests.fakes.telegram import FakeTelegram
from tests.outage_checks import met_calmly
from tests.stamps import most_in_window
from tests.webhooks import deliver, free_port, webhook_bot, webhook_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CODE = "RA000012349CN"


@pytest.fixture
async def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (redis.ConnectionError, OSError) as exc:
        if os.environ.get("CI", "").lower() in {"true", "1"}:
            pytest.fail(f"CI=true but Redis is unreachable: {exc}", pytrace=False)
        pytest.skip(f"Redis unreachable (set TEST_REDIS_URL): {exc}")
    finally:
        await client.aclose()
    return REDIS_URL


@pytest.fixture
def namespace() -> str:
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
async def two_caps(redis_url: str, namespace: str) -> AsyncIterator[list[RedisSendCap]]:
    """Two caps on one namespace and their own connections, as two processes hold them."""
    caps = [RedisSendCap(redis_url, 20, namespace) for _ in range(2)]
    yield caps
    for cap in caps:
        await cap.close()


async def test_two_processes_sharing_a_cap_send_evenly_under_it_together(
    two_caps: list[RedisSendCap],
) -> None:
    stamps: list[float] = []

    async def send(cap: RedisSendCap, count: int) -> None:
        for _ in range(count):
            await cap.acquire_global()
            stamps.append(time.monotonic())

    await asyncio.gather(*(send(cap, 20) for cap in two_caps))
    # 40 turns at 20/s: about two seconds whoever asks; 50 ms of slack for the event loop.
    assert 1.8 < max(stamps) - min(stamps) < 3.0
    assert most_in_window(stamps, 0.95) <= 20
    assert most_in_window(stamps, 0.45) <= 10  # evenly spaced, not in bursts


async def test_a_chat_gets_one_message_a_second_across_processes(
    two_caps: list[RedisSendCap],
) -> None:
    first, second = two_caps
    taken: list[float] = []

    async def send_to_one_chat(cap: RedisSendCap, until: float) -> None:
        while time.monotonic() < until:
            await cap.acquire_global()
            if await cap.reserve_chat(42) == 0:
                taken.append(time.monotonic())

    assert await first.reserve_chat(43) == 0
    assert await second.reserve_chat(44) == 0  # another chat is free at once
    until = time.monotonic() + 2.2
    await asyncio.gather(send_to_one_chat(first, until), send_to_one_chat(second, until))
    taken.sort()
    assert len(taken) >= 2
    assert min(b - a for a, b in itertools.pairwise(taken)) >= 1.0


async def test_a_pause_set_by_one_process_holds_the_other(two_caps: list[RedisSendCap]) -> None:
    first, second = two_caps
    await first.pause(1.0)
    assert 0.8 < await second.paused_for() <= 1.0
    assert await second.reserve_chat(42) > 0  # no chat is taken while paused
    await first.pause(0.2)  # a shorter pause never cuts a longer one
    assert await second.paused_for() > 0.5
    started = time.monotonic()
    await second.acquire_global()
    assert time.monotonic() - started > 0.8
    assert await second.paused_for() == 0
    assert await second.reserve_chat(42) == 0


async def test_a_429_in_one_process_holds_the_senders_of_the_others(
    tmp_path: Path, clock: ManualClock, redis_url: str
) -> None:
    # A token of its own: the pause lives under the bot's id and must not reach other tests.
    token = f"{7_200_000_000 + uuid.uuid4().int % 10**8}:RedisPauseTestToken_abcdefghijklmnop"
    source = ScriptedSource()
    async with FakeTelegram(token) as tg:
        settings = make_settings(tg, tmp_path / "bot.sqlite3", redis_url=redis_url)
        async with (
            running_bot(settings, clock, [source]) as first,
            assemble(settings, clock=clock, providers=[source]) as second,
        ):
            assert first.sender is not None and second.sender is not None
            await Chat(tg, 1, language_code="ru").sends(CODE)
            source.set(
                CODE,
                Status.IN_TRANSIT,
                (clock.now - timedelta(hours=1), Status.IN_TRANSIT, "Покинуло центр", "Москва"),
            )
            clock.advance(hours=3)
            tg.fail_next("sendMessage", error_code=429, retry_after=1)
            await first.poller.tick()
            await first.sender.drain(budget_seconds=5)
            clock.advance(seconds=2)  # the alert is due again by the bot's clock
            await second.sender.drain(budget_seconds=5)
    (refused,) = [c for c in tg.calls if c.method == "sendMessage" and c.status == 429]
    (alert,) = [m for m in tg.sent if m.action == "send" and m.text.startswith("🔔")]
    assert alert.at - refused.answered_at > 0.9


@pytest.fixture
async def redis_bot(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock, redis_url: str
) -> AsyncIterator[App]:
    settings = make_settings(tg, tmp_path / "bot.sqlite3", redis_url=redis_url)
    async with running_bot(settings, clock) as app:
        yield app


async def test_a_dialogue_survives_in_redis_across_a_restart(
    tg: FakeTelegram,
    tmp_path: Path,
    clock: ManualClock,
    redis_url: str,
    chat: Callable[..., Chat],
) -> None:
    user = 700_000 + uuid.uuid4().int % 100_000
    settings = make_settings(tg, tmp_path / "bot.sqlite3", redis_url=redis_url)
    alice = chat(user, "ru")
    async with running_bot(settings, clock) as first:
        card = await alice.sends("RA000012349CN")
        prompt = await alice.taps("Изменить подпись", on=card)
        assert prompt.message is not None and "Пришлите новую подпись" in prompt.message.text
        async with first.db.read() as tx:
            assert await tx.dialogues.count() == 0  # not in the database...
    assert len(await dialogue_keys(redis_url, user)) == 2  # ...but in Redis: state and data
    async with running_bot(settings, clock):
        done = await alice.sends("Зимние ботинки")
        assert "Подпись сохранена" in done.text
        assert "Зимние ботинки" in (await alice.sends("/list")).text
    assert await dialogue_keys(redis_url, user) == []  # the dialogue is over


async def test_a_redis_that_refuses_the_bot_is_told_apart_from_one_out_of_reach(
    redis_url: str,
) -> None:
    """A refusal (here a database number the server does not have) will not mend itself, so
    `run` exits 2 for it; a server out of reach may be up by the next try (exit 1)."""
    assert await redis_problem(redis_url) is None
    refused = await redis_problem(redis_url.rsplit("/", 1)[0] + "/9999")
    assert refused is not None and refused.refused and "out of range" in refused.reason
    away = await redis_problem("redis://127.0.0.1:1/0")
    assert away is not None and not away.refused


async def dialogue_keys(redis_url: str, user: int) -> list[bytes]:
    client = redis.from_url(redis_url)
    try:
        return [key async for key in client.scan_iter(match=f"fsm:*{user}:*")]
    finally:
        await client.aclose()


async def due_orders(url: str, shop: FakeShop, count: int) -> None:
    """`count` followed orders of the shop, each due a minute ago."""
    now = datetime.now(UTC)
    db = await open_database(url)
    try:
        async with db.transaction() as tx:
            for n in range(count):
                number = f"{7_000_000 + n}"
                shop.add_order(number, f"buyer{n}@example.ru")
                await tx.users.seen(500 + n, "ru", now)
                shipment, _ = await tx.shipments.get_or_create("shop", number, "order", now)
                await tx.subscriptions.add(500 + n, shipment.id, "", now)
                await tx.shipments.set_next_check([shipment.id], now - timedelta(minutes=1))
    finally:
        await db.close()


async def test_two_workers_together_keep_a_sources_rate(
    tg: FakeTelegram, tmp_path: Path, redis_url: str
) -> None:
    # A bot id of its own: the schedule lives under it and must not meet other tests'.
    token = f"{7_300_000_000 + uuid.uuid4().int % 10**8}:RedisRateTestToken_abcdefghijklmnop"
    async with FakeShop() as shop:
        settings = make_settings(
            tg,
            tmp_path / "bot.sqlite3",
            demo_source=False,
            redis_url=redis_url,
            bot_token=token,
            shop_api_url=shop.url,
            shop_api_token=shop.token,
            shop_name="Лавка",
            shop_order_pattern=r"^\d{7}$",
        )
        await due_orders(settings.database_url, shop, 12)
        async with (
            assemble(settings, with_bot=False) as first,
            assemble(settings, with_bot=False) as second,
        ):
            reports = await asyncio.gather(first.poller.tick(), second.poller.tick())
    assert sum(r.due for r in reports) == 12 and all(r.due for r in reports)  # work was shared
    assert sum(r.batches.polled for r in reports) == 12
    assert len(shop.received_at) == 12  # one order per request
    assert most_in_window(shop.received_at, 1.0) <= 5  # alone, each worker would allow five


@pytest.mark.parametrize("reachable", [True, False])
async def test_healthz_tells_whether_redis_answers(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock, redis_url: str, reachable: bool
) -> None:
    settings = make_settings(
        tg,
        tmp_path / "bot.sqlite3",
        web_port=0,
        redis_url=redis_url if reachable else "redis://127.0.0.1:1/0",  # nothing on port 1
    )
    async with assemble(settings, clock=clock) as app:
        await app.web.start()
        app.jobs.start()
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{app.web.port}/healthz")
    report = response.json()
    if reachable:
        assert response.status_code == 200 and report["checks"]["redis"] == "ok"
    else:
        assert response.status_code == 503
        assert report["checks"]["redis"] == "error: ConnectionError"
        assert report["checks"]["database"] == "ok"  # the rest still says how it is


async def test_a_429_from_a_source_holds_every_workers_requests_to_it(
    redis_url: str, namespace: str
) -> None:
    rates = [SharedSourceRates(redis_url, namespace) for _ in range(2)]
    try:
        async with PlainSource(refuse_first=True) as source:
            first, second = (
                paced_client(source.url, 5.0, source_turns("shop", 50.0, shared))
                for shared in rates
            )
            async with first, second:
                assert (await first.get("/", params={"worker": "first"})).status_code == 429
                assert (await second.get("/", params={"worker": "second"})).status_code == 200
    finally:
        for shared in rates:
            await shared.close()
    (_, refused_at), (worker, asked_at) = source.received
    assert worker == "second" and asked_at - refused_at >= 0.95  # the other worker waited


async def test_while_redis_is_out_of_reach_users_are_asked_to_repeat_and_the_log_has_one_line(
    tg: FakeTelegram,
    tmp_path: Path,
    clock: ManualClock,
    redis_url: str,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    target = redis.Redis.from_url(redis_url).connection_pool.connection_kwargs
    async with CuttableLink(target["host"], target["port"]) as link:
        settings = make_settings(
            tg, tmp_path / "bot.sqlite3", redis_url=f"redis://127.0.0.1:{link.port}/0"
        )
        alice = chat(800_000 + uuid.uuid4().int % 100_000, "ru")
        bob = chat(900_000 + uuid.uuid4().int % 100_000, "en")
        async with running_bot(settings, clock) as app:
            card = await alice.sends(CODE)
            received = app.tracking.metrics.registry.get_sample_value
            messages_before = received("bot_updates_total", {"type": "message"})
            link.sever()
            caplog.clear()
            failed = await met_calmly(alice, card, app, caplog, "redis")
            english = await bob.sends("/start")
            assert "send this again in a minute" in english.text
            assert failed == 3
            # Received though lost: three messages and a press during the outage.
            assert received("bot_updates_total", {"type": "message"}) == messages_before + 3
            assert received("bot_updates_total", {"type": "callback_query"}) == 1
            link.mend()
            listing = await alice.sends("/list")
            assert CODE in listing.text and "RA000056781RU" not in listing.text


async def test_in_webhook_mode_an_update_redis_could_not_serve_is_handled_on_its_redelivery(
    tg: FakeTelegram,
    tmp_path: Path,
    clock: ManualClock,
    redis_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    target = redis.Redis.from_url(redis_url).connection_pool.connection_kwargs
    alice = Chat(tg, 700_000 + uuid.uuid4().int % 100_000, language_code="ru")
    update = {"update_id": 31, "message": alice.message_update(CODE)}
    async with CuttableLink(target["host"], target["port"]) as link:
        port = free_port()
        link_url = f"redis://127.0.0.1:{link.port}/0"
        settings = webhook_settings(tg, tmp_path / "bot.sqlite3", port, redis_url=link_url)
        async with webhook_bot(settings, clock) as app:
            link.sever()
            caplog.clear()
            assert await deliver(port, update) == 503
            assert await deliver(port, update) == 503  # Telegram's next try, still down
            await asyncio.sleep(0.3)
            assert alice.messages == []  # nothing to repeat: Telegram will
            own = [r for r in caplog.records if r.name.startswith(("bot", "handlers"))]
            assert all(r.exc_info is None for r in own if r.levelno >= logging.WARNING)
            assert any("updates go back to Telegram" in r.getMessage() for r in own)
            link.mend()
            assert await deliver(port, update) == 200
            await tg.wait_until(lambda: bool(alice.messages), 10, "the card")
            assert await deliver(port, update) == 200  # and a later repeat is skipped
            await asyncio.sleep(0.3)
            failed = app.tracking.metrics.registry.get_sample_value(
                "bot_updates_failed_total", {"reason": "outage"}
            )
    assert len(alice.messages) == 1 and CODE in alice.messages[0].text
    assert failed == 2
