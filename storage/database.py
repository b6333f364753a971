"""Opening a database from DATABASE_URL, migrating it, and the `migrate` command's entry point.

The URL scheme picks the engine: `sqlite:///path` or `postgresql://user:pass@host/db`. Error
messages name the scheme but never echo the URL, which for a server carries a password.
"""

from __future__ import annotations

from storage import postgres, sqlite
from storage.errors import StorageError
from storage.migrate import load, upgrade
from storage.tx import Database

_EXPECTED = "expected sqlite:///path/to/file.sqlite3 or postgresql://user@host/database"


async def _open(url: str, pool_size: int) -> Database:
    scheme, separator, _ = url.partition("://")
    if not separator:
        raise StorageError(f"DATABASE_URL: {_EXPECTED}")
    if scheme == "sqlite":
        return await sqlite.SqliteDatabase.open(url)
    if scheme in postgres.SCHEMES:
        return await postgres.PostgresDatabase.open(url, pool_size=pool_size)
    raise StorageError(f"DATABASE_URL: unsupported scheme {scheme!r}; {_EXPECTED}")


async def open_database(
    url: str, *, migrate: bool = True, pool_size: int = postgres.DEFAULT_POOL_SIZE
) -> Database:
    """Open and, unless told otherwise, bring the schema up to date.

    With `migrate=False` the schema must already be current (the operator migrates explicitly).
    `pool_size` caps PostgreSQL connections of this process; SQLite always uses one.
    """
    db = await _open(url, pool_size)
    try:
        migrations = load()
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
    db = await _open(url, pool_size=1)
    try:
        return await upgrade(db, load())
    finally:
        await db.close()
