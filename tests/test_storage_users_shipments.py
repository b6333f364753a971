"""Users and shipments repositories: upserts, settings, the poll queue and orphans."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta

import pytest

from providers.base import TrackEvent
from providers.statuses import Status
from storage import Database, Tx, open_database
from storage.allowances import AllowanceKind, AllowanceRule

pytest_plugins = ["tests.test_storage_backends"]  # the `db` fixture, on each engine

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def tx(db: Database) -> AsyncIterator[Tx]:
    """One transaction for a test that only looks at its own writes."""
    async with db.transaction() as transaction:
        yield transaction


async def new_shipment(tx: Tx, code: str, at: datetime = T0, source: str = "post") -> int:
    shipment, _ = await tx.shipments.get_or_create(source, code, "track", at)
    return shipment.id


# --- users ---------------------------------------------------------------------------------


async def test_first_sight_creates_a_user_with_defaults(tx: Tx) -> None:
    user = await tx.users.seen(10, "ru", T0)
    assert (user.id, user.tg_language, user.language, user.timezone, user.quiet_hours) == (
        10,
        "ru",
        None,
        None,
        None,
    )
    assert user.notifications
    assert user.active
    assert user.created_at == T0
    assert await tx.users.get(10) == user


async def test_seen_again_updates_language_and_reactivates_but_keeps_creation_time(
    tx: Tx,
) -> None:
    await tx.users.seen(10, "ru", T0)
    await tx.users.set_active(10, False)
    user = await tx.users.seen(10, "en", T0 + timedelta(days=3))
    assert user.tg_language == "en"
    assert user.active
    assert user.created_at == T0


async def test_seen_without_a_language_keeps_the_last_reported_one(tx: Tx) -> None:
    await tx.users.seen(10, "uk", T0)
    user = await tx.users.seen(10, None, T0)
    assert user.tg_language == "uk"


async def test_user_settings_are_stored_and_cleared(tx: Tx) -> None:
    await tx.users.seen(10, "ru", T0)
    await tx.users.set_language(10, "en")
    await tx.users.set_timezone(10, "Asia/Novosibirsk")
    await tx.users.set_quiet_hours(10, "23:00-08:00")
    await tx.users.set_notifications(10, False)
    await tx.users.set_active(10, False)
    user = await tx.users.get(10)
    assert user is not None
    assert (user.language, user.timezone, user.quiet_hours) == (
        "en",
        "Asia/Novosibirsk",
        "23:00-08:00",
    )
    assert not user.notifications
    assert not user.active

    await tx.users.set_language(10, None)
    await tx.users.set_timezone(10, None)
    await tx.users.set_quiet_hours(10, None)
    await tx.users.set_notifications(10, True)
    cleared = await tx.users.get(10)
    assert cleared is not None
    assert (cleared.language, cleared.timezone, cleared.quiet_hours) == (None, None, None)
    assert cleared.notifications


async def test_unknown_user_is_none(tx: Tx) -> None:
    assert await tx.users.get(999) is None


# --- shipments -----------------------------------------------------------------------------


async def test_new_shipment_is_not_found_and_due_at_once(tx: Tx) -> None:
    shipment, created = await tx.shipments.get_or_create("post", "RA1", "track", T0)
    assert created
    assert shipment.status is Status.NOT_FOUND
    assert shipment.next_check_at == T0
    assert shipment.checked_at is None
    assert shipment.error_count == 0
    assert shipment.last_error == ""
    assert await tx.shipments.get(shipment.id) == shipment
    assert await tx.shipments.find("post", "RA1") == shipment


async def test_same_number_at_the_same_source_is_one_row(tx: Tx) -> None:
    first, created_first = await tx.shipments.get_or_create("post", "RA1", "track", T0)
    again, created_again = await tx.shipments.get_or_create(
        "post", "RA1", "track", T0 + timedelta(hours=1)
    )
    other_source, created_other = await tx.shipments.get_or_create("cdek", "RA1", "track", T0)
    assert (created_first, created_again, created_other) == (True, False, True)
    assert again == first
    assert other_source.id != first.id


async def test_result_is_recorded_and_clears_the_error_streak(tx: Tx) -> None:
    shipment_id = await new_shipment(tx, "RA1")
    await tx.shipments.record_error(shipment_id, "timeout", T0 + timedelta(minutes=5))
    await tx.shipments.record_error(shipment_id, "timeout again", T0 + timedelta(minutes=15))
    failing = await tx.shipments.get(shipment_id)
    assert failing is not None
    assert (failing.error_count, failing.last_error) == (2, "timeout again")
    assert failing.next_check_at == T0 + timedelta(minutes=15)

    await tx.shipments.record_result(
        shipment_id,
        status=Status.IN_TRANSIT,
        status_text="Покинуло место приёма",
        carrier="Почта России",
        linked_code="RA2",
        checked_at=T0 + timedelta(hours=1),
        next_check_at=T0 + timedelta(hours=3),
        last_event_at=T0 - timedelta(days=1),
    )
    shipment = await tx.shipments.get(shipment_id)
    assert shipment is not None
    assert shipment.status is Status.IN_TRANSIT
    assert shipment.status_text == "Покинуло место приёма"
    assert (shipment.carrier, shipment.linked_code) == ("Почта России", "RA2")
    assert shipment.checked_at == T0 + timedelta(hours=1)
    assert shipment.next_check_at == T0 + timedelta(hours=3)
    assert shipment.last_event_at == T0 - timedelta(days=1)
    assert (shipment.error_count, shipment.last_error) == (0, "")


async def record(tx: Tx, shipment_id: int, status: Status, **times: datetime | None) -> None:
    await tx.shipments.record_result(
        shipment_id,
        status=status,
        status_text="",
        carrier=None,
        linked_code=None,
        checked_at=T0,
        next_check_at=times["next_check_at"],
        last_event_at=times["last_event_at"],
    )


async def test_final_result_stops_polling_and_keeps_the_known_event_time(tx: Tx) -> None:
    shipment_id = await new_shipment(tx, "RA1")
    await record(tx, shipment_id, Status.IN_TRANSIT, next_check_at=T0, last_event_at=T0)
    await record(tx, shipment_id, Status.DELIVERED, next_check_at=None, last_event_at=None)
    shipment = await tx.shipments.get(shipment_id)
    assert shipment is not None
    assert shipment.status is Status.DELIVERED
    assert shipment.next_check_at is None
    assert shipment.last_event_at == T0


async def test_set_next_check_moves_only_the_given_shipments(tx: Tx) -> None:
    ids = [await new_shipment(tx, f"RA{n}") for n in range(3)]
    later = T0 + timedelta(hours=6)
    await tx.shipments.set_next_check(ids[:2], later)
    await tx.shipments.set_next_check([ids[2]], None)
    times = [(await tx.shipments.get(i)) for i in ids]
    assert [s.next_check_at if s else "missing" for s in times] == [later, later, None]


async def test_due_returns_oldest_first_up_to_the_limit(tx: Tx) -> None:
    # Created in scrambled order so that id order and due order differ.
    offsets = [5, 1, 4, 2, 3, 9]
    ids = {offset: await new_shipment(tx, f"RA{offset}", T0) for offset in offsets}
    for offset, shipment_id in ids.items():
        await tx.shipments.set_next_check([shipment_id], T0 + timedelta(minutes=offset))
    await tx.shipments.set_next_check([await new_shipment(tx, "RA_STOPPED")], None)

    now = T0 + timedelta(minutes=5)
    due = await tx.shipments.due(now, limit=3)
    assert [s.id for s in due] == [ids[1], ids[2], ids[3]]
    every_due = await tx.shipments.due(now, limit=100)
    assert [s.id for s in every_due] == [ids[1], ids[2], ids[3], ids[4], ids[5]]


async def test_due_can_be_limited_to_some_sources(tx: Tx) -> None:
    post = await new_shipment(tx, "RA1", source="post")
    cdek = await new_shipment(tx, "RA2", source="cdek")
    await new_shipment(tx, "RA3", source="ozon")
    due = await tx.shipments.due(T0, 10, ["post", "cdek"])
    assert sorted(s.id for s in due) == sorted([post, cdek])
    assert await tx.shipments.due(T0, 10, []) == []


async def test_followed_ids_counts_only_active_followers(tx: Tx) -> None:
    await tx.users.seen(1, None, T0)
    await tx.users.seen(2, None, T0)
    active, blocked, nobody = [await new_shipment(tx, code) for code in ("A1", "B1", "C1")]
    await tx.subscriptions.add(1, active, "", T0)
    await tx.subscriptions.add(2, active, "", T0)
    await tx.subscriptions.add(2, blocked, "", T0)
    await tx.users.set_active(2, False)
    assert await tx.shipments.followed_ids([active, blocked, nobody]) == {active}
    assert await tx.shipments.followed_ids([]) == set()


async def test_orphans_are_deleted_with_their_events_and_returned(tx: Tx) -> None:
    await tx.users.seen(1, None, T0)
    kept, orphan = await new_shipment(tx, "KEEP1"), await new_shipment(tx, "GONE1")
    kept_sub, _ = await tx.subscriptions.add(1, kept, "", T0)
    orphan_sub, _ = await tx.subscriptions.add(1, orphan, "", T0)
    await tx.subscriptions.set_archived(kept_sub.id, 1, True)  # archived still counts
    await tx.events.add_new(orphan, [TrackEvent(T0, Status.IN_TRANSIT, "Сортировка")])
    assert await tx.shipments.delete_orphans() == []

    assert await tx.subscriptions.delete(orphan_sub.id, 1)
    gone = await tx.shipments.delete_orphans()
    assert [(s.id, s.code) for s in gone] == [(orphan, "GONE1")]
    assert await tx.shipments.get(orphan) is None
    assert await tx.events.history(orphan) == []
    assert await tx.shipments.get(kept) is not None
    assert await tx.shipments.delete_orphans() == []


async def test_shipment_followed_by_two_users_is_orphaned_only_after_both_leave(
    tx: Tx,
) -> None:
    await tx.users.seen(1, None, T0)
    await tx.users.seen(2, None, T0)
    shipment_id = await new_shipment(tx, "RA1")
    first, _ = await tx.subscriptions.add(1, shipment_id, "", T0)
    second, _ = await tx.subscriptions.add(2, shipment_id, "", T0)
    await tx.subscriptions.add(2, shipment_id, "again", T0)  # no second count
    assert await tx.subscriptions.delete(first.id, 1)
    assert await tx.shipments.delete_orphans() == []
    assert await tx.subscriptions.delete(second.id, 2)
    assert [s.id for s in await tx.shipments.delete_orphans()] == [shipment_id]


async def test_order_attempts_are_limited_per_user_within_the_window(db: Database) -> None:
    hour, proof = timedelta(hours=1), AllowanceKind.ORDER_PROOF
    async with db.transaction() as tx:
        await tx.users.seen(7, "ru", T0)
        taken = [
            await tx.allowances.take(7, AllowanceRule(proof, hour, 3), T0 + timedelta(minutes=m))
            for m in range(4)
        ]
        other = await tx.allowances.take(8, AllowanceRule(proof, hour, 3), T0)
    assert [(a.allowed, a.left) for a in taken] == [(True, 2), (True, 1), (True, 0), (False, 0)]
    assert taken[3].next_at == T0 + hour  # when the first attempt leaves the window
    assert other.allowed and other.left == 2
    async with db.transaction() as tx:
        again = await tx.allowances.take(7, AllowanceRule(proof, hour, 3), T0 + hour)
    assert again.allowed and again.left == 0  # the first left the window, two are still in it


async def test_each_allowance_kind_keeps_its_own_count(db: Database) -> None:
    day = timedelta(days=1)
    async with db.transaction() as tx:
        await tx.users.seen(7, "ru", T0)
        numbers = [
            await tx.allowances.take(7, AllowanceRule(AllowanceKind.NEW_NUMBER, day, 2), T0)
            for _ in range(3)
        ]
        proof = await tx.allowances.take(7, AllowanceRule(AllowanceKind.ORDER_PROOF, day, 2), T0)
    assert [n.allowed for n in numbers] == [True, True, False]
    assert proof.allowed and proof.left == 1


async def test_a_lowered_limit_names_the_time_enough_uses_have_left_the_window(
    db: Database,
) -> None:
    day, kind = timedelta(days=1), AllowanceKind.NEW_NUMBER
    async with db.transaction() as tx:
        await tx.users.seen(7, "ru", T0)
        for hour in range(3):
            await tx.allowances.take(7, AllowanceRule(kind, day, 10), T0 + timedelta(hours=hour))
        refused = await tx.allowances.take(7, AllowanceRule(kind, day, 2), T0 + timedelta(hours=3))
    assert not refused.allowed
    assert refused.next_at == T0 + timedelta(hours=1) + day  # two must go, not one


@asynccontextmanager
async def two_workers_of_user_7(url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two connections to one database, as two processes have, and user 7 known to both."""
    first, second = await open_database(url), await open_database(url)
    try:
        async with first.transaction() as tx:
            await tx.users.seen(7, "ru", T0)
        yield first, second
    finally:
        await first.close()
        await second.close()


NEW_NUMBERS = AllowanceRule(AllowanceKind.NEW_NUMBER, timedelta(days=1), 9)


async def test_one_new_number_added_by_two_workers_at_once_costs_one_use(db_url: str) -> None:
    async with two_workers_of_user_7(db_url) as (first, second):

        async def add(db: Database) -> None:
            async with db.transaction() as tx:
                await tx.allowances.before_counting(7)
                if await tx.shipments.find("track17", "RA000012349CN") is None:
                    await tx.allowances.take(7, NEW_NUMBERS, T0)
                await tx.shipments.get_or_create("track17", "RA000012349CN", "s10", T0)

        await asyncio.gather(add(first), add(second))
        async with first.transaction() as tx:
            left = await tx.allowances.take(7, NEW_NUMBERS, T0)
    assert left.left == 7  # one use for the number, one for this check


async def test_allowance_uses_outlive_the_user_until_housekeeping_forgets_them(
    db: Database,
) -> None:
    day, kind = timedelta(days=1), AllowanceKind.NEW_NUMBER
    async with db.transaction() as tx:
        await tx.users.seen(7, "ru", T0)
        await tx.allowances.take(7, AllowanceRule(kind, day, 1), T0)
        assert await tx.users.erase(7)
        await tx.users.seen(7, "ru", T0)
        assert not (await tx.allowances.take(7, AllowanceRule(kind, day, 1), T0)).allowed
    async with db.transaction() as tx:
        assert await tx.allowances.forget_before(T0 + timedelta(seconds=1)) == 1
        assert await tx.allowances.forget_before(T0 + timedelta(seconds=1)) == 0


async def test_order_attempts_from_two_workers_at_once_share_one_count(db_url: str) -> None:
    async with two_workers_of_user_7(db_url) as (first, second):

        async def attempt(db: Database) -> bool:
            async with db.transaction() as tx:
                proof = AllowanceKind.ORDER_PROOF
                return (
                    await tx.allowances.take(7, AllowanceRule(proof, timedelta(hours=1), 5), T0)
                ).allowed

        results = await asyncio.gather(*(attempt(db) for db in [first, second] * 5))
    assert sorted(results) == [False] * 5 + [True] * 5


async def test_a_sources_daily_calls_stop_at_the_limit_and_start_again_the_next_day(
    db: Database,
) -> None:
    day = date(2026, 3, 1)
    async with db.transaction() as tx:
        taken = [await tx.source_calls.take("russianpost", day, 3) for _ in range(4)]
        other = await tx.source_calls.take("shop", day, 3)
        assert await tx.source_calls.used("russianpost", day) == 3
    assert taken == [1, 2, 3, None]
    assert other == 1  # each source its own count
    async with db.transaction() as tx:
        assert await tx.source_calls.take("russianpost", day + timedelta(days=1), 3) == 1
        assert await tx.source_calls.take("russianpost", day, 5) == 4  # a raised limit counts on


async def test_a_source_saying_its_allowance_is_gone_spends_the_day(db: Database) -> None:
    day = date(2026, 3, 1)
    async with db.transaction() as tx:
        assert await tx.source_calls.take("russianpost", day, 100) == 1
        await tx.source_calls.spend_all("russianpost", day, 100)
        assert await tx.source_calls.take("russianpost", day, 100) is None
        await tx.source_calls.spend_all("russianpost", day, 50)  # never lowers the count
        assert await tx.source_calls.used("russianpost", day) == 100


async def test_old_days_of_calls_are_forgotten_when_a_new_day_begins(db: Database) -> None:
    first = date(2026, 3, 1)
    async with db.transaction() as tx:
        await tx.source_calls.take("russianpost", first, 3)
        await tx.source_calls.take("russianpost", first + timedelta(days=7), 3)
        assert await tx.source_calls.used("russianpost", first) == 1  # a week: still kept
        await tx.source_calls.take("russianpost", first + timedelta(days=8), 3)
        assert await tx.source_calls.used("russianpost", first) == 0


async def test_two_workers_taking_the_last_calls_at_once_get_each_call_once(db_url: str) -> None:
    first, second = await open_database(db_url), await open_database(db_url)
    day = date(2026, 3, 1)

    async def take(db: Database) -> int | None:
        async with db.transaction() as tx:
            return await tx.source_calls.take("russianpost", day, 6)

    try:
        results = await asyncio.gather(*(take(db) for db in [first, second] * 5))
    finally:
        await first.close()
        await second.close()
    assert sorted(r for r in results if r is not None) == [1, 2, 3, 4, 5, 6]
    assert results.count(None) == 4


async def test_erasing_a_user_keeps_followers_in_step_and_spares_everyone_else(
    db: Database,
) -> None:
    async with db.transaction() as tx:
        for user in (1, 2):
            await tx.users.seen(user, "ru", T0)
        shared, _ = await tx.shipments.get_or_create("post", "SHARED", "track", T0)
        own, _ = await tx.shipments.get_or_create("post", "OWN", "track", T0)
        for user, shipment in ((1, shared), (1, own), (2, shared)):
            await tx.subscriptions.add(user, shipment.id, "", T0)
        for user in (1, 2):
            await tx.outbox.enqueue(user, "alert", {}, f"k{user}", T0, T0)
    async with db.transaction() as tx:
        assert await tx.users.erase(1)
        assert not await tx.users.erase(1)
        orphans = await tx.shipments.delete_orphans()
    assert [s.code for s in orphans] == ["OWN"]
    async with db.read() as tx:
        assert await tx.users.get(1) is None and await tx.users.get(2) is not None
        assert await tx.subscriptions.count(1) == 0 and await tx.subscriptions.count(2) == 1
        followers = await tx.session.fetch_one(
            "SELECT followers FROM shipments WHERE id = ?", (shared.id,)
        )
        assert followers is not None and followers["followers"] == 1
        left = await tx.session.fetch_all("SELECT user_id FROM outbox")
        assert [row["user_id"] for row in left] == [2]


async def test_ensure_creates_a_missing_user_and_leaves_an_existing_one_alone(
    db: Database,
) -> None:
    async with db.transaction() as tx:
        await tx.users.seen(1, "en", T0)
        await tx.users.set_notifications(1, False)
        await tx.users.ensure(1, T0 + timedelta(days=1))
        await tx.users.ensure(2, T0)
    async with db.read() as tx:
        kept, made = await tx.users.get(1), await tx.users.get(2)
    assert kept is not None and kept.tg_language == "en" and not kept.notifications
    assert kept.created_at == T0
    assert made is not None and made.notifications and made.active and made.language is None
