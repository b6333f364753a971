"""The scheduler's jobs: one run at a time, and a run longer than its interval is no alarm."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from providers.base import Outcome
from providers.clock import ManualClock
from providers.statuses import Status
from tests.conftest import make_settings, running_bot
from tests.fakes.chat import Chat
from tests.fakes.source import ScriptedSource
from tests.fakes.telegram import FakeTelegram

CODE = "RA000012349CN"


class SlowSource(ScriptedSource):
    """Answers after `seconds`, counting how many of its calls overlap."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.active = 0
        self.most_at_once = 0
        self.answered = 0
        self.asked = asyncio.Event()  # set when a call starts

    async def fetch(self, codes: Sequence[str]) -> Mapping[str, Outcome]:
        self.active += 1
        self.asked.set()
        self.most_at_once = max(self.most_at_once, self.active)
        try:
            await asyncio.sleep(self.seconds)
            self.answered += 1
            return await super().fetch(codes)
        finally:
            self.active -= 1


async def following(source: SlowSource, app_chat: Chat, clock: ManualClock) -> None:
    """One number followed and due again, answered from now on after a second."""
    source.set(CODE, Status.IN_TRANSIT, (clock.now, Status.IN_TRANSIT, "Принято", "Москва"))
    await app_chat.sends(CODE)
    clock.advance(hours=3)
    source.seconds = 1.0
    source.asked.clear()


async def test_a_tick_longer_than_its_interval_runs_once_and_logs_no_warning(
    tg: FakeTelegram,
    tmp_path: Path,
    clock: ManualClock,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = SlowSource(0.2)
    settings = make_settings(
        tg, tmp_path / "bot.sqlite3", demo_source=False, poll_tick_seconds=0.1
    )
    async with running_bot(settings, clock, [source]) as app:
        await following(source, chat(1, "ru"), clock)  # a tick now lasts ten intervals
        polled_before = len(source.calls)
        with caplog.at_level(logging.WARNING):
            app.jobs.start()
            await asyncio.sleep(1.5)
            await app.jobs.stop()
    assert len(source.calls) - polled_before == 1  # the later ticks found nothing due
    assert source.most_at_once == 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_stopping_lets_a_running_tick_finish(
    tg: FakeTelegram,
    tmp_path: Path,
    clock: ManualClock,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = SlowSource(0.0)
    settings = make_settings(tg, tmp_path / "bot.sqlite3", demo_source=False)
    async with running_bot(settings, clock, [source]) as app:
        await following(source, chat(1, "ru"), clock)
        answered_before = source.answered
        with caplog.at_level(logging.INFO):
            app.jobs.start()
            # The first tick is waiting for the source.
            await asyncio.wait_for(source.asked.wait(), timeout=5)
            await app.jobs.stop()
    assert source.answered == answered_before + 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert not [m for m in caplog.messages if "was stopped before it ended" in m]


async def test_a_job_that_keeps_failing_logs_its_traceback_once(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(
        tg, tmp_path / "bot.sqlite3", demo_source=False, poll_tick_seconds=0.1
    )
    async with running_bot(settings, clock, [ScriptedSource()]) as app:
        await app.tracking.db.close()  # every tick and drain now fails
        with caplog.at_level(logging.INFO, logger="bot.scheduler"):
            app.jobs.start()
            await asyncio.sleep(1.5)
            await app.jobs.stop()
    failed = [r for r in caplog.records if r.levelno >= logging.ERROR]
    firsts = {r.getMessage() for r in failed if r.exc_info}
    assert firsts == {
        f"scheduled job {job} failed; it runs again at its next time"
        for job in ("poll", "send", "quota")
    }
    assert len(failed) == 3  # one each, though the tick failed about fifteen times
