"""Claims on Telegram updates: taken once, skipped when handled, free again when they lapse."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage import ClaimOutcome, Database, open_database

pytest_plugins = ["tests.test_storage_backends"]  # the `db` fixture, on each engine

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


async def take(db: Database, update_id: int, now: datetime = T0) -> ClaimOutcome:
    async with db.transaction() as tx:
        return await tx.update_claims.take(update_id, now, now + LEASE)


async def test_an_update_is_taken_once_and_a_repeat_of_a_handled_one_is_skipped(
    db: Database,
) -> None:
    assert await take(db, 1) is ClaimOutcome.TAKEN
    assert await take(db, 1) is ClaimOutcome.BUSY  # still being handled
    assert await take(db, 2) is ClaimOutcome.TAKEN  # others are not held up
    async with db.transaction() as tx:
        await tx.update_claims.settle(1, T0)
    assert await take(db, 1) is ClaimOutcome.HANDLED
    assert await take(db, 1, T0 + timedelta(days=1)) is ClaimOutcome.HANDLED  # for good


async def test_a_claim_left_by_a_dead_process_lapses_after_its_lease(db: Database) -> None:
    assert await take(db, 5) is ClaimOutcome.TAKEN
    assert await take(db, 5, T0 + LEASE - timedelta(seconds=1)) is ClaimOutcome.BUSY
    assert await take(db, 5, T0 + LEASE) is ClaimOutcome.TAKEN


async def test_a_released_claim_is_taken_afresh_but_not_someone_elses(db: Database) -> None:
    assert await take(db, 9) is ClaimOutcome.TAKEN
    async with db.transaction() as tx:
        await tx.update_claims.release(9, T0 + LEASE)
    later = T0 + timedelta(minutes=5)
    assert await take(db, 9, later) is ClaimOutcome.TAKEN
    async with db.transaction() as tx:
        await tx.update_claims.release(9, T0 + LEASE)  # the first holder, too late: no effect
    assert await take(db, 9, later) is ClaimOutcome.BUSY


async def test_handled_updates_are_forgotten_after_a_while(db: Database) -> None:
    await take(db, 3)
    async with db.transaction() as tx:
        await tx.update_claims.settle(3, T0)
        assert await tx.update_claims.forget_before(T0 - timedelta(days=2)) == 0
        assert await tx.update_claims.forget_before(T0 + timedelta(seconds=1)) == 1
    assert await take(db, 3, T0 + timedelta(days=3)) is ClaimOutcome.TAKEN


async def test_two_processes_taking_the_same_updates_at_once_get_each_once(db_url: str) -> None:
    first, second = await open_database(db_url), await open_database(db_url)
    try:
        outcomes = await asyncio.gather(
            *(take(db, update_id) for update_id in range(20) for db in (first, second))
        )
    finally:
        await first.close()
        await second.close()
    assert outcomes.count(ClaimOutcome.TAKEN) == 20
    assert outcomes.count(ClaimOutcome.BUSY) == 20
