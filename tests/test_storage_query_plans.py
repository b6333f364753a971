"""The hot queries read through their indexes, so their cost follows the rows they return.

Checked with EXPLAIN QUERY PLAN on a database of 100k shipments, before and after ANALYZE (the
planner may change its mind once it has statistics). No timings are asserted.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage import Database, Tx, open_database
from storage.outbox import FORGET_SETTLED_SQL, NEXT_DUE_SQL
from storage.outbox import claim_sql as outbox_claim_sql
from storage.shipment_queue import claim_sql, due_sql
from storage.shipments import FORGET_ORPHANS_SQL
from storage.sql import EPOCH, to_ms
from storage.subscriptions import FOLLOWERS_SQL, LIST_ITEMS_SQL

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STORED, DUE = 100_000, 100
USER = 1
OTHER_USERS = 2_000

# Every 1000th shipment is due (spread over the id range); the rest are due next year or
# not polled at all. Sources rotate so a source filter has rows of every kind to skip. Most are
# followed (the counter is set directly: only the plan is examined), every 500th is an orphan.
POPULATE = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
INSERT INTO shipments (source, code, kind, status, created_at, followers, next_check_at)
SELECT CASE i % 3 WHEN 0 THEN 'post' WHEN 1 THEN 'cdek' ELSE 'ozon' END,
       'RA' || i, 'track', 'in_transit', ?, CASE WHEN i % 500 = 0 THEN 0 ELSE 1 END,
       CASE WHEN i % 1000 = 0 THEN ? - i
            WHEN i % 7 = 0 THEN NULL
            ELSE ? + i END
FROM n
"""


async def populate(url: str) -> None:
    database = await open_database(url)
    now, next_year = to_ms(T0), to_ms(T0 + timedelta(days=365))
    try:
        async with database.transaction() as tx:
            await tx.session.execute(POPULATE, (STORED, now, now, next_year))
            await tx.users.seen(USER, None, T0)
            for shipment_id in range(1, 200):
                await tx.subscriptions.add(USER, shipment_id, f"item {shipment_id}", T0)
                await tx.outbox.enqueue(USER, "alert", {}, f"k{shipment_id}", T0, T0)
            # Other users, each following a few shipments: a planner with statistics must
            # still go from the shipment to its followers, not through every user.
            for other in range(USER + 1, USER + 1 + OTHER_USERS):
                await tx.users.seen(other, None, T0)
                for shipment_id in range(200 + other, 200 + other + 3 * OTHER_USERS, OTHER_USERS):
                    await tx.subscriptions.add(other, shipment_id, "", T0)
    finally:
        await database.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Filled once per module; each test works on its own copy."""
    path = tmp_path_factory.mktemp("plans") / "template.sqlite3"
    asyncio.run(populate(f"sqlite:///{path}"))
    return path


@pytest.fixture
async def db(template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    copy = tmp_path / "bot.sqlite3"
    shutil.copyfile(template, copy)
    database = await open_database(f"sqlite:///{copy}")
    yield database
    await database.close()


async def plan(tx: Tx, sql: str, params: Sequence[Any]) -> list[str]:
    rows = await tx.session.fetch_all(f"EXPLAIN QUERY PLAN {sql}", params)
    return [row["detail"] for row in rows]


def table_scans(details: list[str]) -> list[str]:
    """Full scans, leaving out a claim's read of its own few picked ids."""
    return [d for d in details if d.startswith("SCAN") and d != "SCAN picked"]


def assert_reads_index(details: list[str], index: str) -> None:
    assert any(f"INDEX {index}" in d for d in details), details
    assert not any(d.startswith("SCAN") for d in details), details
    assert not any("TEMP B-TREE" in d for d in details), details


@pytest.fixture(params=[False, True], ids=["no-statistics", "analyzed"])
async def tx(db: Database, request: pytest.FixtureRequest) -> AsyncIterator[Tx]:
    async with db.transaction() as transaction:
        if request.param:
            await transaction.session.execute("ANALYZE")
        yield transaction


async def test_due_reads_the_due_index_and_returns_the_oldest(tx: Tx) -> None:
    now = to_ms(T0)
    assert_reads_index(await plan(tx, due_sql(None), (now, DUE)), "shipments_due")
    due = await tx.shipments.due(T0, DUE)
    assert len(due) == DUE
    assert [s.next_check_at for s in due] == sorted(s.next_check_at or EPOCH for s in due)
    assert due[0].code == f"RA{STORED}"  # due earliest: now - 100000 ms


async def test_due_with_a_source_filter_still_reads_the_due_index(tx: Tx) -> None:
    sql = due_sql(2)
    assert_reads_index(await plan(tx, sql, (to_ms(T0), "post", "cdek", DUE)), "shipments_due")
    due = await tx.shipments.due(T0, DUE, ["post", "cdek"])
    assert {s.source for s in due} == {"post", "cdek"}
    assert len(due) == 67  # of the 100 due, i % 3 != 2


async def test_claiming_due_shipments_reads_the_due_index(tx: Tx) -> None:
    now = to_ms(T0)
    lease_end = now + 600_000
    details = await plan(tx, claim_sql(None, "sqlite"), (now, now, DUE, lease_end))
    assert any("INDEX shipments_due" in d for d in details), details
    assert not table_scans(details), details
    assert not any("TEMP B-TREE" in d for d in details), details
    filtered = await plan(tx, claim_sql(1, "sqlite"), (now, now, "post", DUE, lease_end))
    assert any("INDEX shipments_due" in d for d in filtered), filtered
    claimed = await tx.shipments.claim_due(T0, DUE, timedelta(minutes=10))
    assert [s.next_check_at for s in claimed] == [
        s.next_check_at for s in await tx.shipments.due(T0, DUE)
    ]
    assert await tx.shipments.claim_due(T0, DUE, timedelta(minutes=10)) == []


async def test_claiming_outbox_messages_reads_the_pending_index(tx: Tx) -> None:
    now = to_ms(T0)
    details = await plan(tx, outbox_claim_sql("sqlite"), (now, now, 50, now + 30_000))
    assert any("INDEX outbox_due" in d for d in details), details
    assert not table_scans(details), details


async def test_the_next_due_message_is_read_from_the_pending_index(tx: Tx) -> None:
    # Walked in order from the start of the pending rows: it stops at the first unclaimed one.
    details = await plan(tx, NEXT_DUE_SQL, (to_ms(T0),))
    assert details == ["SCAN outbox USING INDEX outbox_due"], details
    assert await tx.outbox.next_due_at(T0) == T0
    await tx.outbox.claim_due(T0, 500, timedelta(minutes=1))
    assert await tx.outbox.next_due_at(T0) is None  # all held by a live claim


async def test_finding_orphans_reads_its_partial_index(tx: Tx) -> None:
    details = await plan(tx, FORGET_ORPHANS_SQL, ())
    assert any("INDEX shipments_orphans" in d for d in details), details
    # Walking the partial index is reading the orphans alone; the rest are searches.
    assert all(d.startswith("SEARCH") or "INDEX shipments_orphans" in d for d in details)


async def test_a_users_list_and_a_shipments_followers_use_their_indexes(tx: Tx) -> None:
    listing = await plan(tx, LIST_ITEMS_SQL, (USER, False, 10, 0))
    assert_reads_index(listing, "subscriptions_by_user")
    assert len(await tx.subscriptions.list_items(USER, limit=10)) == 10
    followers = await plan(tx, FOLLOWERS_SQL, (5, True))
    assert any("INDEX subscriptions_by_shipment" in d for d in followers), followers
    assert not table_scans(followers), followers


async def test_forgetting_settled_outbox_rows_reads_its_partial_index(tx: Tx) -> None:
    details = await plan(tx, FORGET_SETTLED_SQL, (to_ms(T0), 5000))
    assert any("INDEX outbox_settled" in d for d in details), details
    assert "SCAN outbox" not in details, details
