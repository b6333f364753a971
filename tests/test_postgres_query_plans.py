"""On PostgreSQL the claim queries walk their partial indexes in order and stop at the limit.

Checked with EXPLAIN on 20k shipments and 10k outbox rows after ANALYZE (PostgreSQL's planner
relies on statistics, which autovacuum keeps). No timings are asserted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storage import Database, open_database
from storage.outbox import NEXT_DUE_SQL
from storage.outbox import claim_sql as outbox_claim_sql
from storage.shipment_queue import claim_sql
from storage.shipments import FORGET_ORPHANS_SQL
from storage.sql import to_ms
from storage.subscriptions import FOLLOWERS_SQL, LIST_ITEMS_SQL
from tests.test_storage_backends import Schemas, in_schema

pytest_plugins = ["tests.test_storage_backends"]  # postgres_schemas

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOW = to_ms(T0)
STORED, DUE = 20_000, 20

# Every 1000th shipment is due, the rest next year or never; the outbox has 10 due messages.
SHIPMENTS = """
INSERT INTO shipments (source, code, kind, status, created_at, followers, next_check_at)
SELECT CASE i % 3 WHEN 0 THEN 'post' WHEN 1 THEN 'cdek' ELSE 'ozon' END,
       'RA' || i, 'track', 'in_transit', ?::bigint, 1,
       CASE WHEN i % 1000 = 0 THEN ?::bigint - i
            WHEN i % 7 = 0 THEN NULL
            ELSE ?::bigint + i END
FROM generate_series(1, ?::integer) AS i
"""
# 2,000 users each following three shipments, user 1 two hundred: lists and followers to find.
FOLLOWING = """
INSERT INTO users (id, created_at) SELECT u, ?::bigint FROM generate_series(2, 2001) AS u;
INSERT INTO subscriptions (user_id, shipment_id, created_at)
SELECT u, (u * 7 + k * 5000) % ?::integer + 1, ?::bigint
FROM generate_series(2, 2001) AS u, generate_series(0, 2) AS k
ON CONFLICT DO NOTHING;
INSERT INTO subscriptions (user_id, shipment_id, created_at)
SELECT 1, i, ?::bigint + i FROM generate_series(1, 200) AS i
"""
OUTBOX = """
INSERT INTO outbox (user_id, kind, payload, dedup_key, not_before, created_at)
SELECT 1, 'alert', '{}', 'k' || i, ?::bigint + i - 10, ?::bigint FROM generate_series(1, 10000) i
"""


async def populate(url: str) -> None:
    db = await open_database(url)
    try:
        async with db.transaction() as tx:
            next_year = to_ms(T0 + timedelta(days=365))
            await tx.session.execute(SHIPMENTS, (NOW, NOW, next_year, STORED))
            await tx.users.seen(1, None, T0)
            await tx.session.execute(OUTBOX, (NOW, NOW))
            for statement, params in zip(
                FOLLOWING.split(";"), [(NOW,), (STORED, NOW), (NOW,)], strict=True
            ):
                await tx.session.execute(statement, params)
        async with db.transaction() as tx:
            await tx.session.execute("ANALYZE")
    finally:
        await db.close()


@pytest.fixture(scope="module")
def filled_url(postgres_schemas: Schemas) -> Iterator[str]:
    """Filled once for the module; the tests only read."""
    schema = asyncio.run(postgres_schemas.fresh())
    url = in_schema(postgres_schemas.server, schema)
    asyncio.run(populate(url))
    yield url
    asyncio.run(postgres_schemas.drop([schema]))


@pytest.fixture
async def db(filled_url: str) -> AsyncIterator[Database]:
    database = await open_database(filled_url)
    yield database
    await database.close()


async def plan(db: Database, sql: str, params: Sequence[Any]) -> str:
    async with db.read() as tx:
        rows = await tx.session.fetch_all(f"EXPLAIN {sql}", params)
    return "\n".join(row["QUERY PLAN"] for row in rows)


def assert_walks_index(details: str, table: str, index: str, order: str) -> None:
    """Read in due order from the index: no scan of the table, no sort of what is due."""
    assert f"Index Scan using {index} on {table}" in details, details
    assert "Seq Scan" not in details, details
    sorts = [line for line in details.splitlines() if "Sort Key" in line]
    assert not any(order in line for line in sorts), details  # (sorting the few ids is fine)
    assert "LockRows" in details, details  # FOR UPDATE SKIP LOCKED


async def test_claiming_due_shipments_walks_the_due_index(db: Database) -> None:
    details = await plan(db, claim_sql(None, "postgresql"), (NOW, NOW, DUE, NOW + 1))
    assert_walks_index(details, "shipments", "shipments_due", "next_check_at")
    async with db.transaction() as tx:
        claimed = await tx.shipments.claim_due(T0, DUE * 2, timedelta(minutes=5))
        assert len(claimed) == DUE
        assert claimed[0].code == f"RA{STORED}"  # due earliest
        await tx.shipments.release_claims([s.id for s in claimed])


async def test_claiming_shipments_of_some_sources_still_walks_the_due_index(
    db: Database,
) -> None:
    params = (NOW, NOW, "post", "cdek", DUE, NOW + 1)
    details = await plan(db, claim_sql(2, "postgresql"), params)
    assert_walks_index(details, "shipments", "shipments_due", "next_check_at")


async def test_claiming_outbox_messages_walks_the_pending_index(db: Database) -> None:
    details = await plan(db, outbox_claim_sql("postgresql"), (NOW, NOW, 50, NOW + 1))
    assert_walks_index(details, "outbox", "outbox_due", "not_before")


async def test_the_next_due_message_is_read_from_the_pending_index(db: Database) -> None:
    details = await plan(db, NEXT_DUE_SQL, (NOW,))
    assert "Index Scan using outbox_due on outbox" in details, details
    assert "Seq Scan" not in details and "Sort Key" not in details, details


async def test_after_an_outage_a_batch_of_one_source_still_walks_the_due_index(
    db: Database,
) -> None:
    """With nearly every row due, a good estimate of one source's share keeps the planner on the
    index (stopping at the limit) instead of sorting everything due on each claim."""
    later = to_ms(T0 + timedelta(days=366))
    params = (later, later, "post", 2000, later + 1)
    details = await plan(db, claim_sql(1, "postgresql"), params)
    assert "Index Scan using shipments_due on shipments sh" in details, details
    assert "Seq Scan on shipments sh" not in details, details  # (the update may scan to join)
    assert not [line for line in details.splitlines() if "Sort Key: sh.next_check_at" in line]


async def test_forgetting_orphans_reads_their_partial_index(db: Database) -> None:
    details = await plan(db, FORGET_ORPHANS_SQL, ())
    assert "shipments_orphans" in details, details
    assert "Seq Scan" not in details, details


async def test_a_users_list_and_a_shipments_followers_read_their_indexes(db: Database) -> None:
    listing = await plan(db, LIST_ITEMS_SQL, (1, False, 10, 0))
    assert "subscriptions_by_user" in listing, listing
    assert "Seq Scan on subscriptions" not in listing, listing
    followers = await plan(db, FOLLOWERS_SQL, (5001, True))
    assert "subscriptions_by_shipment" in followers, followers
    assert "Seq Scan" not in followers, followers
