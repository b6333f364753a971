"""Operations endpoints over real HTTP: /healthz and /metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from bot.app import App
from providers.clock import ManualClock
from tests.conftest import make_settings, running_bot
from tests.fakes.chat import Chat
from tests.fakes.source import ScriptedSource
from tests.fakes.telegram import FakeTelegram


@pytest.fixture
async def source() -> ScriptedSource:
    return ScriptedSource()


@pytest.fixture
async def served(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock, source: ScriptedSource
) -> AsyncIterator[App]:
    settings = make_settings(tg, tmp_path / "bot.sqlite3", demo_source=False, web_port=0)
    async with running_bot(settings, clock, [source]) as app:
        await app.web.start()
        yield app


async def get(app: App, path: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(f"http://127.0.0.1:{app.web.port}{path}")


async def test_healthz_needs_a_running_scheduler(served: App) -> None:
    stopped = await get(served, "/healthz")
    assert stopped.status_code == 503
    assert stopped.json()["checks"]["scheduler"] == "not running"
    served.jobs.start()
    running = await get(served, "/healthz")
    assert running.status_code == 200
    assert running.json() == {
        "status": "ok",
        "checks": {"database": "ok", "scheduler": "ok", "source:track17": "ok"},
    }


async def test_healthz_reports_a_source_backing_off(
    served: App, source: ScriptedSource, chat: Callable[..., Chat], clock: ManualClock
) -> None:
    served.jobs.start()
    source.failing = "HTTP 502"
    await chat(1, "ru").sends("RA000012349CN")
    report = (await get(served, "/healthz")).json()
    assert report["checks"]["source:track17"] == "backing off"


async def test_metrics_count_updates_polls_and_queue_depths(
    served: App, source: ScriptedSource, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    await alice.sends("RA000012349CN")
    await alice.sends("/list")
    response = await get(served, "/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.text
    assert 'bot_updates_total{type="message"} 2.0' in text
    assert 'bot_polls_total{source="track17"} 1.0' in text
    assert 'bot_queue_depth{queue="outbox"} 0.0' in text
    assert "bot_poll_lag_seconds" in text
    assert "bot_alerts_sent_total" in text
    assert "bot_database_up 1.0" in text


async def test_metrics_say_when_the_database_does_not_answer(served: App) -> None:
    await served.db.close()
    response = await get(served, "/metrics")
    assert response.status_code == 200
    assert "bot_database_up 0.0" in response.text
