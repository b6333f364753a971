"""`/admin`: operators see source health and queues; everyone else sees an unknown command."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.app import App
from providers.clock import ManualClock
from tests.conftest import make_settings, running_bot
from tests.fakes.chat import Chat
from tests.fakes.source import ScriptedSource
from tests.fakes.telegram import FakeTelegram

OPERATOR = 777


@pytest.fixture
async def source() -> ScriptedSource:
    return ScriptedSource()


@pytest.fixture
async def admin_bot(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock, source: ScriptedSource
) -> AsyncIterator[App]:
    settings = make_settings(
        tg, tmp_path / "bot.sqlite3", demo_source=False, admin_ids=str(OPERATOR)
    )
    async with running_bot(settings, clock, [source]) as app:
        yield app


async def test_admin_shows_sources_and_queues_to_operators_only(
    admin_bot: App, source: ScriptedSource, chat: Callable[..., Chat], clock: ManualClock
) -> None:
    alice, operator = chat(1, "ru"), chat(OPERATOR, "ru")
    await alice.sends("RA000012349CN")
    refused = await alice.sends("/admin")
    assert "Такой команды нет" in refused.text
    source.failing = "HTTP 503 from the source"
    clock.advance(hours=3)
    await admin_bot.poller.tick()
    report = await operator.sends("/admin")
    assert "track17" in report.text
    assert "503" in report.text
    assert "🔴" in report.text
    assert "отслеживаний: 1" in report.text


@pytest.mark.parametrize(
    ("language", "before", "error", "after"),
    [
        ("ru", "Последний цикл опроса: ещё не было", "⚠️ Последняя ошибка", "с назад"),
        ("en", "Last poll tick: not yet", "⚠️ Last error", "s ago"),
    ],
)
async def test_admin_says_no_poll_tick_yet_then_how_long_ago_with_a_capitalised_error(
    admin_bot: App,
    source: ScriptedSource,
    chat: Callable[..., Chat],
    clock: ManualClock,
    language: str,
    before: str,
    error: str,
    after: str,
) -> None:
    operator = chat(OPERATOR, language)
    first = await operator.sends("/admin")
    assert before in first.text
    assert f"— {after}" not in first.text and after not in first.text
    await operator.sends("RA000012349CN")
    source.failing = "HTTP 503 from the source"
    clock.advance(hours=3)
    await admin_bot.poller.tick()
    report = await operator.sends("/admin")
    assert f"{error} " in report.text and "503" in report.text
    assert f"0 {after}" in report.text and before not in report.text
