"""The SQLite engine: URL, connection pragmas, sessions and transactions over one connection.

Everything SQLite-specific lives here; the repositories only see the `Session` protocol. One
aiosqlite connection in autocommit mode serves the whole process: an asyncio.Lock serialises
transactions, a write transaction starts with BEGIN IMMEDIATE (it takes the write lock at once
instead of failing half-way), and a read runs as a deferred BEGIN with `query_only` set.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from storage.errors import StorageError
from storage.sql import required
from storage.sqlite_checkpoint import BACKSTOP_PAGES, Checkpointer
from storage.sqlite_session import SqliteSession, failure
from storage.tx import Tx

log = logging.getLogger(__name__)

SCHEME = "sqlite:///"
MEMORY = ":memory:"
WAL_ATTEMPTS = 100
BUSY_TIMEOUT_MS = 5000
_READ_WRITE = "PRAGMA query_only = OFF"


def path_from_url(url: str) -> str:
    """`sqlite:///relative/path`, `sqlite:////absolute/path` or `sqlite:///:memory:`."""
    if not url.startswith(SCHEME) or url == SCHEME:
        raise StorageError("DATABASE_URL: expected sqlite:///path/to/file.sqlite3")
    path = url.removeprefix(SCHEME)
    if path != MEMORY:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"sqlite: cannot create the folder of the file: {exc.strerror}"
            ) from None
    return path


async def connect(path: str) -> aiosqlite.Connection:
    """Open with WAL (readers never wait for the writer), foreign keys and a busy timeout."""
    try:
        conn = await aiosqlite.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise failure(exc) from exc
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        journal = await _switch_to_wal(conn)
        if path != MEMORY and journal != "wal":
            raise StorageError(f"sqlite: could not switch to WAL (journal_mode={journal})")
        await conn.execute("PRAGMA synchronous = NORMAL")  # durable enough with WAL
        # Checkpoints run beside the writer (storage.sqlite_checkpoint); this is the backstop.
        await conn.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
        # A 64 MB page cache keeps a million-row queue's index in memory.
        await conn.execute("PRAGMA cache_size = -65536")
        if await _pragma(conn, "foreign_keys") != 1:
            raise StorageError("sqlite: this build cannot enforce foreign keys")
    except BaseException as exc:
        await conn.close()
        if isinstance(exc, sqlite3.Error):
            raise failure(exc) from exc
        raise
    return conn


async def _switch_to_wal(conn: aiosqlite.Connection) -> Any:
    """Two processes opening a new file at once may both try this; the loser waits its turn
    (SQLite answers 'locked' at once here instead of using the busy timeout)."""
    for attempt in range(WAL_ATTEMPTS):
        try:
            return await _pragma(conn, "journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == WAL_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.05)
    return None


async def _pragma(conn: aiosqlite.Connection, pragma: str) -> Any:
    async with conn.execute(f"PRAGMA {pragma}") as cursor:
        row = await cursor.fetchone()
    return None if row is None else row[0]


class SqliteDatabase:
    """The process's one connection, shared by transactions taking turns."""

    def __init__(
        self, conn: aiosqlite.Connection, checkpointer: Checkpointer | None = None
    ) -> None:
        self._conn = conn
        self._checkpointer = checkpointer
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None
        self._closed = False

    @classmethod
    async def open(cls, url: str) -> SqliteDatabase:
        path = path_from_url(url)
        conn = await connect(path)
        if path == MEMORY:
            return cls(conn)
        try:
            checkpointer = await Checkpointer.start(path, BUSY_TIMEOUT_MS)
        except BaseException as exc:
            await conn.close()
            if isinstance(exc, sqlite3.Error):
                raise failure(exc) from exc
            raise
        return cls(conn, checkpointer)

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """The connection for this task alone; nesting would deadlock, so it is refused."""
        task = asyncio.current_task()
        if task is not None and self._holder is task:
            raise StorageError("nested transaction: finish the current one first")
        async with self._lock:
            if self._closed:
                raise StorageError("the database is closed")
            self._holder = task
            try:
                yield
            finally:
                self._holder = None

    async def _control(self, statement: str, *, script: bool = False) -> None:
        """One round trip to the connection's thread.

        A script may hold several statements; sqlite3's executescript() first COMMITs any
        open transaction, which is exactly how a read ends (see `read`).
        """
        try:
            if script:
                await self._conn.executescript(statement)
            else:
                await self._conn.execute(statement)
        except sqlite3.Error as exc:
            raise failure(exc) from exc

    @asynccontextmanager
    async def _session(self, begin: str, end: str, *, script: bool = False) -> AsyncIterator[Tx]:
        try:
            await self._control(begin, script=script)
        except StorageError:
            await self._rollback()  # leave no half-begun state (query_only) behind
            raise
        session = SqliteSession(self._conn)
        try:
            yield Tx(session)
        except BaseException:
            session.open = False
            await self._rollback()
            raise
        session.open = False
        try:
            await self._control(end, script=script)
        except StorageError:
            await self._rollback()
            raise

    async def _rollback(self) -> None:
        for statement in ("ROLLBACK", _READ_WRITE):
            try:
                await self._conn.execute(statement)
            except sqlite3.Error as exc:
                log.warning("%s failed: %s", statement, exc)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._turn(), self._session("BEGIN IMMEDIATE", "COMMIT") as tx:
            yield tx

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """A snapshot that refuses writes; begun and ended in one round trip each.

        The end is a script whose implicit COMMIT closes the (write-free) transaction before
        query_only is lifted.
        """
        begin = "PRAGMA query_only = ON; BEGIN"
        async with self._turn(), self._session(begin, _READ_WRITE, script=True) as tx:
            yield tx

    @asynccontextmanager
    async def glance(self) -> AsyncIterator[Tx]:
        """One statement in autocommit mode: one round trip where `read` takes three."""
        async with self._turn():
            session = SqliteSession(self._conn)
            try:
                yield Tx(session)
            finally:
                session.open = False

    async def close(self) -> None:
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                await self._conn.close()
            finally:
                if self._checkpointer is not None:
                    await self._checkpointer.close()

    async def schema_version(self) -> int:
        async with self.read() as tx:
            table = await tx.session.fetch_one(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
            )
            if table is None:
                return 0
            row = await tx.session.fetch_one(
                "SELECT COALESCE(MAX(version), 0) AS v FROM schema_version"
            )
            return int(required(row)["v"])
