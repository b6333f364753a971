"""Settled outbox rows and old allowance uses are forgotten after their periods, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.limits import ALLOWANCE_USES_KEPT, NEW_NUMBERS_WINDOW
from bot.retention import OUTBOX_KEPT, forget_old_allowance_uses, forget_settled_outbox
from bot.watch import DEFAULT_EXPIRY, SOURCE_EXPIRY
from storage import Database, open_database
from storage.allowances import AllowanceKind, AllowanceRule

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
USER = 7


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    yield database
    await database.close()


async def queue(db: Database, key: str, created: datetime, *, sent: bool) -> None:
    async with db.transaction() as tx:
        await tx.users.seen(USER, None, created)
        await tx.outbox.enqueue(USER, "alert", {"shipment_id": 1}, key, created, created)
        if sent:
            [message] = await tx.outbox.claim_due(created, 1, timedelta(minutes=1))
            await tx.outbox.mark_sent(message.id, created)


def test_settled_rows_outlive_every_silence_a_notice_could_repeat() -> None:
    assert max(DEFAULT_EXPIRY, *SOURCE_EXPIRY.values()) < OUTBOX_KEPT


async def test_old_settled_rows_go_in_batches_and_the_rest_stays(db: Database) -> None:
    old = NOW - OUTBOX_KEPT - timedelta(days=1)
    for n in range(5):
        await queue(db, f"old-{n}", old + timedelta(minutes=n), sent=True)
    await queue(db, "recent", NOW - OUTBOX_KEPT + timedelta(days=1), sent=True)
    await queue(db, "old-pending", old, sent=False)  # last: the claims above would take it

    assert await forget_settled_outbox(db, NOW, batch=2) == 5
    assert await forget_settled_outbox(db, NOW, batch=2) == 0
    async with db.transaction() as tx:
        assert await tx.outbox.pending_count() == 1
        for n in range(5):  # their keys are free again
            assert await tx.outbox.enqueue(USER, "alert", {}, f"old-{n}", NOW, NOW)
        assert not await tx.outbox.enqueue(USER, "alert", {}, "recent", NOW, NOW)
        assert not await tx.outbox.enqueue(USER, "alert", {}, "old-pending", NOW, NOW)


async def test_allowance_uses_go_once_no_window_counts_them(db: Database) -> None:
    window, kind = NEW_NUMBERS_WINDOW, AllowanceKind.NEW_NUMBER
    async with db.transaction() as tx:
        await tx.users.seen(USER, None, NOW)
        await tx.allowances.take(
            USER, AllowanceRule(kind, window, 9), NOW - ALLOWANCE_USES_KEPT - timedelta(minutes=1)
        )
        await tx.allowances.take(USER, AllowanceRule(kind, window, 9), NOW - timedelta(hours=23))
    assert await forget_old_allowance_uses(db, NOW) == 1
    async with db.transaction() as tx:  # the recent use still counts against a limit of two
        assert (await tx.allowances.take(USER, AllowanceRule(kind, window, 2), NOW)).left == 0
