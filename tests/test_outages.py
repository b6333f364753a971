"""PostgreSQL out of reach while the bot runs (a restart, a network cut): each update gets a
"send it again in a minute" reply, the log one line instead of a traceback per update, and the
bot carries on by itself once the server is back."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from providers.clock import ManualClock
from tests.conftest import make_settings, running_bot
from tests.fakes.chat import Chat
from tests.fakes.tcp_cut import CuttableLink
from tests.fakes.telegram import FakeTelegram
from tests.outage_checks import met_calmly
from tests.postgres import admin_url, require_postgres

CODE = "RA000012349CN"


@pytest.fixture
async def database_name() -> AsyncIterator[str]:
    await require_postgres()
    name = f"outage_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_while_postgres_is_out_of_reach_users_are_asked_to_repeat_then_all_works_again(
    tg: FakeTelegram,
    tmp_path: Path,
    clock: ManualClock,
    database_name: str,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = urlsplit(admin_url())
    async with CuttableLink(server.hostname or "127.0.0.1", server.port or 5432) as link:
        user = f"{server.username}@" if server.username else ""
        url = f"postgresql://{user}127.0.0.1:{link.port}/{database_name}"
        settings = make_settings(tg, tmp_path / "unused.sqlite3", database_url=url)
        alice = chat(1, "ru")
        async with running_bot(settings, clock) as app:
            card = await alice.sends(CODE)
            link.sever()
            caplog.clear()
            assert await met_calmly(alice, card, app, caplog, "database") == 3
            link.mend()
            listing = await alice.sends("/list")
            assert CODE in listing.text and "RA000056781RU" not in listing.text
