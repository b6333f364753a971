"""The storage engines: DATABASE_URL, migrations, pragmas, and who owns the transaction.

Tests taking `db`, `db_url` or `database_url` run on SQLite and on PostgreSQL; the SQLite-only
ones check what only that engine has (a file, pragmas, one writer at a time).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from storage import Database, StorageError, migrate, open_database
from storage.allowances import AllowanceKind, AllowanceRule
from storage.database import _open
from storage.migrate import load, split_statements, upgrade
from storage.sql import to_ms

pytest_plugins = ["tests.test_storage_backends"]  # db, db_url, database_url on each engine

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATEST = len(load())


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(url_of(tmp_path / "bot.sqlite3"))
    yield database
    await database.close()


# --- DATABASE_URL --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["mysql://bot:secret@db/bot", "bot.sqlite3", "sqlite:///", "postgresql://bot:secret@[::"],
)
async def test_unsupported_database_url_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(StorageError, match=r"^DATABASE_URL: ") as caught:
        await open_database(url)
    assert "secret" not in str(caught.value)


async def test_relative_sqlite_path_creates_its_parent_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = await open_database("sqlite:///data/nested/bot.sqlite3")
    await db.close()
    assert (tmp_path / "data" / "nested" / "bot.sqlite3").is_file()


async def test_memory_database_is_migrated_and_usable() -> None:
    db = await open_database("sqlite:///:memory:")
    try:
        assert await db.schema_version() == LATEST
        async with db.transaction() as tx:
            await tx.users.seen(1, "ru", T0)
        async with db.read() as tx:
            assert await tx.users.get(1) is not None
    finally:
        await db.close()


# --- migrations ----------------------------------------------------------------------------


async def test_migrations_record_each_version_once(db: Database) -> None:
    async with db.read() as tx:
        rows = await tx.session.fetch_all(
            "SELECT version, name FROM schema_version ORDER BY version"
        )
    assert [(row["version"], row["name"]) for row in rows] == [(m.version, m.name) for m in load()]
    assert await db.schema_version() == LATEST >= 1


async def test_migrate_twice_applies_nothing_the_second_time(database_url: str) -> None:
    url = database_url
    assert await migrate(url) == (0, LATEST)
    assert await migrate(url) == (LATEST, LATEST)
    db = await open_database(url)
    try:
        async with db.read() as tx:
            row = await tx.session.fetch_one("SELECT COUNT(*) AS n FROM schema_version")
        assert row is not None
        assert row["n"] == LATEST
    finally:
        await db.close()


async def test_existing_database_keeps_its_data_when_opened_again(db_url: str) -> None:
    url = db_url
    first = await open_database(url)
    async with first.transaction() as tx:
        await tx.users.seen(7, "en", T0)
    await first.close()

    second = await open_database(url)
    try:
        async with second.read() as tx:
            user = await tx.users.get(7)
        assert user is not None
        assert user.tg_language == "en"
        assert await second.schema_version() == LATEST
    finally:
        await second.close()


async def test_order_attempts_move_to_the_allowance_table_when_it_arrives(
    database_url: str,
) -> None:
    before = [m for m in load() if m.version < 12]  # up to the allowances migration
    db = await _open(database_url, pool_size=1)
    try:
        await upgrade(db, before)
        async with db.transaction() as tx:
            await tx.session.execute(
                "INSERT INTO order_attempts (user_id, attempted_at) VALUES (?, ?)",
                (7, to_ms(T0)),
            )
        await upgrade(db, load())
        async with db.transaction() as tx:
            refused = await tx.allowances.take(
                7, AllowanceRule(AllowanceKind.ORDER_PROOF, timedelta(hours=1), 1), T0
            )
            other_kind = await tx.allowances.take(
                7, AllowanceRule(AllowanceKind.NEW_NUMBER, timedelta(hours=1), 1), T0
            )
    finally:
        await db.close()
    assert not refused.allowed and refused.next_at == T0 + timedelta(hours=1)
    assert other_kind.allowed


async def test_open_without_migrating_refuses_an_outdated_schema(database_url: str) -> None:
    with pytest.raises(StorageError, match="run the migrate command"):
        await open_database(database_url, migrate=False)


async def test_open_without_migrating_accepts_a_current_schema(database_url: str) -> None:
    url = database_url
    await migrate(url)
    db = await open_database(url, migrate=False)
    try:
        assert await db.schema_version() == LATEST
    finally:
        await db.close()


async def test_schema_newer_than_the_code_is_refused(database_url: str) -> None:
    url = database_url
    db = await open_database(url)
    async with db.transaction() as tx:
        await tx.session.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
            (LATEST + 1, "from_the_future", 0),
        )
    await db.close()
    with pytest.raises(StorageError, match="newer than this code"):
        await open_database(url)


async def test_two_processes_migrating_at_once_apply_each_migration_once(
    database_url: str,
) -> None:
    results = await asyncio.gather(migrate(database_url), migrate(database_url))
    # The later one may find none, some or all of the work done by the other.
    assert min(before for before, _ in results) == 0
    assert [after for _, after in results] == [LATEST, LATEST]
    db = await open_database(database_url, migrate=False)
    try:
        async with db.read() as tx:
            rows = await tx.session.fetch_all("SELECT version FROM schema_version")
        assert sorted(row["version"] for row in rows) == list(range(1, LATEST + 1))
    finally:
        await db.close()


def test_migration_script_splits_on_statement_ends_and_drops_comments() -> None:
    script = "-- a comment;\nCREATE TABLE a (x TEXT DEFAULT 'a;b');\n\nCREATE INDEX i ON a (x);\n"
    assert split_statements(script) == (
        "CREATE TABLE a (x TEXT DEFAULT 'a;b')",
        "CREATE INDEX i ON a (x)",
    )


# --- pragmas -------------------------------------------------------------------------------


async def test_file_database_runs_in_wal_mode_with_foreign_keys(sqlite_db: Database) -> None:
    async with sqlite_db.read() as tx:
        journal = await tx.session.fetch_one("PRAGMA journal_mode")
        foreign_keys = await tx.session.fetch_one("PRAGMA foreign_keys")
        busy = await tx.session.fetch_one("PRAGMA busy_timeout")
    assert journal is not None
    assert foreign_keys is not None
    assert busy is not None
    assert journal["journal_mode"] == "wal"
    assert foreign_keys["foreign_keys"] == 1
    assert busy["timeout"] > 0


async def test_foreign_key_violation_is_a_storage_error(db: Database) -> None:
    with pytest.raises(StorageError, match=r"(?i)foreign key"):
        async with db.transaction() as tx:
            await tx.subscriptions.add(404, 404, "", T0)


# --- transactions --------------------------------------------------------------------------


class PlannedError(Exception):
    pass


async def write_everywhere_then_fail(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.users.seen(1, "ru", T0)
        shipment, _ = await tx.shipments.get_or_create("post", "RA1", "track", T0)
        await tx.subscriptions.add(1, shipment.id, "", T0)
        await tx.outbox.enqueue(1, "notice", {}, "k", T0, T0)
        raise PlannedError


async def test_exception_rolls_back_everything_the_transaction_wrote(db: Database) -> None:
    with pytest.raises(PlannedError):
        await write_everywhere_then_fail(db)
    async with db.read() as tx:
        assert await tx.users.get(1) is None
        assert await tx.shipments.find("post", "RA1") is None
        assert await tx.subscriptions.count_all() == 0
        assert await tx.outbox.pending_count() == 0
    async with db.transaction() as tx:  # the connection is usable again
        await tx.users.seen(1, "ru", T0)


async def test_commit_makes_writes_visible_to_a_second_connection(
    db: Database, db_url: str
) -> None:
    other = await open_database(db_url)
    try:
        async with db.transaction() as tx:
            await tx.users.seen(5, None, T0)
            async with other.read() as elsewhere:
                assert await elsewhere.users.get(5) is None  # not committed yet
        async with other.read() as elsewhere:
            assert await elsewhere.users.get(5) is not None
    finally:
        await other.close()


async def test_cancelled_transaction_is_rolled_back(db: Database) -> None:
    started = asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.users.seen(9, None, T0)
            started.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(writer())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with db.read() as tx:
        assert await tx.users.get(9) is None


async def test_read_refuses_to_write(db: Database) -> None:
    with pytest.raises(StorageError, match=r"read-?only"):
        async with db.read() as tx:
            await tx.users.seen(1, "ru", T0)
    async with db.transaction() as tx:  # the read-only switch is off again
        await tx.users.seen(1, "ru", T0)


async def test_tx_cannot_be_used_after_its_block(db: Database) -> None:
    async with db.transaction() as tx:
        pass
    with pytest.raises(StorageError, match="is over"):
        await tx.users.get(1)


async def test_nested_transaction_is_refused_instead_of_deadlocking(db: Database) -> None:
    async with db.transaction():
        with pytest.raises(StorageError, match="nested"):
            async with db.read():
                pass


async def test_sqlite_transactions_take_turns_so_read_modify_write_is_safe(
    sqlite_db: Database,
) -> None:
    """One writer at a time; on PostgreSQL the repositories write in single statements instead."""
    db = sqlite_db
    async with db.transaction() as tx:
        await tx.users.seen(1, None, T0)
        await tx.users.set_quiet_hours(1, "0")

    async def bump() -> None:
        async with db.transaction() as tx:
            user = await tx.users.get(1)
            assert user is not None
            await asyncio.sleep(0)  # let the other tasks run: they must wait for their turn
            await tx.users.set_quiet_hours(1, str(int(user.quiet_hours or "0") + 1))

    await asyncio.gather(*(bump() for _ in range(20)))
    async with db.read() as tx:
        final = await tx.users.get(1)
    assert final is not None
    assert final.quiet_hours == "20"


async def test_concurrent_follows_of_one_shipment_count_every_follower(db: Database) -> None:
    users = range(1, 21)
    async with db.transaction() as tx:
        for user_id in users:
            await tx.users.seen(user_id, None, T0)
        shipment, _ = await tx.shipments.get_or_create("post", "RA1", "track", T0)

    async def follow(user_id: int) -> None:
        async with db.transaction() as tx:
            await asyncio.sleep(0)
            await tx.subscriptions.add(user_id, shipment.id, "", T0)

    await asyncio.gather(*(follow(user_id) for user_id in users))
    async with db.transaction() as tx:
        row = await tx.session.fetch_one(
            "SELECT followers FROM shipments WHERE id = ?", (shipment.id,)
        )
        assert row is not None
        assert row["followers"] == len(users)
        for user_id in users:
            [item] = await tx.subscriptions.list_items(user_id)
            assert await tx.subscriptions.delete(item.id, user_id)
        assert [s.id for s in await tx.shipments.delete_orphans()] == [shipment.id]


async def test_closed_database_refuses_transactions(db_url: str) -> None:
    db = await open_database(db_url)
    await db.close()
    await db.close()  # closing twice is harmless
    with pytest.raises(StorageError, match="closed"):
        async with db.read():
            pass


# --- times ---------------------------------------------------------------------------------


async def test_times_come_back_as_aware_utc_to_the_millisecond(db: Database) -> None:
    moscow = timezone(timedelta(hours=3))
    created = datetime(2026, 3, 1, 15, 0, 0, 123456, tzinfo=moscow)
    async with db.transaction() as tx:
        user = await tx.users.seen(1, None, created)
    assert user.created_at.tzinfo == UTC
    assert user.created_at == datetime(2026, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)


async def test_naive_times_are_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="naive"):
        async with db.transaction() as tx:
            await tx.users.seen(1, None, datetime(2026, 3, 1, 12, 0))
