"""Statements of one SQLite transaction, and SQLite's errors told apart as outage or failure.

Apart from the engine (storage.sqlite) so that the session, which every repository call goes
through, reads on its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite

from storage.errors import StorageError, StorageUnavailableError
from storage.sql import Dialect, Row


def failure(exc: sqlite3.Error) -> StorageError:
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return StorageUnavailableError(
            f"sqlite: {exc}"
        )  # another process held it past the timeout
    return StorageError(f"sqlite: {exc}")


class SqliteSession:
    """Statements of one transaction; refuses to run once the transaction is over."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self.open = True

    @property
    def dialect(self) -> Dialect:
        return "sqlite"

    def _check(self) -> None:
        if not self.open:
            raise StorageError("the transaction this Tx belongs to is over")

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self._check()
        try:
            rows = await self._conn.execute_fetchall(sql, params)
        except sqlite3.Error as exc:
            raise failure(exc) from exc
        return list(rows)

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._check()
        try:
            cursor = await self._conn.execute(sql, params)  # one hop; the cursor is not reused
            return cursor.rowcount
        except sqlite3.Error as exc:
            raise failure(exc) from exc

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._check()
        if not rows:
            return
        try:
            await self._conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise failure(exc) from exc
