"""What both store outages (Redis, PostgreSQL) must look like from outside while they last."""

from __future__ import annotations

import logging

import pytest

from bot.app import App
from bot.logs import OneLinePerInterval
from tests.fakes.chat import Chat
from tests.fakes.telegram import Message


async def met_calmly(
    alice: Chat, card: Message, app: App, caplog: pytest.LogCaptureFixture, store: str
) -> float | None:
    """Two messages and a press during the outage: each is asked again, the log holds one line
    exactly and no traceback. Returns how many failed updates the metrics counted."""
    for name in ("handlers.errors.outage", "bot.webhook.outage"):
        for quiet in logging.getLogger(name).filters:
            if isinstance(quiet, OneLinePerInterval):
                quiet.forget()  # an earlier test's outage must not have spent this one's line
    for said in ("/list", "RA000056781RU"):
        reply = await alice.sends(said)
        assert "не могу добраться до своих данных" in reply.text
        assert "ещё раз через минуту" in reply.text
    tap = await alice.taps("Обновить", on=card)
    assert tap.answer_text is not None and "Нажмите ещё раз" in tap.answer_text
    outage_lines = [r for r in caplog.records if "out of reach" in r.getMessage()]
    (line,) = outage_lines  # one line in five minutes, not one an update
    assert store in line.getMessage()
    own = [r for r in caplog.records if r.name.startswith(("bot", "handlers"))]
    assert all(r.exc_info is None for r in own if r.levelno >= logging.WARNING)
    return app.tracking.metrics.registry.get_sample_value(
        "bot_updates_failed_total", {"reason": "outage"}
    )
