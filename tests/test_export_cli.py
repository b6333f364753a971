"""`python -m bot export-sqlite-to-postgres` moves an installation without losing followers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.cli import main
from storage import open_database
from tests.postgres import admin_url, database_url_for, require_postgres


@pytest.fixture
async def empty_postgres() -> AsyncIterator[str]:
    await require_postgres()
    name = f"export_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield database_url_for(name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_export_keeps_every_subscription(
    tmp_path: Path, empty_postgres: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    now = datetime.now(UTC)
    db = await open_database(sqlite_url)
    async with db.transaction() as tx:
        await tx.users.seen(7, "ru", now)
        shipment, _ = await tx.shipments.get_or_create("track17", "RA000012349CN", "s10", now)
        await tx.subscriptions.add(7, shipment.id, "куртка", now)
    await db.close()
    code = await asyncio_main(
        ["export-sqlite-to-postgres", "--from", sqlite_url, "--to", empty_postgres]
    )
    assert code == 0
    assert "subscriptions: 1" in capsys.readouterr().out
    moved = await open_database(empty_postgres)
    try:
        async with moved.read() as tx:
            items = await tx.subscriptions.find_items(7, "куртка")
    finally:
        await moved.close()
    assert [i.shipment.code for i in items] == ["RA000012349CN"]


async def asyncio_main(argv: list[str]) -> int:
    """`main` runs its own event loop; give it a thread of its own inside this async test."""
    return await asyncio.to_thread(main, argv)
