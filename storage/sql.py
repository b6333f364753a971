"""Engine-neutral helpers shared by the repositories: the session protocol and value codecs.

Repositories speak portable SQL with `?` placeholders through a `Session`; the engine module
turns that into driver calls. Times travel as INTEGER epoch milliseconds (UTC) and come back as
aware UTC datetimes; booleans are bound as Python bools and stored as 0/1 by either engine. The
one clause that differs by engine, row locking for claims, comes from `skip_locked`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol, TypeVar

from storage.errors import StorageError

T = TypeVar("T")

Dialect = Literal["sqlite", "postgresql"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)

# Keeps every statement well under any engine's bound-parameter limit.
CHUNK = 200


class Row(Protocol):
    """A result row addressed by column name, or read in order (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: str, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


class Session(Protocol):
    """Statements inside the caller's transaction; nothing here commits."""

    @property
    def dialect(self) -> Dialect: ...

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement and return the number of rows it changed."""
        ...

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for many parameter rows (one round trip per batch)."""
        ...


def to_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: storage needs timezone-aware times")
    return (moment - EPOCH) // _MS


def opt_ms(moment: datetime | None) -> int | None:
    return None if moment is None else to_ms(moment)


def from_ms(value: int) -> datetime:
    return EPOCH + value * _MS


def opt_dt(value: int | None) -> datetime | None:
    return None if value is None else from_ms(value)


def required(row: Row | None) -> Row:
    """The row of a statement that always returns one (an upsert, an insert RETURNING)."""
    if row is None:
        raise StorageError("the statement returned no row")
    return row


def skip_locked(dialect: Dialect) -> str:
    """Ends a claim's selecting query so concurrent claimers pass over each other's rows.

    SQLite needs nothing: its single writer runs one claim at a time.
    """
    return " FOR UPDATE SKIP LOCKED" if dialect == "postgresql" else ""


def claim_statement(dialect: Dialect, table: str, rows: str, assign: str, returning: str) -> str:
    """`UPDATE table SET assign` for the rows `rows` (`FROM ... LIMIT ?`) picks, returned claimed.

    Parameters: those of `rows`, then those of `assign`. The pick is a MATERIALIZED CTE so it
    runs exactly once: as a plain `IN (subquery)`, PostgreSQL may pick a nested-loop plan that
    re-runs the subquery for each row it updates, and every re-run would lock and claim further
    rows beyond the LIMIT (the rows already claimed by this statement no longer match).
    PostgreSQL updates the locked row versions by their physical address (a TID scan), which
    costs a fraction of joining the ids back through the primary key; a row another
    transaction changed in between is then left unclaimed, as SKIP LOCKED would have left it.
    """
    if dialect == "postgresql":
        return (
            f"WITH picked AS MATERIALIZED (SELECT ctid {rows}{skip_locked(dialect)})"
            f" UPDATE {table} SET {assign} WHERE ctid = ANY(ARRAY(SELECT ctid FROM picked))"
            f" RETURNING {returning}"
        )
    return (
        f"WITH picked AS MATERIALIZED (SELECT id {rows})"
        f" UPDATE {table} SET {assign} WHERE id IN (SELECT id FROM picked) RETURNING {returning}"
    )


def marks(count: int) -> str:
    """Placeholders for an IN list of `count` values."""
    return ", ".join("?" * count)


def select_list(alias: str, columns: Sequence[str], prefix: str = "") -> str:
    """`alias.col AS prefixcol, ...` so joined tables can share column names."""
    return ", ".join(f"{alias}.{column} AS {prefix}{column}" for column in columns)


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
