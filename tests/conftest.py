"""Shared fixtures: a fake Telegram, a steerable clock, and the real bot assembled on top."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, assemble
from bot.config import Settings, load_settings
from providers.base import Provider
from providers.clock import ManualClock
from tests.fakes.chat import Chat
from tests.fakes.source import ScriptedSource
from tests.fakes.telegram import FakeTelegram, running_polling
from tests.fakes.track17 import Fake17Track

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def make_settings(tg: FakeTelegram, db_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": tg.token,
        "telegram_api_url": tg.base_url,
        "database_url": f"sqlite:///{db_path}",
        "demo_source": True,
        "_env_file": None,
    }
    values.update(overrides)
    return load_settings(**values)


def track17_settings(
    tg: FakeTelegram, db_path: Path, track17: Fake17Track, **overrides: Any
) -> Settings:
    """The bot with 17TRACK as its only source (no demo), pointed at the fake."""
    return make_settings(
        tg,
        db_path,
        demo_source=False,
        track17_api_key=track17.api_key,
        track17_api_url=track17.url,
        **overrides,
    )


@asynccontextmanager
async def running_bot(
    settings: Settings, clock: ManualClock, providers: Sequence[Provider] | None = None
) -> AsyncIterator[App]:
    async with assemble(settings, clock=clock, providers=providers) as app:
        assert app.bot is not None
        async with running_polling(app.dispatcher, app.bot, close_bot_session=False):
            yield app


@pytest.fixture
async def app(tg: FakeTelegram, tmp_path: Path, clock: ManualClock) -> AsyncIterator[App]:
    async with running_bot(make_settings(tg, tmp_path / "bot.sqlite3"), clock) as running:
        yield running


@pytest.fixture
def chat(tg: FakeTelegram) -> Callable[..., Chat]:
    def make(user_id: int = 1001, language_code: str | None = "ru", **kwargs: Any) -> Chat:
        return Chat(tg, user_id, language_code=language_code, **kwargs)

    return make


@pytest.fixture
def alice(chat: Callable[..., Chat], app: App) -> Chat:
    return chat(1001, "ru", first_name="Алиса")


@pytest.fixture
def bob(chat: Callable[..., Chat], app: App) -> Chat:
    return chat(2002, "en", first_name="Bob")


@pytest.fixture
def source() -> ScriptedSource:
    """What the `scripted` bot's only source answers; tests set it (or override this)."""
    return ScriptedSource()


@pytest.fixture
async def scripted(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock, source: ScriptedSource
) -> AsyncIterator[App]:
    """The bot with `source` instead of the demo."""
    settings = make_settings(tg, tmp_path / "bot.sqlite3", demo_source=False)
    async with running_bot(settings, clock, [source]) as running:
        yield running


@pytest.fixture
async def track17_bot(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock, track17: Fake17Track
) -> AsyncIterator[App]:
    """The bot of `track17_settings`, running; the module gives its own `track17` fake."""
    settings = track17_settings(tg, tmp_path / "bot.sqlite3", track17)
    async with running_bot(settings, clock) as app:
        yield app
