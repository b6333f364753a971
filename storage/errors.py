"""The one exception the storage layer raises, whatever the engine underneath.

    StorageError     bad DATABASE_URL, schema newer than the code, misuse of a transaction,
                     or any failure reported by the engine (locked, disk full, constraint)

Callers never see `sqlite3` (or, later, PostgreSQL driver) exceptions.
"""

from __future__ import annotations


class StorageError(Exception):
    """The database refused or failed; the message names the cause, never row data."""
