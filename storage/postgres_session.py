"""Statements of one PostgreSQL transaction on a pooled connection, in the repositories' SQL.

Repositories write `?` placeholders and bind Python bools; the session turns them into `$n` (the
translation is cached) and 0/1 for the INTEGER flag columns, and reports driver failures as
StorageError (StorageUnavailableError when the server is out of reach).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

import asyncpg

from storage.errors import StorageError, StorageUnavailableError
from storage.sql import Dialect, Row

if TYPE_CHECKING:  # generic only in the type stubs
    from asyncpg.pool import PoolConnectionProxy

    Connection: TypeAlias = PoolConnectionProxy[asyncpg.Record]
DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError)
CONNECT_ERRORS = (*DRIVER_ERRORS, OSError, TimeoutError)
# A connection lost or refused, a server shutting down: the request itself is fine.
_OUT_OF_REACH = (asyncpg.PostgresConnectionError, asyncpg.OperatorInterventionError)


@lru_cache(maxsize=1024)
def numbered(sql: str) -> str:
    """`?` placeholders as `$1, $2, ...`; quoted text and identifiers are left alone."""
    out: list[str] = []
    quote = ""
    count = 0
    for char in sql:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "?":
            count += 1
            out.append(f"${count}")
            continue
        out.append(char)
    return "".join(out)


def _args(params: Iterable[Any]) -> list[Any]:
    # The flag columns are BIGINT 0/1 (one schema for both engines), not BOOLEAN.
    return [int(value) if isinstance(value, bool) else value for value in params]


def failure(exc: Exception) -> StorageError:
    message = str(exc).partition("\n")[0]
    if isinstance(exc, asyncpg.DataError) and "query argument" in message:
        message = message.partition(":")[0]  # the rest quotes the offending value
    if isinstance(exc, _OUT_OF_REACH) or "pool is closed" in message:
        return StorageUnavailableError(f"postgresql: {message}")
    return StorageError(f"postgresql: {message}")


def _rowcount(status: str) -> int:
    """The count at the end of a command tag ("UPDATE 3", "INSERT 0 1"); 0 when it has none."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0


class PostgresSession:
    """Statements of one transaction on one pooled connection; refused once it is over."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.open = True

    @property
    def dialect(self) -> Dialect:
        return "postgresql"

    def _check(self) -> None:
        if not self.open:
            raise StorageError("the transaction this Tx belongs to is over")

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self._check()
        try:
            rows = await self._conn.fetch(numbered(sql), *_args(params))
        except DRIVER_ERRORS as exc:
            raise failure(exc) from exc
        return list(rows)

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._check()
        try:
            status = await self._conn.execute(numbered(sql), *_args(params))
        except DRIVER_ERRORS as exc:
            raise failure(exc) from exc
        return _rowcount(status)

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._check()
        if not rows:
            return
        try:
            await self._conn.executemany(numbered(sql), [_args(row) for row in rows])
        except DRIVER_ERRORS as exc:
            raise failure(exc) from exc

    async def copy_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> int:
        """Bulk load through COPY (for moving an installation; values as the columns' types)."""
        self._check()
        if not rows:
            return 0
        try:
            status = await self._conn.copy_records_to_table(
                table, records=[tuple(_args(row)) for row in rows], columns=list(columns)
            )
        except DRIVER_ERRORS as exc:
            raise failure(exc) from exc
        return _rowcount(status)
