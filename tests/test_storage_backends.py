"""The engines the storage tests run on, and checks that each test gets a database of its own.

Storage test modules load this module as a plugin (`pytest_plugins`) and take `db`, which runs a
test once on SQLite and once on PostgreSQL. PostgreSQL is found at TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test). When it cannot be reached its tests are skipped,
except under CI=true, where they fail: CI must really run them. Every PostgreSQL test works in a
schema of its own, dropped afterwards, so parallel runs and reruns never meet.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import NoReturn
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import pytest

from storage import Database, open_database

ENGINES = ["sqlite", "postgres"]
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


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """Checked once per run; every PostgreSQL test then skips or fails with the same reason."""
    url = postgres_server_url()
    problem = asyncio.run(_probe(url))
    if problem is not None:
        postgres_unreachable(problem)
    return url


@pytest.fixture
async def postgres_url(postgres_server: str) -> AsyncIterator[str]:
    """A fresh, empty schema for this test alone."""
    schema = f"t_{secrets.token_hex(6)}"
    conn = await asyncpg.connect(postgres_server)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()
    try:
        yield in_schema(postgres_server, schema)
    finally:
        conn = await asyncpg.connect(postgres_server)
        try:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        finally:
            await conn.close()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of the engine under test, not yet opened."""
    if engine == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'bot.sqlite3'}"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = await open_database(database_url)
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


async def test_search_path_in_the_url_keeps_the_tables_in_that_schema(
    postgres_url: str, postgres_server: str
) -> None:
    db = await open_database(postgres_url)
    await db.close()
    schema = dict(parse_qsl(urlsplit(postgres_url).query))["search_path"]
    conn = await asyncpg.connect(postgres_server)
    try:
        places = await conn.fetch(
            "SELECT DISTINCT table_schema FROM information_schema.tables"
            " WHERE table_name = 'subscriptions'"
        )
    finally:
        await conn.close()
    assert schema in [row["table_schema"] for row in places]
