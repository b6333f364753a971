"""Moving an installation from SQLite to PostgreSQL, every table with its ids.

    counts = await export_sqlite_to_postgres("sqlite:///data/bot.sqlite3", "postgresql://...")

Stop the bot first. The source is brought to the current schema (as the bot would do on start),
the target is migrated and must hold no rows: the export never merges. Tables are read from the
source's own schema, so a table added by a later migration comes along without a change here,
and copied parents first (foreign keys) with COPY, all in one PostgreSQL transaction: a failure
leaves the target as it was. The identity sequences then start after the copied ids.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from graphlib import TopologicalSorter
from pathlib import Path

from storage import postgres, sqlite
from storage.database import open_database
from storage.errors import StorageError
from storage.postgres_session import PostgresSession
from storage.sql import Session, required
from storage.tx import Database

log = logging.getLogger(__name__)

BATCH = 5000
_OWN_TABLES = ("schema_version",)  # each database keeps its own migration record


async def export_sqlite_to_postgres(sqlite_url: str, postgres_url: str) -> dict[str, int]:
    """Copy everything; returns the number of rows copied per table."""
    _check_urls(sqlite_url, postgres_url)
    source = await open_database(sqlite_url)
    try:
        target = await open_database(postgres_url, pool_size=1)
        try:
            return await _copy_all(source, target)
        finally:
            await target.close()
    finally:
        await source.close()


def _check_urls(sqlite_url: str, postgres_url: str) -> None:
    """Refuse a mistyped source path at once: opening it would create an empty database."""
    path = sqlite_url.removeprefix(sqlite.SCHEME)
    if not sqlite_url.startswith(sqlite.SCHEME) or not Path(path).is_file():
        raise StorageError("export: the source must be an existing sqlite:///path database")
    if postgres_url.partition("://")[0] not in postgres.SCHEMES:
        raise StorageError("export: the target must be a postgresql:// URL")


async def _copy_all(source: Database, target: Database) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with source.read() as src, target.transaction() as dst:
        into = dst.session
        if not isinstance(into, PostgresSession):
            raise StorageError("export: the target is not PostgreSQL")
        tables = await _tables(src.session)
        await _refuse_data(into, tables)
        for table in tables:
            columns = await _columns(src.session, table)
            await _check_columns(into, table, columns)
            counts[table] = await _copy_table(src.session, into, table, columns)
            log.info("export: %s, %d rows", table, counts[table])
        await _restart_identities(into)
    return counts


async def _tables(session: Session) -> list[str]:
    """The source's tables, each after the tables its foreign keys point to."""
    rows = await session.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%'"
        " ESCAPE '!' ORDER BY name"
    )
    names = [row["name"] for row in rows if row["name"] not in _OWN_TABLES]
    graph: dict[str, set[str]] = {}
    for name in names:
        parents = await session.fetch_all(f'PRAGMA foreign_key_list("{name}")')
        graph[name] = {row["table"] for row in parents} - {name}
    return list(TopologicalSorter(graph).static_order())


async def _columns(session: Session, table: str) -> list[str]:
    rows = await session.fetch_all(f'PRAGMA table_info("{table}")')
    return [row["name"] for row in sorted(rows, key=lambda row: row["cid"])]


async def _refuse_data(session: Session, tables: Sequence[str]) -> None:
    filled = []
    for table in tables:
        row = await session.fetch_one(f'SELECT EXISTS (SELECT 1 FROM "{table}") AS filled')
        if required(row)["filled"]:
            filled.append(table)
    if filled:
        raise StorageError(
            f"export: the target already holds rows ({', '.join(filled)});"
            " export only into an empty database"
        )


async def _check_columns(session: Session, table: str, columns: Sequence[str]) -> None:
    rows = await session.fetch_all(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ?",
        (table,),
    )
    if {row["column_name"] for row in rows} != set(columns):
        raise StorageError(f"export: table {table} differs between the two databases")


async def _copy_table(
    src: Session, dst: PostgresSession, table: str, columns: Sequence[str]
) -> int:
    """Read in rowid order, one batch at a time, so memory stays flat on a large table."""
    quoted = ", ".join(f'"{column}"' for column in columns)
    select = f'SELECT rowid AS export_rowid, {quoted} FROM "{table}"'
    copied, last = 0, None
    while True:
        if last is None:
            rows = await src.fetch_all(f"{select} ORDER BY rowid LIMIT ?", (BATCH,))
        else:
            rows = await src.fetch_all(
                f"{select} WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, BATCH)
            )
        if not rows:
            return copied
        copied += await dst.copy_rows(table, columns, [[row[c] for c in columns] for row in rows])
        last = rows[-1]["export_rowid"]


async def _restart_identities(session: Session) -> None:
    """Make the next generated id follow the largest copied one."""
    rows = await session.fetch_all(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES'"
    )
    for row in rows:
        table, column = row["table_name"], row["column_name"]
        await session.execute(
            f'SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX("{column}"), 0) + 1,'
            f' false) FROM "{table}"',
            (f'"{table}"', column),
        )
