"""Storage: all SQL of the bot, behind repositories that return the frozen records of `models`.

    db = await open_database("sqlite:///data/bot.sqlite3")   # or postgresql://user@host/db
    async with db.transaction() as tx:      # BEGIN ... COMMIT, ROLLBACK on an exception
        user = await tx.users.seen(user_id, "ru", now)
    async with db.read() as tx:             # read-only snapshot
        items = await tx.subscriptions.list_items(user_id)

Repositories never commit; the caller's transaction does. Engine-specific code lives in
`storage/sqlite.py` and `storage/postgres.py`; the repositories' SQL is portable (`?`
placeholders, ON CONFLICT, RETURNING) and the migrations are one set of files for both engines.
Due shipments and outbox rows are claimed with a lease, so several workers can share the work.
"""

from storage.database import migrate, open_database
from storage.errors import StorageError, StorageUnavailableError
from storage.models import Event, Item, OutboxMessage, Shipment, Subscription, User
from storage.tx import Database, Tx
from storage.update_claims import ClaimOutcome

__all__ = [
    "ClaimOutcome",
    "Database",
    "Event",
    "Item",
    "OutboxMessage",
    "Shipment",
    "StorageError",
    "StorageUnavailableError",
    "Subscription",
    "Tx",
    "User",
    "migrate",
    "open_database",
]
