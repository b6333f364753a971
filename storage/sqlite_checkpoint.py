"""Checkpoints of the SQLite write-ahead log, run beside the writer instead of inside its commits.

With automatic checkpoints, the commit that pushes the log past its threshold also copies the
whole log into the database file and syncs the disk, so one poll tick in a few pays for the
writes of many. Here a second connection, on its own thread, runs a PASSIVE checkpoint every
`every` seconds: it never takes the write lock and never waits for the writer, so commits only
append to the log, and the writer rewinds the log by itself once everything in it has been
copied. The writer's own automatic checkpoint stays as a backstop (see `BACKSTOP_PAGES`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3

import aiosqlite

log = logging.getLogger(__name__)

EVERY_SECONDS = 1.0
# The writer checkpoints by itself only if the log outgrows this (4 KiB pages: about 400 MB),
# which happens only when checkpoints from here cannot keep up.
BACKSTOP_PAGES = 100_000


class Checkpointer:
    def __init__(self, conn: aiosqlite.Connection, every: float = EVERY_SECONDS) -> None:
        self._conn = conn
        self._every = every
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, path: str, busy_timeout_ms: int) -> Checkpointer:
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            await conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        except BaseException:
            await conn.close()
            raise
        checkpointer = cls(conn)
        checkpointer._task = asyncio.create_task(checkpointer._run(), name="sqlite-checkpoint")
        return checkpointer

    async def checkpoint(self) -> tuple[int, int]:
        """One PASSIVE checkpoint: (frames in the log, frames copied into the file so far)."""
        async with self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)") as cursor:
            row = await cursor.fetchone()
        return (0, 0) if row is None else (int(row[1]), int(row[2]))

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                await self.checkpoint()
            except sqlite3.Error as exc:  # a busy or full disk: the backstop still holds
                log.warning("sqlite checkpoint failed: %s", exc)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(sqlite3.Error):
            await self.checkpoint()  # leave a short log behind for the next start
        await self._conn.close()
