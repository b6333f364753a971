"""What both store outages (Redis, PostgreSQL) must look like from outside while they last."""

from __future__ import annotations

import logging

import pytest

from bot.app import App
from tests.fakes.chat import Chat
from tests.fakes.telegram import Message


async def met_calmly(
    alice: Chat, card: Message, app: App, caplog: pytest.LogCaptureFixture, store: str
) -> float | None:
    """Two messages and a press during the outage: each is asked again, the log holds one line
    at most and no traceback. Returns how many failed updates the metrics counted."""
    for said in ("/list", "RA000056781RU"):
        reply = await alice.sends(said)
        assert "не могу добраться до своих данных" in reply.text
        assert "ещё раз через минуту" in reply.text
    tap = await alice.taps("Обновить", on=card)
    assert tap.answer_text is not None and "Нажмите ещё раз" in tap.answer_text
    outage_lines = [r for r in caplog.records if "out of reach" in r.getMessage()]
    # One line in five minutes per store (none if an earlier test just spent it).
    assert len(outage_lines) <= 1
    assert all(store in r.getMessage() for r in outage_lines)
    own = [r for r in caplog.records if r.name.startswith(("bot", "handlers"))]
    assert all(r.exc_info is None for r in own if r.levelno >= logging.WARNING)
    return app.tracking.metrics.registry.get_sample_value(
        "bot_updates_failed_total", {"reason": "outage"}
    )
