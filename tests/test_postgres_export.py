"""Moving a SQLite installation to PostgreSQL: every row with its id, nothing merged or lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from providers.base import TrackEvent
from providers.statuses import Status
from storage import Database, StorageError, open_database
from storage.allowances import AllowanceKind, AllowanceRule
from storage.export import export_sqlite_to_postgres

pytest_plugins = ["tests.test_storage_backends"]  # postgres_url

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ALICE, BOB = 101, 202
TABLES = (
    "users",
    "shipments",
    "subscriptions",
    "events",
    "outbox",
    "receipts",
    "allowance_uses",
    "source_calls",
    "update_claims",
    "dialogues",
)
ORDER_BY = {
    "receipts": "digest",
    "allowance_uses": "user_id, kind, used_at",
    "source_calls": "source, day",
    "update_claims": "update_id",
    "dialogues": "dialogue_key",
}


async def fill(db: Database) -> None:
    """A small installation with gaps in its ids, as deletions leave them."""
    async with db.transaction() as tx:
        await tx.users.seen(ALICE, "ru", T0)
        await tx.users.seen(BOB, "en", T0)
        await tx.users.set_quiet_hours(BOB, "23:00-08:00")
        for n in range(5):
            shipment, _ = await tx.shipments.get_or_create("post", f"RA{n}", "track", T0)
            sub, _ = await tx.subscriptions.add(ALICE, shipment.id, f"Посылка {n}", T0)
            await tx.events.add_new(
                shipment.id,
                [
                    TrackEvent(T0 + timedelta(hours=h), Status.IN_TRANSIT, f"hop {h}")
                    for h in range(3)
                ],
            )
            await tx.outbox.enqueue(ALICE, "alert", {"subscription_id": sub.id}, f"k{n}", T0, T0)
        bob_sub, _ = await tx.subscriptions.add(BOB, 2, "gift", T0)
        await tx.subscriptions.set_muted(bob_sub.id, BOB, True)
        [first] = await tx.outbox.claim_due(T0, 1, timedelta(minutes=1))
        await tx.outbox.mark_sent(first.id, T0)
        await tx.receipts.remember("digest-1", T0)
        await tx.allowances.take(
            BOB, AllowanceRule(AllowanceKind.ORDER_PROOF, timedelta(hours=1), 5), T0
        )
        await tx.source_calls.take("russianpost", T0.date(), 100)
        await tx.update_claims.take(7, T0, T0 + timedelta(minutes=2))
        await tx.update_claims.take(8, T0, T0 + timedelta(minutes=2))
        await tx.update_claims.settle(8, T0)
        await tx.dialogues.set_state("fsm:1:202:202:default", BOB, "Rename:waiting_label", T0)
        await tx.dialogues.set_data("fsm:1:202:202:default", BOB, '{"item_id": 6}', T0)
        oldest = (await tx.subscriptions.list_items(ALICE))[-1]
        await tx.subscriptions.delete(oldest.id, ALICE)
        await tx.shipments.delete_orphans()


async def dump(db: Database) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    async with db.read() as tx:
        for table in TABLES:
            key = ORDER_BY.get(table, "id")
            rows = await tx.session.fetch_all(f"SELECT * FROM {table} ORDER BY {key}")
            tables[table] = [dict(row) for row in rows]  # type: ignore[call-overload]
    return tables


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    db = await open_database(url)
    try:
        await fill(db)
    finally:
        await db.close()
    return url


async def test_every_row_arrives_with_its_id_and_the_counts_are_reported(
    sqlite_url: str, postgres_url: str
) -> None:
    counts = await export_sqlite_to_postgres(sqlite_url, postgres_url)
    source, target = await open_database(sqlite_url), await open_database(postgres_url)
    try:
        before, after = await dump(source), await dump(target)
    finally:
        await source.close()
        await target.close()
    assert after == before
    assert counts == {table: len(before[table]) for table in TABLES}
    assert counts["events"] == 12  # the first of five shipments was orphaned and deleted
    assert [row["id"] for row in after["shipments"]] == [2, 3, 4, 5]


async def test_subscriptions_work_on_the_new_database(sqlite_url: str, postgres_url: str) -> None:
    await export_sqlite_to_postgres(sqlite_url, postgres_url)
    db = await open_database(postgres_url)
    try:
        async with db.transaction() as tx:
            [found] = await tx.subscriptions.find_items(ALICE, "посылка 3")
            assert found.shipment.code == "RA3"
            assert [s.id for s, _ in await tx.subscriptions.followers(found.shipment.id)] == [
                found.id
            ]
            newest = max(i.id for i in await tx.subscriptions.list_items(ALICE))
            shipment, created = await tx.shipments.get_or_create("post", "NEW1", "track", T0)
            added, _ = await tx.subscriptions.add(BOB, shipment.id, "", T0)
            assert created
            assert added.id > newest  # the identities start after the copied ids
            assert await tx.outbox.enqueue(BOB, "alert", {}, "k-new", T0, T0)
            assert not await tx.outbox.enqueue(ALICE, "alert", {}, "k1", T0, T0)  # still known
            assert not await tx.receipts.remember("digest-1", T0)
    finally:
        await db.close()


async def test_export_refuses_a_target_that_already_has_rows(
    sqlite_url: str, postgres_url: str
) -> None:
    await export_sqlite_to_postgres(sqlite_url, postgres_url)
    with pytest.raises(StorageError, match="already holds rows"):
        await export_sqlite_to_postgres(sqlite_url, postgres_url)
    target = await open_database(postgres_url)
    try:
        async with target.read() as tx:
            assert await tx.subscriptions.count_all() == 5
    finally:
        await target.close()


async def test_an_empty_installation_exports_as_zero_rows(
    tmp_path: Path, postgres_url: str
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    await (await open_database(url)).close()
    assert await export_sqlite_to_postgres(url, postgres_url) == dict.fromkeys(TABLES, 0)


async def test_a_missing_source_file_is_refused_instead_of_created(
    tmp_path: Path, postgres_url: str
) -> None:
    missing = tmp_path / "typo.sqlite3"
    with pytest.raises(StorageError, match="existing sqlite"):
        await export_sqlite_to_postgres(f"sqlite:///{missing}", postgres_url)
    assert not missing.exists()
