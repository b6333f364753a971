"""The PostgreSQL engine: an asyncpg pool, and the transactions the repositories run in.

The statements themselves go through storage.postgres_session (placeholders, flags, errors).
Each transaction takes its own pooled connection, so transactions of one process,
like those of several processes, run side by side under READ COMMITTED. The repositories stay
correct under that because each change is one statement (upserts, increments, and claims that
lock with FOR UPDATE SKIP LOCKED). A read is READ ONLY REPEATABLE READ: one snapshot for the
whole block, and never a serialization failure. Needs PostgreSQL 12 or newer (MATERIALIZED CTEs).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from storage.errors import StorageError, StorageUnavailableError
from storage.postgres_session import (
    CONNECT_ERRORS,
    DRIVER_ERRORS,
    PostgresSession,
    failure,
)
from storage.sql import required
from storage.tx import Tx

if TYPE_CHECKING:
    from storage.postgres_session import Connection

log = logging.getLogger(__name__)

SCHEMES = ("postgresql", "postgres")
DEFAULT_POOL_SIZE = 5
CLOSE_TIMEOUT_SECONDS = 10.0
# For every connection of the pool, the first and each one made again later (asyncpg's own 60 s
# leaves a hung server unexplained too long); `?connect_timeout=` in the URL sets it, as in libpq.
CONNECT_TIMEOUT_SECONDS = 10.0


def _connect_timeout(url: str, default: float) -> tuple[str, float]:
    """libpq's `connect_timeout` taken out of the URL: asyncpg would send it to the server as a
    setting, which the server refuses."""
    try:
        parts = urlsplit(url)
    except ValueError:  # "[::" and the like: the driver would refuse it the same way
        raise StorageError("DATABASE_URL: not a valid postgresql:// URL") from None
    query = parse_qsl(parts.query, keep_blank_values=True)
    try:
        given = [float(value) for key, value in query if key == "connect_timeout"]
    except ValueError:
        raise StorageError("DATABASE_URL: connect_timeout must be a number of seconds") from None
    if not given:
        return url, default
    rest = urlencode([(key, value) for key, value in query if key != "connect_timeout"])
    return urlunsplit(parts._replace(query=rest)), given[-1]


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
    async def open(
        cls,
        url: str,
        *,
        pool_size: int = DEFAULT_POOL_SIZE,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    ) -> PostgresDatabase:
        """Connect at once (one connection), so a wrong URL fails at start-up, not later.

        Query parameters the driver does not know become server settings, so
        `?search_path=tenant` or `?application_name=bot` work as in libpq.
        """
        if pool_size < 1:
            raise StorageError("postgresql: the pool needs at least one connection")
        url, connect_timeout = _connect_timeout(url, connect_timeout)
        try:
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=pool_size, timeout=connect_timeout
            )
        except ValueError as exc:
            raise StorageError("DATABASE_URL: not a valid postgresql:// URL") from exc
        except TimeoutError as exc:
            raise StorageError(
                f"postgresql: cannot connect: no answer within {connect_timeout:g} s (the "
                "server is overloaded or stuck, or a firewall drops the packets)"
            ) from exc
        except CONNECT_ERRORS as exc:
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
            except DRIVER_ERRORS as exc:
                raise failure(exc) from exc
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
            except DRIVER_ERRORS as exc:
                raise failure(exc) from exc

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Connection]:
        try:
            conn = await self._pool.acquire()
        except CONNECT_ERRORS as exc:
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
    except (*DRIVER_ERRORS, OSError) as exc:
        # The connection is broken; the pool discards it on release.
        log.warning("rollback failed: %s", type(exc).__name__)
