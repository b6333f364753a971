"""Numbered migrations: `NNNN_name.sql` files applied in order, each in its own transaction.

The applied versions are recorded in `schema_version`, and each one is re-checked under the write
lock, so running the migrations twice, or from two processes at once, applies each file once.
A file holds plain statements, each ending with a semicolon at the end of a line (no triggers or
procedure bodies, which would need a real SQL parser).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib.abc import Traversable

from providers.clock import Clock, system_clock
from storage.errors import StorageError
from storage.sql import Session, required, to_ms
from storage.tx import Database

log = logging.getLogger(__name__)

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_STATEMENT_END = re.compile(r";[ \t]*$", re.MULTILINE)
_COMMENT = re.compile(r"--[^\n]*")

VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def split_statements(script: str) -> tuple[str, ...]:
    without_comments = _COMMENT.sub("", script)
    parts = (part.strip() for part in _STATEMENT_END.split(without_comments))
    return tuple(part for part in parts if part)


def load(directory: Traversable) -> list[Migration]:
    """All migrations of a directory, checked to be numbered 1, 2, 3... without gaps."""
    found: list[Migration] = []
    for entry in directory.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match is None:
            continue
        statements = split_statements(entry.read_text(encoding="utf-8"))
        found.append(Migration(int(match[1]), match[2], statements))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise StorageError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


async def _current(session: Session) -> int:
    row = await session.fetch_one("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version")
    return int(required(row)["v"])


async def upgrade(
    db: Database, migrations: list[Migration], clock: Clock = system_clock
) -> tuple[int, int]:
    """Apply what is missing; returns (version before, version after)."""
    before = await db.schema_version()
    latest = migrations[-1].version if migrations else 0
    if before > latest:
        raise StorageError(f"schema version {before} is newer than this code knows ({latest})")
    if before == latest:
        return before, before
    async with db.transaction() as tx:
        await tx.session.execute(VERSION_TABLE)
    for migration in migrations[before:]:
        async with db.transaction() as tx:
            if await _current(tx.session) >= migration.version:
                continue  # applied meanwhile by another process
            for statement in migration.statements:
                await tx.session.execute(statement)
            await tx.session.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, to_ms(clock())),
            )
        log.info("applied migration %04d_%s", migration.version, migration.name)
    return before, await db.schema_version()
