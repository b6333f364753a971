"""Subscriptions repository: following, ownership, listing, search and followers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from storage import Database, Tx

pytest_plugins = ["tests.test_storage_backends"]  # the `db` fixture, on each engine

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ALICE, BOB = 101, 202


@pytest.fixture
async def tx(db: Database) -> AsyncIterator[Tx]:
    async with db.transaction() as transaction:
        await transaction.users.seen(ALICE, "ru", T0)
        await transaction.users.seen(BOB, "en", T0)
        yield transaction


async def follow(
    tx: Tx, user_id: int, code: str, label: str = "", at: datetime = T0
) -> tuple[int, int]:
    """(subscription id, shipment id)"""
    shipment, _ = await tx.shipments.get_or_create("post", code, "track", at)
    subscription, _ = await tx.subscriptions.add(user_id, shipment.id, label, at)
    return subscription.id, shipment.id


async def test_shipment_followed_by_two_users_is_one_row(tx: Tx) -> None:
    alice_sub, alice_shipment = await follow(tx, ALICE, "RA123456785CN", "дача")
    bob_sub, bob_shipment = await follow(tx, BOB, "RA123456785CN", "gift")
    assert alice_shipment == bob_shipment
    assert alice_sub != bob_sub
    row = await tx.session.fetch_one("SELECT COUNT(*) AS n FROM shipments")
    assert row is not None
    assert row["n"] == 1
    assert await tx.subscriptions.count_all() == 2


async def test_new_subscription_is_created_with_its_label(tx: Tx) -> None:
    shipment, _ = await tx.shipments.get_or_create("post", "RA1", "track", T0)
    subscription, created = await tx.subscriptions.add(ALICE, shipment.id, "  Кроссовки ", T0)
    assert created
    assert subscription.label == "Кроссовки"
    assert (subscription.user_id, subscription.shipment_id) == (ALICE, shipment.id)
    assert not subscription.muted
    assert not subscription.archived
    assert subscription.created_at == T0
    assert subscription.refreshed_at is None


async def test_adding_again_unarchives_and_keeps_the_label_unless_a_new_one_is_given(
    tx: Tx,
) -> None:
    sub_id, shipment_id = await follow(tx, ALICE, "RA1", "дача")
    await tx.subscriptions.set_archived(sub_id, ALICE, True)

    again, created = await tx.subscriptions.add(ALICE, shipment_id, "", T0 + timedelta(days=1))
    assert not created
    assert again.id == sub_id
    assert again.label == "дача"
    assert not again.archived
    assert again.created_at == T0

    renamed, created = await tx.subscriptions.add(ALICE, shipment_id, "подарок", T0)
    assert not created
    assert renamed.label == "подарок"
    assert [i.id for i in await tx.subscriptions.find_items(ALICE, "ПОДАРОК")] == [sub_id]


async def test_get_item_joins_the_shared_shipment(tx: Tx) -> None:
    sub_id, shipment_id = await follow(tx, ALICE, "RA1", "дача")
    item = await tx.subscriptions.get_item(sub_id, ALICE)
    assert item is not None
    assert item.id == sub_id
    assert item.shipment.id == shipment_id
    assert item.shipment.code == "RA1"
    assert item.title == "дача"


async def test_another_users_subscription_cannot_be_read_or_changed(tx: Tx) -> None:
    sub_id, _ = await follow(tx, ALICE, "RA1", "дача")
    assert await tx.subscriptions.get_item(sub_id, BOB) is None
    assert not await tx.subscriptions.rename(sub_id, BOB, "mine now")
    assert not await tx.subscriptions.set_muted(sub_id, BOB, True)
    assert not await tx.subscriptions.set_archived(sub_id, BOB, True)
    assert not await tx.subscriptions.delete(sub_id, BOB)

    item = await tx.subscriptions.get_item(sub_id, ALICE)
    assert item is not None
    assert item.subscription.label == "дача"
    assert not item.subscription.muted
    assert not item.subscription.archived


async def test_owner_can_rename_mute_archive_and_delete(tx: Tx) -> None:
    sub_id, _ = await follow(tx, ALICE, "RA1", "дача")
    assert await tx.subscriptions.rename(sub_id, ALICE, "Куртка")
    assert await tx.subscriptions.set_muted(sub_id, ALICE, True)
    assert await tx.subscriptions.set_archived(sub_id, ALICE, True)
    item = await tx.subscriptions.get_item(sub_id, ALICE)
    assert item is not None
    assert (item.subscription.label, item.subscription.muted, item.subscription.archived) == (
        "Куртка",
        True,
        True,
    )
    assert await tx.subscriptions.delete(sub_id, ALICE)
    assert await tx.subscriptions.get_item(sub_id, ALICE) is None
    assert not await tx.subscriptions.delete(sub_id, ALICE)


async def test_list_is_newest_first_and_pages(tx: Tx) -> None:
    ids = [(await follow(tx, ALICE, f"RA{n}", at=T0 + timedelta(minutes=n)))[0] for n in range(5)]
    await follow(tx, BOB, "RA_BOB")
    newest_first = list(reversed(ids))
    page = await tx.subscriptions.list_items(ALICE)
    assert [i.id for i in page] == newest_first
    second = await tx.subscriptions.list_items(ALICE, offset=2, limit=2)
    assert [i.id for i in second] == newest_first[2:4]
    assert await tx.subscriptions.count(ALICE) == 5
    assert await tx.subscriptions.count(BOB) == 1


async def test_archived_items_are_listed_and_counted_apart(tx: Tx) -> None:
    current, _ = await follow(tx, ALICE, "RA1")
    archived, _ = await follow(tx, ALICE, "RA2")
    await tx.subscriptions.set_archived(archived, ALICE, True)
    assert [i.id for i in await tx.subscriptions.list_items(ALICE)] == [current]
    assert [i.id for i in await tx.subscriptions.list_items(ALICE, archived=True)] == [archived]
    assert await tx.subscriptions.count(ALICE) == 1
    assert await tx.subscriptions.count(ALICE, archived=True) == 1


@pytest.mark.parametrize("query", ["ДАЧА", "дача", "Дача", "ача", " дАч "])
async def test_cyrillic_label_search_ignores_case_and_finds_substrings(tx: Tx, query: str) -> None:
    sub_id, _ = await follow(tx, ALICE, "RA1", "Дача у Ёлкиных")
    await follow(tx, ALICE, "RA2", "Книги")
    assert [i.id for i in await tx.subscriptions.find_items(ALICE, query)] == [sub_id]


async def test_search_finds_letters_the_label_was_renamed_to(tx: Tx) -> None:
    sub_id, _ = await follow(tx, ALICE, "RA1", "old")
    await tx.subscriptions.rename(sub_id, ALICE, "ЁЛКА")
    assert [i.id for i in await tx.subscriptions.find_items(ALICE, "ёлка")] == [sub_id]
    assert await tx.subscriptions.find_items(ALICE, "old") == []


@pytest.mark.parametrize("query", ["1001", "#1001", "№1001", " # 1001 "])
async def test_an_order_number_is_found_with_or_without_its_sign(tx: Tx, query: str) -> None:
    sub_id, _ = await follow(tx, ALICE, "#1001")
    other_id, _ = await follow(tx, ALICE, "1001")  # a shop whose numbers read both ways
    await follow(tx, ALICE, "10011")
    found = {i.id for i in await tx.subscriptions.find_items(ALICE, query)}
    assert found == {sub_id, other_id}


async def test_search_matches_the_code_exactly_in_any_case(tx: Tx) -> None:
    sub_id, _ = await follow(tx, ALICE, "RA123456785CN")
    assert [i.id for i in await tx.subscriptions.find_items(ALICE, "ra123456785cn")] == [sub_id]
    assert await tx.subscriptions.find_items(ALICE, "RA12345678") == []


async def test_search_treats_like_wildcards_as_plain_text(tx: Tx) -> None:
    percent, _ = await follow(tx, ALICE, "RA1", "скидка 50%")
    await follow(tx, ALICE, "RA2", "скидка 500")
    assert [i.id for i in await tx.subscriptions.find_items(ALICE, "50%")] == [percent]
    assert await tx.subscriptions.find_items(ALICE, "_") == []


async def test_search_never_returns_another_users_items(tx: Tx) -> None:
    await follow(tx, BOB, "RA1", "дача")
    assert await tx.subscriptions.find_items(ALICE, "дача") == []
    assert await tx.subscriptions.find_items(ALICE, "RA1") == []
    assert await tx.subscriptions.find_items(ALICE, "   ") == []


async def test_touch_refresh_records_the_time(tx: Tx) -> None:
    sub_id, _ = await follow(tx, ALICE, "RA1")
    await tx.subscriptions.touch_refresh(sub_id, T0 + timedelta(minutes=3))
    item = await tx.subscriptions.get_item(sub_id, ALICE)
    assert item is not None
    assert item.subscription.refreshed_at == T0 + timedelta(minutes=3)


async def test_followers_include_muted_but_not_blocked_users(tx: Tx) -> None:
    carol = 303
    await tx.users.seen(carol, None, T0)
    alice_sub, shipment_id = await follow(tx, ALICE, "RA1")
    bob_sub, _ = await follow(tx, BOB, "RA1")
    await follow(tx, carol, "RA1")
    await tx.subscriptions.set_muted(bob_sub, BOB, True)
    await tx.users.set_active(carol, False)
    await follow(tx, ALICE, "OTHER")

    followers = await tx.subscriptions.followers(shipment_id)
    assert [(s.id, s.muted, u.id, u.tg_language) for s, u in followers] == [
        (alice_sub, False, ALICE, "ru"),
        (bob_sub, True, BOB, "en"),
    ]


async def test_find_for_is_the_users_own_subscription_to_a_shipment(tx: Tx) -> None:
    sub_id, shipment_id = await follow(tx, ALICE, "RA123456785CN", "дача")
    found = await tx.subscriptions.find_for(ALICE, shipment_id)
    assert found is not None and (found.id, found.label) == (sub_id, "дача")
    assert await tx.subscriptions.find_for(BOB, shipment_id) is None


async def finished(tx: Tx, code: str, status: str, checked_at: datetime, polled: bool) -> int:
    """A followed shipment that ended (or not) in `status`, last checked at `checked_at`."""
    _, shipment_id = await follow(tx, ALICE, code)
    await tx.session.execute(
        "UPDATE shipments SET status = ?, checked_at = ?, next_check_at = ? WHERE id = ?",
        (
            status,
            int(checked_at.timestamp() * 1000),
            int(checked_at.timestamp() * 1000) + 3_600_000 if polled else None,
            shipment_id,
        ),
    )
    return shipment_id


async def test_archive_finished_takes_only_final_unpolled_items_checked_before_the_cutoff(
    tx: Tx,
) -> None:
    old, recent = T0 - timedelta(days=20), T0 - timedelta(days=2)
    await finished(tx, "OLD-DELIVERED", "delivered", old, polled=False)
    await finished(tx, "OLD-CANCELLED", "cancelled", old, polled=False)
    await finished(tx, "RECENT", "delivered", recent, polled=False)
    await finished(tx, "CONFIRMING", "delivered", old, polled=True)
    await finished(tx, "MOVING", "in_transit", old, polled=False)
    cutoff = T0 - timedelta(days=14)
    assert await tx.subscriptions.archive_finished(("delivered", "cancelled"), cutoff, 1) == 1
    assert await tx.subscriptions.archive_finished(("delivered", "cancelled"), cutoff, 10) == 1
    assert await tx.subscriptions.archive_finished(("delivered", "cancelled"), cutoff, 10) == 0
    archived = await tx.subscriptions.list_items(ALICE, archived=True)
    assert sorted(i.shipment.code for i in archived) == ["OLD-CANCELLED", "OLD-DELIVERED"]
    assert await tx.subscriptions.count(ALICE) == 3


async def test_restore_all_brings_back_every_follower_of_one_shipment_only(tx: Tx) -> None:
    alice_sub, shipment_id = await follow(tx, ALICE, "RA123456785CN")
    bob_sub, _ = await follow(tx, BOB, "RA123456785CN")
    other_sub, _ = await follow(tx, ALICE, "RA000012349CN")
    for sub_id, user in ((alice_sub, ALICE), (bob_sub, BOB), (other_sub, ALICE)):
        await tx.subscriptions.set_archived(sub_id, user, True)
    assert await tx.subscriptions.restore_all(shipment_id) == 2
    assert await tx.subscriptions.restore_all(shipment_id) == 0
    assert [i.id for i in await tx.subscriptions.list_items(ALICE, archived=True)] == [other_sub]
    assert await tx.subscriptions.count(BOB) == 1
