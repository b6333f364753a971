"""Events and outbox repositories: new-event detection, dedup, claims and leases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from providers.base import TrackEvent
from providers.statuses import Status
from storage import Database, Tx

pytest_plugins = ["tests.test_storage_backends"]  # the `db` fixture, on each engine

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
USER = 101


@pytest.fixture
async def tx(db: Database) -> AsyncIterator[Tx]:
    async with db.transaction() as transaction:
        await transaction.users.seen(USER, "ru", T0)
        yield transaction


@pytest.fixture
async def shipment_id(tx: Tx) -> int:
    shipment, _ = await tx.shipments.get_or_create("post", "RA1", "track", T0)
    return shipment.id


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


ACCEPTED = TrackEvent(hours(0), Status.INFO_RECEIVED, "Приём", "Шэньчжэнь")
SORTED = TrackEvent(hours(5), Status.IN_TRANSIT, "Сортировка", "Москва")
ARRIVED = TrackEvent(hours(9), Status.READY_FOR_PICKUP, "Прибыло", "Казань 420000")


# --- events --------------------------------------------------------------------------------


async def test_first_events_are_all_new_and_come_back_oldest_first(
    tx: Tx, shipment_id: int
) -> None:
    new = await tx.events.add_new(shipment_id, [SORTED, ACCEPTED])
    assert [(e.occurred_at, e.status, e.description, e.location) for e in new] == [
        (ACCEPTED.occurred_at, Status.INFO_RECEIVED, "Приём", "Шэньчжэнь"),
        (SORTED.occurred_at, Status.IN_TRANSIT, "Сортировка", "Москва"),
    ]
    assert all(e.shipment_id == shipment_id for e in new)


async def test_only_events_not_seen_before_are_returned(tx: Tx, shipment_id: int) -> None:
    await tx.events.add_new(shipment_id, [ACCEPTED, SORTED])
    new = await tx.events.add_new(shipment_id, [ACCEPTED, SORTED, ARRIVED])
    assert [e.status for e in new] == [Status.READY_FOR_PICKUP]
    assert await tx.events.add_new(shipment_id, [ACCEPTED, SORTED, ARRIVED]) == []


async def test_reworded_description_is_not_a_new_event(tx: Tx, shipment_id: int) -> None:
    await tx.events.add_new(shipment_id, [SORTED])
    reworded = TrackEvent(SORTED.occurred_at, SORTED.status, "Sorting centre", SORTED.location)
    assert await tx.events.add_new(shipment_id, [reworded]) == []
    latest = await tx.events.latest(shipment_id)
    assert latest is not None
    assert latest.description == "Сортировка"


async def test_an_event_read_with_another_status_later_is_not_new(
    tx: Tx, shipment_id: int
) -> None:
    await tx.events.add_new(shipment_id, [SORTED])
    reread = TrackEvent(SORTED.occurred_at, Status.EXCEPTION, SORTED.description, SORTED.location)
    newer = TrackEvent(hours(30), Status.IN_TRANSIT, "Покинуло СЦ", SORTED.location)
    new = await tx.events.add_new(shipment_id, [reread, newer])
    assert [e.description for e in new] == ["Покинуло СЦ"]
    history = await tx.events.history(shipment_id)
    assert [(e.description, e.status) for e in history] == [
        ("Покинуло СЦ", Status.IN_TRANSIT),
        (SORTED.description, SORTED.status),
    ]


async def test_one_batch_holding_an_event_under_two_statuses_stores_it_once(
    tx: Tx, shipment_id: int
) -> None:
    reread = TrackEvent(SORTED.occurred_at, Status.EXCEPTION, SORTED.description, SORTED.location)
    assert len(await tx.events.add_new(shipment_id, [SORTED, reread])) == 1


async def test_same_time_and_status_elsewhere_is_a_new_event(tx: Tx, shipment_id: int) -> None:
    await tx.events.add_new(shipment_id, [SORTED])
    elsewhere = TrackEvent(SORTED.occurred_at, SORTED.status, SORTED.description, "Тверь")
    new = await tx.events.add_new(shipment_id, [elsewhere])
    assert [e.location for e in new] == ["Тверь"]


async def test_duplicates_within_one_batch_are_stored_once(tx: Tx, shipment_id: int) -> None:
    new = await tx.events.add_new(shipment_id, [SORTED, SORTED, ACCEPTED])
    assert [e.status for e in new] == [Status.INFO_RECEIVED, Status.IN_TRANSIT]


async def test_same_event_of_another_shipment_is_its_own(tx: Tx, shipment_id: int) -> None:
    other, _ = await tx.shipments.get_or_create("post", "RA2", "track", T0)
    await tx.events.add_new(shipment_id, [SORTED])
    assert len(await tx.events.add_new(other.id, [SORTED])) == 1


async def test_large_batch_is_stored_whole(tx: Tx, shipment_id: int) -> None:
    many = [TrackEvent(hours(n), Status.IN_TRANSIT, f"hop {n}") for n in range(450)]
    new = await tx.events.add_new(shipment_id, many)
    assert [e.description for e in new] == [f"hop {n}" for n in range(450)]


async def test_history_is_newest_first_and_limited(tx: Tx, shipment_id: int) -> None:
    await tx.events.add_new(shipment_id, [ACCEPTED, SORTED, ARRIVED])
    history = await tx.events.history(shipment_id, limit=2)
    assert [e.status for e in history] == [Status.READY_FOR_PICKUP, Status.IN_TRANSIT]
    latest = await tx.events.latest(shipment_id)
    assert latest == history[0]


async def test_shipment_without_events_has_no_latest(tx: Tx, shipment_id: int) -> None:
    assert await tx.events.latest(shipment_id) is None
    assert await tx.events.history(shipment_id) == []


async def test_latest_of_many_shipments_matches_each_ones_latest(tx: Tx, shipment_id: int) -> None:
    other, _ = await tx.shipments.get_or_create("post", "RA2", "track", T0)
    silent, _ = await tx.shipments.get_or_create("post", "RA3", "track", T0)
    await tx.events.add_new(shipment_id, [ARRIVED, ACCEPTED, SORTED])
    # Two events at one moment: the one stored later counts as the newer, as in history().
    tie = [
        TrackEvent(hours(5), Status.IN_TRANSIT, "Сортировка", "Москва"),
        TrackEvent(hours(5), Status.CUSTOMS, "Таможня", "Москва"),
    ]
    await tx.events.add_new(other.id, tie)
    latest = await tx.events.latest_of([other.id, shipment_id, silent.id, other.id])
    assert set(latest) == {shipment_id, other.id}
    for sid in (shipment_id, other.id):
        assert latest[sid] == await tx.events.latest(sid)
    assert latest[shipment_id].status is Status.READY_FOR_PICKUP
    assert await tx.events.latest_of([]) == {}


# --- outbox --------------------------------------------------------------------------------


async def enqueue(tx: Tx, key: str, not_before: datetime = T0, user_id: int = USER) -> bool:
    payload = {"shipment_id": 1, "text": "Посылка прибыла", "event_ids": [1, 2]}
    return await tx.outbox.enqueue(user_id, "alert", payload, key, not_before, T0)


async def test_queued_message_comes_back_with_its_payload(tx: Tx) -> None:
    assert await enqueue(tx, "alert:1:7")
    [message] = await tx.outbox.claim_due(T0, 10, LEASE)
    assert (message.user_id, message.kind, message.dedup_key) == (USER, "alert", "alert:1:7")
    assert message.payload == {"shipment_id": 1, "text": "Посылка прибыла", "event_ids": [1, 2]}
    assert (message.not_before, message.created_at, message.attempts) == (T0, T0, 0)


async def test_same_dedup_key_is_queued_once_even_after_sending(tx: Tx) -> None:
    assert await enqueue(tx, "alert:1:7")
    assert not await enqueue(tx, "alert:1:7")
    [message] = await tx.outbox.claim_due(T0, 10, LEASE)
    await tx.outbox.mark_sent(message.id, T0)
    assert not await enqueue(tx, "alert:1:7")
    assert await tx.outbox.pending_count() == 0


async def test_claim_takes_due_messages_oldest_first_up_to_the_limit(tx: Tx) -> None:
    for key, at in [("c", hours(3)), ("a", hours(1)), ("later", hours(9)), ("b", hours(2))]:
        await enqueue(tx, key, at)
    claimed = await tx.outbox.claim_due(hours(5), 2, LEASE)
    assert [m.dedup_key for m in claimed] == ["a", "b"]
    rest = await tx.outbox.claim_due(hours(5), 10, LEASE)
    assert [m.dedup_key for m in rest] == ["c"]


async def test_claimed_message_returns_only_after_its_lease(tx: Tx) -> None:
    await enqueue(tx, "k")
    [first] = await tx.outbox.claim_due(T0, 10, LEASE)
    assert await tx.outbox.claim_due(T0 + LEASE, 10, LEASE) == []
    [again] = await tx.outbox.claim_due(T0 + LEASE + timedelta(milliseconds=1), 10, LEASE)
    assert again.id == first.id


async def test_sent_message_is_never_claimed_again(tx: Tx) -> None:
    await enqueue(tx, "k")
    [message] = await tx.outbox.claim_due(T0, 10, LEASE)
    await tx.outbox.mark_sent(message.id, T0)
    assert await tx.outbox.claim_due(hours(48), 10, LEASE) == []


async def test_retry_later_counts_an_attempt_and_releases_the_claim(tx: Tx) -> None:
    await enqueue(tx, "k")
    [message] = await tx.outbox.claim_due(T0, 10, LEASE)
    await tx.outbox.retry_later(message.id, hours(1), "429")
    assert await tx.outbox.claim_due(hours(1) - timedelta(seconds=1), 10, LEASE) == []
    [retried] = await tx.outbox.claim_due(hours(1), 10, LEASE)
    assert (retried.id, retried.attempts, retried.not_before) == (message.id, 1, hours(1))


async def test_given_up_message_is_not_pending(tx: Tx) -> None:
    await enqueue(tx, "k")
    [message] = await tx.outbox.claim_due(T0, 10, LEASE)
    await tx.outbox.give_up(message.id, "400 chat not found")
    assert await tx.outbox.pending_count() == 0
    assert await tx.outbox.claim_due(hours(48), 10, LEASE) == []


async def test_released_messages_are_claimable_at_once(tx: Tx) -> None:
    for key in ("a", "b"):
        await enqueue(tx, key)
    claimed = await tx.outbox.claim_due(T0, 10, LEASE)
    await tx.outbox.release([m.id for m in claimed])
    again = await tx.outbox.claim_due(T0, 10, LEASE)
    assert [m.id for m in again] == [m.id for m in claimed]
    assert all(m.attempts == 0 for m in again)


async def test_deferred_message_waits_without_counting_an_attempt(tx: Tx) -> None:
    await enqueue(tx, "k")
    [message] = await tx.outbox.claim_due(T0, 10, LEASE)
    await tx.outbox.defer(message.id, hours(8))
    assert await tx.outbox.claim_due(hours(7), 10, LEASE) == []
    [deferred] = await tx.outbox.claim_due(hours(8), 10, LEASE)
    assert (deferred.attempts, deferred.not_before) == (0, hours(8))


async def test_messages_of_a_user_who_blocked_the_bot_are_dropped(tx: Tx) -> None:
    other = 202
    await tx.users.seen(other, None, T0)
    await enqueue(tx, "mine-1")
    await enqueue(tx, "mine-2")
    await enqueue(tx, "theirs", user_id=other)
    assert await tx.outbox.drop_for_user(USER) == 2
    assert await tx.outbox.pending_count() == 1
    assert [m.dedup_key for m in await tx.outbox.claim_due(T0, 10, LEASE)] == ["theirs"]
    assert not await enqueue(tx, "mine-1")


async def enqueue_then_fail(db: Database) -> None:
    async with db.transaction() as tx:
        assert await enqueue(tx, "k")
        raise LookupError


async def test_rolled_back_enqueue_leaves_nothing(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.users.seen(USER, None, T0)
    with pytest.raises(LookupError):
        await enqueue_then_fail(db)
    async with db.transaction() as tx:
        assert await tx.outbox.pending_count() == 0
        assert await enqueue(tx, "k")


async def test_settled_messages_are_forgotten_oldest_first_and_pending_ones_kept(tx: Tx) -> None:
    other = USER + 1
    await tx.users.seen(other, None, T0)
    keys = ["old-sent", "old-failed", "old-dropped", "old-pending", "new-sent"]
    for n, key in enumerate(keys):
        created = hours(100) if key.startswith("new") else hours(n)
        owner = other if key == "old-dropped" else USER
        await tx.outbox.enqueue(owner, "alert", {"shipment_id": 1}, key, created, created)
    claimed = {m.dedup_key: m for m in await tx.outbox.claim_due(hours(200), 10, LEASE)}
    await tx.outbox.mark_sent(claimed["old-sent"].id, hours(200))
    await tx.outbox.give_up(claimed["old-failed"].id, "400 Bad Request")
    await tx.outbox.mark_sent(claimed["new-sent"].id, hours(200))
    await tx.outbox.release([claimed["old-pending"].id, claimed["old-dropped"].id])
    assert await tx.outbox.drop_for_user(other) == 1

    assert await tx.outbox.forget_settled_before(hours(50), 2) == 2
    assert await enqueue(tx, "old-sent") and await enqueue(tx, "old-failed")  # keys are free
    assert not await enqueue(tx, "old-dropped")  # the third oldest waits for the next batch
    assert await tx.outbox.forget_settled_before(hours(50), 10) == 1
    assert await tx.outbox.forget_settled_before(hours(50), 10) == 0
    assert not await enqueue(tx, "new-sent")
    assert not await enqueue(tx, "old-pending")
    pending = {m.dedup_key for m in await tx.outbox.claim_due(hours(300), 10, LEASE)}
    assert pending == {"old-pending", "old-sent", "old-failed"}
