"""The PostgreSQL engine: an asyncpg pool, and sessions that run the repositories' portable SQL.

Repositories write `?` placeholders and bind Python bools; a session turns them into `$n` (the
translation is cached) and 0/1 for the INTEGER flag columns, and reports driver failures as
StorageError. Each transaction takes its own pooled connection, so transactions of one process,
like those of several processes, run side by side under READ COMMITTED. The repositories stay
correct under that because each change is one statement (upserts, increments, and claims that
lock with FOR UPDATE SKIP LOCKED). A read is READ ONLY REPEATABLE READ: one snapshot for the
whole block, and never a serialization failure. Needs PostgreSQL 12 or newer (MATERIALIZED CTEs).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urlsplit

import asyncpg

from storage.errors import StorageError, StorageUnavailableError
from storage.sql import Dialect, Row, required
from storage.tx import Tx

log = logging.getLogger(__name__)

SCHEMES = ("postgresql", "postgres")
DEFAULT_POOL_SIZE = 5
CLOSE_TIMEOUT_SECONDS = 10.0

if TYPE_CHECKING:  # generic only in the type stubs
    from asyncpg.pool import PoolConnectionProxy

    _Connection: TypeAlias = PoolConnectionProxy[asyncpg.Record]
_DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError)
_CONNECT_ERRORS = (*_DRIVER_ERRORS, OSError, TimeoutError)
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


def _failure(exc: Exception) -> StorageError:
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

    def __init__(self, conn: _Connection) -> None:
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
        except _DRIVER_ERRORS as exc:
            raise _failure(exc) from exc
        return list(rows)

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._check()
        try:
            status = await self._conn.execute(numbered(sql), *_args(params))
        except _DRIVER_ERRORS as exc:
            raise _failure(exc) from exc
        return _rowcount(status)

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._check()
        if not rows:
            return
        try:
            await self._conn.executemany(numbered(sql), [_args(row) for row in rows])
        except _DRIVER_ERRORS as exc:
            raise _failure(exc) from exc

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
        except _DRIVER_ERRORS as exc:
            raise _failure(exc) from exc
        return _rowcount(status)


def _redacted(text: str, url: str) -> str:
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    return text.replace(password, "***") if password else text


class PostgresDatabase:
    """A pool of connections; every transaction holds one of them for its whole block."""

    def __init__(self, pool: asyncpg.Pool[asyncpg.Record]) -> None:
        self._pool = pool
        self._holders: set[asyncio.Task[Any]] = set()
        self._closed = False

    @classmethod
    async def open(cls, url: str, *, pool_size: int = DEFAULT_POOL_SIZE) -> PostgresDatabase:
        """Connect at once (one connection), so a wrong URL fails at start-up, not later.

        Query parameters the driver does not know become server settings, so
        `?search_path=tenant` or `?application_name=bot` work as in libpq.
        """
        if pool_size < 1:
            raise StorageError("postgresql: the pool needs at least one connection")
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=pool_size)
        except ValueError as exc:
            raise StorageError("DATABASE_URL: not a valid postgresql:// URL") from exc
        except _CONNECT_ERRORS as exc:
            reason = _redacted(str(exc).partition("\n")[0], url)
            raise StorageError(f"postgresql: cannot connect: {reason}") from exc
        return cls(pool)

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """Refuse nesting: an inner transaction could wait for the outer one's row locks."""
        task = asyncio.current_task()
        if task is not None and task in self._holders:
            raise StorageError("nested transaction: finish the current one first")
        if self._closed:
            raise StorageError("the database is closed")
        if task is not None:
            self._holders.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._holders.discard(task)

    @asynccontextmanager
    async def _session(self, *, readonly: bool) -> AsyncIterator[Tx]:
        async with self._turn(), self._connection() as conn:
            transaction = conn.transaction(
                isolation="repeatable_read" if readonly else "read_committed", readonly=readonly
            )
            try:
                await transaction.start()
            except _DRIVER_ERRORS as exc:
                raise _failure(exc) from exc
            session = PostgresSession(conn)
            try:
                yield Tx(session)
            except BaseException:
                session.open = False
                await _quietly_roll_back(transaction)
                raise
            session.open = False
            try:
                await transaction.commit()  # a failed COMMIT has ended the transaction too
            except _DRIVER_ERRORS as exc:
                raise _failure(exc) from exc

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[_Connection]:
        try:
            conn = await self._pool.acquire()
        except _CONNECT_ERRORS as exc:
            raise StorageUnavailableError(
                f"postgresql: no connection: {type(exc).__name__}"
            ) from exc
        try:
            yield conn
        finally:
            await self._pool.release(conn)

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        return self._session(readonly=False)

    def read(self) -> AbstractAsyncContextManager[Tx]:
        return self._session(readonly=True)

    @asynccontextmanager
    async def glance(self) -> AsyncIterator[Tx]:
        """One statement on a pooled connection, outside BEGIN and COMMIT."""
        async with self._turn(), self._connection() as conn:
            session = PostgresSession(conn)
            try:
                yield Tx(session)
            finally:
                session.open = False

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.wait_for(self._pool.close(), CLOSE_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning("connections still busy after %.0f s: terminated", CLOSE_TIMEOUT_SECONDS)
            self._pool.terminate()

    async def schema_version(self) -> int:
        async with self.read() as tx:
            table = await tx.session.fetch_one(
                "SELECT to_regclass('schema_version') IS NOT NULL AS present"
            )
            if not required(table)["present"]:
                return 0
            row = await tx.session.fetch_one(
                "SELECT COALESCE(MAX(version), 0) AS v FROM schema_version"
            )
            return int(required(row)["v"])


async def _quietly_roll_back(transaction: asyncpg.transaction.Transaction) -> None:
    try:
        await transaction.rollback()
    except (*_DRIVER_ERRORS, OSError) as exc:
        # The connection is broken; the pool discards it on release.
        log.warning("rollback failed: %s", type(exc).__name__)
