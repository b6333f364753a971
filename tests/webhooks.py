"""A bot serving its webhook on a free local port, and Telegram's deliveries to it over HTTP."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from bot.app import App, assemble
from bot.config import Settings
from bot.runner import serve_webhook
from providers.clock import ManualClock
from tests.conftest import make_settings
from tests.fakes.telegram import FakeTelegram

SECRET = "webhook-secret-123"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_settings(tg: FakeTelegram, db_path: Path, port: int, **overrides: Any) -> Settings:
    return make_settings(
        tg,
        db_path,
        webhook_url=f"http://127.0.0.1:{port}/tg/hook",
        webhook_secret=SECRET,
        web_port=port,
        **overrides,
    )


@asynccontextmanager
async def webhook_bot(settings: Settings, clock: ManualClock) -> AsyncIterator[App]:
    async with assemble(settings, clock=clock) as app:
        stop = asyncio.Event()
        task = asyncio.create_task(serve_webhook(app, stop))
        for _ in range(1000):  # the server binds its port shortly after the task starts
            if app.web.port is not None or task.done():
                break
            await asyncio.sleep(0.01)
        try:
            yield app
        finally:
            stop.set()
            assert await task == 0


async def deliver(port: int, update: Any, secret: str | None = SECRET) -> int:
    """Post an update as Telegram does; returns the HTTP status the bot answered."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"http://127.0.0.1:{port}/tg/hook", json=update, headers=headers
        )
    return response.status_code
