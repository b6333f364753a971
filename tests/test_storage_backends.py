"""The engines the storage tests run on, and checks that each test gets a database of its own.

Storage test modules load this module as a plugin (`pytest_plugins`) and take `db`, which runs a
test once on SQLite and once on PostgreSQL. PostgreSQL is found at TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test). When it cannot be reached its tests are skipped,
except under CI=true, where they fail: CI must really run them.

Every PostgreSQL test works in a schema of its own with a random name, so parallel runs and
reruns never meet. A test of an empty database (`database_url`) gets a new schema, dropped
afterwards; a test of a migrated one (`db`, `db_url`) gets a schema emptied by the test before
it, which is thirty times cheaper than migrating anew. All are dropped when the run ends.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import pytest

from storage import Database, open_database

ENGINES = ["sqlite", "postgres"]
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
CONNECT_TIMEOUT = 3.0


def postgres_server_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def postgres_unreachable(reason: str) -> NoReturn:
    """Skip locally; fail under CI, where a skipped PostgreSQL run would pass unnoticed."""
    if os.environ.get("CI", "").strip().lower() in {"true", "1"}:
        pytest.fail(f"CI=true but PostgreSQL is unreachable: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unreachable (set TEST_POSTGRES_URL): {reason}")


def in_schema(url: str, schema: str) -> str:
    """The URL with search_path set (asyncpg passes unknown parameters as server settings)."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query), ("search_path", schema)]
    return urlunsplit(parts._replace(query=urlencode(query)))


async def _probe(url: str) -> str | None:
    try:
        conn = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await conn.close()
    return None


@dataclass
class Schemas:
    """The schemas this run made on the server; migrated ones are emptied and used again.

    A fresh schema costs about 0.3 s of DDL, emptying one about 10 ms. A schema serves one test
    at a time and its name is random, so parallel runs never meet; all are dropped at the end.
    """

    server: str
    made: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
    wipe: list[str] = field(default_factory=list)  # the same for every migrated schema

    async def fresh(self) -> str:
        schema = f"t_{secrets.token_hex(6)}"
        conn = await asyncpg.connect(self.server)
        try:
            await conn.execute(f"CREATE SCHEMA {schema}")
        finally:
            await conn.close()
        self.made.append(schema)
        return schema

    async def take_migrated(self) -> str:
        if self.migrated:
            return self.migrated.pop()
        schema = await self.fresh()
        await (await open_database(in_schema(self.server, schema))).close()
        return schema

    async def give_back(self, schema: str) -> None:
        """Empty every table and restart its ids, keeping the schema and its version."""
        conn = await asyncpg.connect(in_schema(self.server, schema))
        try:
            if not self.wipe:
                self.wipe = await _wipe_statements(conn)
            async with conn.transaction():
                for statement in self.wipe:
                    await conn.execute(statement)
        finally:
            await conn.close()
        self.migrated.append(schema)

    async def drop(self, schemas: list[str]) -> None:
        conn = await asyncpg.connect(self.server)
        try:
            for schema in schemas:
                await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        finally:
            await conn.close()


async def _wipe_statements(conn: asyncpg.Connection) -> list[str]:
    tables = await conn.fetch(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        " AND table_name <> 'schema_version'"
    )
    identities = await conn.fetch(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES'"
        " AND table_name <> 'schema_version'"
    )
    # Every foreign key cascades, so the order of the deletes does not matter.
    return [f'DELETE FROM "{row["table_name"]}"' for row in tables] + [
        f'ALTER TABLE "{row["table_name"]}" ALTER COLUMN "{row["column_name"]}" RESTART'
        for row in identities
    ]


@pytest.fixture(scope="session")
def postgres_schemas() -> Iterator[Schemas]:
    """Checked once per run; every PostgreSQL test then skips or fails with the same reason."""
    url = postgres_server_url()
    problem = asyncio.run(_probe(url))
    if problem is not None:
        postgres_unreachable(problem)
    schemas = Schemas(url)
    yield schemas
    asyncio.run(schemas.drop(schemas.made))


@pytest.fixture
async def postgres_url(postgres_schemas: Schemas) -> AsyncIterator[str]:
    """A new, empty schema for this test alone, dropped afterwards."""
    schema = await postgres_schemas.fresh()
    try:
        yield in_schema(postgres_schemas.server, schema)
    finally:
        await postgres_schemas.drop([schema])
        postgres_schemas.made.remove(schema)


@pytest.fixture
async def migrated_postgres_url(postgres_schemas: Schemas) -> AsyncIterator[str]:
    """A migrated schema holding no rows, for this test alone while it runs."""
    schema = await postgres_schemas.take_migrated()
    yield in_schema(postgres_schemas.server, schema)
    await postgres_schemas.give_back(schema)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of the engine under test, never migrated."""
    if engine == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'empty.sqlite3'}"


@pytest.fixture
def db_url(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database behind `db`: migrated, no rows; open it again for a second worker."""
    if engine == "postgres":
        return str(request.getfixturevalue("migrated_postgres_url"))
    return f"sqlite:///{tmp_path / 'bot.sqlite3'}"


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = await open_database(db_url)
    yield database
    await database.close()


# --- the harness itself --------------------------------------------------------------------


def test_unreachable_postgres_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        postgres_unreachable("connection refused")


def test_unreachable_postgres_is_skipped_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="connection refused"):
        postgres_unreachable("connection refused")


def test_schema_is_added_to_a_url_that_already_has_parameters() -> None:
    url = in_schema("postgresql://u@h:5432/db?sslmode=disable", "t_1")
    assert url == "postgresql://u@h:5432/db?sslmode=disable&search_path=t_1"


async def test_each_test_gets_its_own_empty_database(db: Database) -> None:
    async with db.read() as tx:
        assert await tx.users.count_active() == 0
        assert await tx.subscriptions.count_all() == 0


async def add_one_shipment(url: str) -> int:
    db = await open_database(url)
    try:
        async with db.transaction() as tx:
            await tx.users.seen(1, None, T0)
            shipment, _ = await tx.shipments.get_or_create("post", "RA1", "track", T0)
            return shipment.id
    finally:
        await db.close()


async def test_a_schema_given_back_is_empty_and_restarts_its_ids(
    postgres_schemas: Schemas,
) -> None:
    schema = await postgres_schemas.take_migrated()
    url = in_schema(postgres_schemas.server, schema)
    assert await add_one_shipment(url) == 1
    await postgres_schemas.give_back(schema)

    assert await postgres_schemas.take_migrated() == schema  # the last one given back
    try:
        db = await open_database(url)
        try:
            async with db.read() as tx:
                assert await tx.users.count_active() == 0
        finally:
            await db.close()
        assert await add_one_shipment(url) == 1
    finally:
        await postgres_schemas.give_back(schema)
