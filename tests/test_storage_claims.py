"""Work is claimed, not assumed: due shipments and outbox rows go to one worker for a lease.

Each test runs on SQLite and on PostgreSQL. "Workers" are separate Database objects on the same
database, as separate processes would be.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from providers.statuses import Status
from storage import Database, Tx, open_database

pytest_plugins = ["tests.test_storage_backends"]  # db, db_url on each engine

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
MS = timedelta(milliseconds=1)
USER = 101


@pytest.fixture
async def tx(db: Database) -> AsyncIterator[Tx]:
    async with db.transaction() as transaction:
        await transaction.users.seen(USER, None, T0)
        yield transaction


async def new_shipments(tx: Tx, count: int, source: str = "post") -> list[int]:
    """Due at T0 + 0, 1, 2... minutes, in that order."""
    ids = []
    for n in range(count):
        shipment, _ = await tx.shipments.get_or_create(source, f"{source}{n}", "track", T0)
        await tx.shipments.set_next_check([shipment.id], T0 + timedelta(minutes=n))
        ids.append(shipment.id)
    return ids


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# --- shipments -----------------------------------------------------------------------------


async def test_claim_takes_due_shipments_oldest_first_up_to_the_limit(tx: Tx) -> None:
    ids = await new_shipments(tx, 5)
    claimed = await tx.shipments.claim_due(at(3), 2, LEASE)
    assert [s.id for s in claimed] == ids[:2]
    rest = await tx.shipments.claim_due(at(3), 10, LEASE)
    assert [s.id for s in rest] == ids[2:4]  # the fifth is not due yet


async def test_claimed_shipment_returns_only_after_its_lease(tx: Tx) -> None:
    [shipment_id] = await new_shipments(tx, 1)
    [first] = await tx.shipments.claim_due(T0, 10, LEASE)
    assert await tx.shipments.claim_due(T0 + LEASE, 10, LEASE) == []
    [again] = await tx.shipments.claim_due(T0 + LEASE + MS, 10, LEASE)
    assert first.id == again.id == shipment_id
    assert await tx.shipments.claim_due(T0 + LEASE + MS, 10, LEASE) == []  # leased anew


async def test_claim_can_be_limited_to_some_sources(tx: Tx) -> None:
    post = await new_shipments(tx, 2, "post")
    await new_shipments(tx, 2, "cdek")
    assert await tx.shipments.claim_due(at(5), 10, LEASE, []) == []
    claimed = await tx.shipments.claim_due(at(5), 10, LEASE, ["post", "ozon"])
    assert [s.id for s in claimed] == post
    assert {s.source for s in await tx.shipments.claim_due(at(5), 10, LEASE)} == {"cdek"}


async def test_recording_a_result_ends_the_claim(tx: Tx) -> None:
    [shipment_id] = await new_shipments(tx, 1)
    await tx.shipments.claim_due(T0, 10, LEASE)
    await tx.shipments.record_result(
        shipment_id,
        status=Status.IN_TRANSIT,
        status_text="",
        carrier=None,
        linked_code=None,
        checked_at=T0,
        next_check_at=at(1),
        last_event_at=None,
    )
    [again] = await tx.shipments.claim_due(at(1), 10, LEASE)  # due again, well within the lease
    assert again.id == shipment_id


async def test_recording_an_error_ends_the_claim(tx: Tx) -> None:
    [shipment_id] = await new_shipments(tx, 1)
    await tx.shipments.claim_due(T0, 10, LEASE)
    await tx.shipments.record_error(shipment_id, "timeout", at(1))
    assert [s.id for s in await tx.shipments.claim_due(at(1), 10, LEASE)] == [shipment_id]


async def test_an_unchanged_answer_ends_the_claim(tx: Tx) -> None:
    [shipment_id] = await new_shipments(tx, 1)
    await tx.shipments.claim_due(T0, 10, LEASE)
    await tx.shipments.mark_checked([(shipment_id, T0, at(1))])
    assert [s.id for s in await tx.shipments.claim_due(at(1), 10, LEASE)] == [shipment_id]


async def test_unchanged_answers_in_bulk_set_each_row_its_own_times(tx: Tx) -> None:
    ids = await new_shipments(tx, 4)
    await tx.shipments.record_error(ids[0], "timeout", at(1))
    await tx.shipments.claim_due(at(10), 10, LEASE)
    plan = {ids[0]: at(30), ids[1]: None, ids[2]: at(20)}  # ids[3] is left claimed
    await tx.shipments.mark_checked([(sid, at(10) + sid * MS, nxt) for sid, nxt in plan.items()])
    for sid, next_at in plan.items():
        stored = await tx.shipments.get(sid)
        assert stored is not None
        assert (stored.checked_at, stored.next_check_at) == (at(10) + sid * MS, next_at)
        assert (stored.error_count, stored.last_error) == (0, "")
    untouched = await tx.shipments.get(ids[3])
    assert untouched is not None and untouched.checked_at is None
    assert [s.id for s in await tx.shipments.claim_due(at(14), 10, LEASE)] == []  # ids[3]: held
    due = [s.id for s in await tx.shipments.claim_due(at(30), 10, LEASE)]
    assert due == [ids[3], ids[2], ids[0]]
    await tx.shipments.mark_checked([])


async def test_moving_the_next_check_ends_the_claim(tx: Tx) -> None:
    ids = await new_shipments(tx, 2)
    await tx.shipments.claim_due(at(1), 10, LEASE)
    await tx.shipments.set_next_check(ids, at(2))
    assert [s.id for s in await tx.shipments.claim_due(at(2), 10, LEASE)] == ids


async def test_released_claims_are_due_again_at_once(tx: Tx) -> None:
    ids = await new_shipments(tx, 3)
    claimed = await tx.shipments.claim_due(at(5), 10, LEASE)
    await tx.shipments.release_claims([s.id for s in claimed[:2]])
    assert [s.id for s in await tx.shipments.claim_due(at(5), 10, LEASE)] == ids[:2]


async def test_due_still_lists_claimed_shipments(tx: Tx) -> None:
    ids = await new_shipments(tx, 2)
    await tx.shipments.claim_due(at(5), 1, LEASE)
    assert [s.id for s in await tx.shipments.due(at(5), 10)] == ids


async def claim_everything(db: Database, kind: str, batch: int) -> list[int]:
    """One worker: claim batches until nothing is left, holding each claim across a pause."""
    taken: list[int] = []
    while True:
        async with db.transaction() as tx:
            if kind == "shipments":
                ids = [s.id for s in await tx.shipments.claim_due(at(500), batch, LEASE)]
            else:
                ids = [m.id for m in await tx.outbox.claim_due(at(500), batch, LEASE)]
            await asyncio.sleep(0)  # let the other worker claim while this claim is open
        if not ids:
            return taken
        taken += ids


@pytest.mark.parametrize("kind", ["shipments", "outbox"])
async def test_two_workers_never_claim_the_same_row(
    db: Database, db_url: str, engine: str, kind: str
) -> None:
    count = 300
    async with db.transaction() as tx:
        await tx.users.seen(USER, None, T0)
        for n in range(count):
            if kind == "shipments":
                await tx.shipments.get_or_create("post", f"RA{n}", "track", at(n % 60))
            else:
                await tx.outbox.enqueue(USER, "alert", {"n": n}, f"k{n}", at(n % 60), T0)
    other = await open_database(db_url)
    try:
        first, second = await asyncio.gather(
            claim_everything(db, kind, 7), claim_everything(other, kind, 7)
        )
    finally:
        await other.close()
    assert not set(first) & set(second)
    assert len(first) + len(second) == count
    assert len(set(first) | set(second)) == count
    if engine == "postgres":  # SQLite's writers take turns in no fair order
        assert first
        assert second


async def test_work_of_a_worker_that_died_returns_after_its_lease(
    db: Database, db_url: str
) -> None:
    async with db.transaction() as tx:
        ids = await new_shipments(tx, 3)
    dead = await open_database(db_url)
    async with dead.transaction() as tx:
        assert len(await tx.shipments.claim_due(at(5), 10, LEASE)) == 3
    await dead.close()  # gone without recording anything

    async with db.transaction() as tx:
        assert await tx.shipments.claim_due(at(5), 10, LEASE) == []
    async with db.transaction() as tx:
        claimed = await tx.shipments.claim_due(at(5) + LEASE + MS, 10, LEASE)
    assert [s.id for s in claimed] == ids


# --- outbox --------------------------------------------------------------------------------


async def test_outbox_work_of_a_sender_that_died_returns_after_its_lease(
    db: Database, db_url: str
) -> None:
    async with db.transaction() as tx:
        await tx.users.seen(USER, None, T0)
        await tx.outbox.enqueue(USER, "alert", {}, "k", T0, T0)
    dead = await open_database(db_url)
    async with dead.transaction() as tx:
        [lost] = await tx.outbox.claim_due(T0, 10, LEASE)
    await dead.close()

    async with db.transaction() as tx:
        assert await tx.outbox.claim_due(T0 + LEASE, 10, LEASE) == []
        [back] = await tx.outbox.claim_due(T0 + LEASE + MS, 10, LEASE)
    assert back.id == lost.id
