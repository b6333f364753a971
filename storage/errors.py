"""The exceptions the storage layer raises, whatever the engine underneath.

    StorageError             bad DATABASE_URL, schema newer than the code, misuse of a
                             transaction, or any failure the engine reports (disk full,
                             constraint)
    StorageUnavailableError  a StorageError for a database out of reach for now (no
                             connection, a connection lost, a server shutting down, a file
                             locked past the busy timeout): nothing in the request is wrong

Callers never see `sqlite3` or asyncpg exceptions.
"""

from __future__ import annotations


class StorageError(Exception):
    """The database refused or failed; the message names the cause, never row data."""


class StorageUnavailableError(StorageError):
    """The database is out of reach for now; the same request may succeed in a minute."""
