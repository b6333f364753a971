"""What the service layer holds: a `Database` that hands out `Tx` objects, one per transaction.

A `Tx` bundles the repositories over one session. Repositories never commit; the transaction
context that produced the `Tx` commits when its block ends and rolls back if it raises, so
"store the event and queue the alert" is one atomic step.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from storage.allowances import AllowancesRepo
from storage.dialogues import DialoguesRepo
from storage.events import EventsRepo
from storage.outbox import OutboxRepo
from storage.receipts import ReceiptsRepo
from storage.shipments import ShipmentsRepo
from storage.source_calls import SourceCallsRepo
from storage.sql import Session
from storage.subscriptions import SubscriptionsRepo
from storage.update_claims import UpdateClaimsRepo
from storage.users import UsersRepo


class Tx:
    """The repositories of one transaction; unusable once its block has ended."""

    __slots__ = (
        "allowances",
        "dialogues",
        "events",
        "outbox",
        "receipts",
        "session",
        "shipments",
        "source_calls",
        "subscriptions",
        "update_claims",
        "users",
    )

    def __init__(self, session: Session) -> None:
        self.session = session  # for storage internals (migrations) and tests, not services
        self.users = UsersRepo(session)
        self.shipments = ShipmentsRepo(session)
        self.subscriptions = SubscriptionsRepo(session)
        self.events = EventsRepo(session)
        self.outbox = OutboxRepo(session)
        self.receipts = ReceiptsRepo(session)
        self.allowances = AllowancesRepo(session)
        self.source_calls = SourceCallsRepo(session)
        self.update_claims = UpdateClaimsRepo(session)
        self.dialogues = DialoguesRepo(session)


class Database(Protocol):
    """An open database; one implementation per engine (storage/sqlite.py, storage/postgres.py)."""

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        """A write transaction: commit at the end of the block, roll back on an exception."""
        ...

    def read(self) -> AbstractAsyncContextManager[Tx]:
        """A read-only snapshot; writes through it are refused."""
        ...

    def glance(self) -> AbstractAsyncContextManager[Tx]:
        """One reading statement, in no transaction of its own: a single statement sees one
        consistent state on either engine, and a hot path saves the round trips of beginning
        and ending a snapshot. Only for reads of one statement."""
        ...

    async def close(self) -> None: ...

    async def schema_version(self) -> int:
        """The highest migration applied; 0 for an empty database."""
        ...
