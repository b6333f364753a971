"""Routing through the real sources: Russian codes to Russian Post when it is configured,
everything else to 17TRACK; each over HTTP to its fake, with the bot built from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.app import App, assemble
from bot.operator import watch_quotas
from providers.base import QuotaError
from providers.clock import ManualClock
from tests.conftest import make_settings, running_bot
from tests.fakes.chat import Chat
from tests.fakes.russianpost import FakeRussianPost, Operation
from tests.fakes.telegram import FakeTelegram
from tests.fakes.track17 import Fake17Track

DOMESTIC = "80102367216110"
RUSSIAN_S10 = "RA000056781RU"
CHINESE_S10 = "RA000012349CN"


@pytest.fixture
async def post() -> AsyncIterator[FakeRussianPost]:
    async with FakeRussianPost() as fake:
        yield fake


@pytest.fixture
async def track17() -> AsyncIterator[Fake17Track]:
    async with Fake17Track("routing-key") as fake:
        yield fake


@pytest.fixture
async def both(
    tg: FakeTelegram,
    tmp_path: Path,
    clock: ManualClock,
    post: FakeRussianPost,
    track17: Fake17Track,
) -> AsyncIterator[App]:
    settings = make_settings(
        tg,
        tmp_path / "bot.sqlite3",
        demo_source=False,
        track17_api_key="routing-key",
        track17_api_url=track17.url,
        russian_post_login=post.login,
        russian_post_password=post.password,
        russian_post_api_url=post.url,
    )
    async with running_bot(settings, clock) as app:
        yield app


async def test_russian_codes_go_to_russian_post_and_others_to_17track(
    both: App, post: FakeRussianPost, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    post.set_history(
        DOMESTIC,
        [
            Operation(1, 1, "2026-11-18T10:15:00.000+03:00", "101000", "Москва 101000"),
            Operation(8, 2, "2026-11-19T12:40:00.000+03:00", "101000", "Москва 101000"),
        ],
    )
    alice = chat(1, "ru")
    domestic = await alice.sends(DOMESTIC)
    await alice.sends(RUSSIAN_S10)
    await alice.sends(CHINESE_S10)
    asked_post = {r.barcode for r in post.requests}
    asked_17 = {item["number"] for r in track17.requests for item in _items(r.body)}
    assert asked_post == {DOMESTIC, RUSSIAN_S10}
    assert asked_17 == {CHINESE_S10}
    assert "Готово к выдаче" in domestic.text or "Прибыло" in domestic.text
    assert "Москва 101000" in domestic.text


async def test_russian_post_failing_keeps_the_item_and_says_so(
    both: App, post: FakeRussianPost, chat: Callable[..., Chat]
) -> None:
    post.fail_next(500)
    alice = chat(1, "ru")
    reply = await alice.sends(DOMESTIC)
    assert "не отвечает" in reply.text
    assert DOMESTIC in (await alice.sends("/list")).text


def _items(body: object) -> list[dict[str, str]]:
    return [i for i in body if isinstance(i, dict)] if isinstance(body, list) else []


async def test_russian_posts_daily_allowance_is_shared_by_workers_and_kept_over_a_restart(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock, post: FakeRussianPost
) -> None:
    settings = make_settings(
        tg,
        tmp_path / "bot.sqlite3",
        demo_source=False,
        russian_post_login=post.login,
        russian_post_password=post.password,
        russian_post_api_url=post.url,
        russian_post_daily_limit=3,
    )
    async with (
        assemble(settings, clock=clock, with_bot=False) as first,
        assemble(settings, clock=clock, with_bot=False) as second,
    ):
        for app in (first, second, first):
            await app.tracking.sources.fetch("russianpost", [DOMESTIC])
        with pytest.raises(QuotaError):  # each worker alone would still have calls left
            await second.tracking.sources.fetch("russianpost", [DOMESTIC])
    async with assemble(settings, clock=clock, with_bot=False) as restarted:
        with pytest.raises(QuotaError):
            await restarted.tracking.sources.fetch("russianpost", [DOMESTIC])
        assert len(post.requests) == 3
        await watch_quotas(restarted.tracking)  # what /admin shows
        assert restarted.tracking.sources.health["russianpost"].extra["today"] == "3 of 3"
        clock.advance(days=1)
        await restarted.tracking.sources.fetch("russianpost", [DOMESTIC])
    assert len(post.requests) == 4


async def test_a_refused_17track_key_is_logged_at_start_without_the_key(
    tg: FakeTelegram,
    tmp_path: Path,
    clock: ManualClock,
    track17: Fake17Track,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Said when the bot starts (the quota check), not when the first user adds a code."""
    settings = make_settings(
        tg,
        tmp_path / "bot.sqlite3",
        demo_source=False,
        track17_api_key="a-key-17track-does-not-know",
        track17_api_url=track17.url,
    )
    async with assemble(settings, clock=clock, with_bot=False) as app:
        await watch_quotas(app.tracking)
    refused = [r for r in caplog.records if r.levelname == "ERROR" and "credentials" in r.message]
    assert len(refused) == 1 and "track17" in refused[0].message
    assert all("a-key-17track-does-not-know" not in r.getMessage() for r in caplog.records)
