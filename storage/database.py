"""Opening a database from DATABASE_URL, migrating it, and the `migrate` command's entry point.

The URL scheme picks the engine (only `sqlite:///` so far); error messages name the scheme but
never echo the URL, which for a server database would carry a password.
"""

from __future__ import annotations

from storage import sqlite
from storage.errors import StorageError
from storage.migrate import load, upgrade
from storage.tx import Database


async def _open(url: str) -> sqlite.SqliteDatabase:
    scheme, separator, _ = url.partition("://")
    if not separator:
        raise StorageError("DATABASE_URL: expected a URL such as sqlite:///data/bot.sqlite3")
    if scheme != "sqlite":
        raise StorageError(f"DATABASE_URL: unsupported scheme {scheme!r}; use sqlite:///path")
    return await sqlite.SqliteDatabase.open(url)


async def open_database(url: str, *, migrate: bool = True) -> Database:
    """Open and, unless told otherwise, bring the schema up to date.

    With `migrate=False` the schema must already be current (the operator migrates explicitly).
    """
    db = await _open(url)
    try:
        migrations = load(sqlite.MIGRATIONS)
        if migrate:
            await upgrade(db, migrations)
        else:
            version, latest = await db.schema_version(), len(migrations)
            if version != latest:
                raise StorageError(
                    f"schema version {version}, this code needs {latest}: run the migrate command"
                )
    except BaseException:
        await db.close()
        raise
    return db


async def migrate(url: str) -> tuple[int, int]:
    """Apply pending migrations; returns (version before, version after)."""
    db = await _open(url)
    try:
        return await upgrade(db, load(sqlite.MIGRATIONS))
    finally:
        await db.close()
