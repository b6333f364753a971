"""The archive: finished items leave `/list` but keep their card and history, and can come back.

Only an item whose parcel or order has reached a final status (delivered, returned, cancelled,
expired) goes there: by the card's button, or on its own two weeks after the status was last
confirmed. Final statuses are no longer polled, so the archive costs no source requests and
does not count towards a user's item limit. Sending the number again brings the item back, and
so does a new status that is not final (a delivered parcel coming back), for every follower.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.outcomes import ItemView, view_of, views_of
from providers.statuses import CATALOGUE
from storage import Database

log = logging.getLogger(__name__)

ARCHIVE_AFTER = timedelta(days=14)  # "two weeks" in the help and archive texts
BATCH = 500
FINAL_STATUSES = tuple(status.value for status, info in CATALOGUE.items() if info.final)


class Archive:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def put(self, user_id: int, item_id: int) -> ItemView | None:
        """None when the item is not the user's or has not finished (and so stays listed)."""
        return await self._set(user_id, item_id, archived=True)

    async def take_out(self, user_id: int, item_id: int) -> ItemView | None:
        return await self._set(user_id, item_id, archived=False)

    async def page(self, user_id: int, page: int, per_page: int) -> tuple[list[ItemView], int]:
        async with self.db.read() as tx:
            items = await tx.subscriptions.list_items(
                user_id, offset=max(page, 0) * per_page, limit=per_page, archived=True
            )
            total = await tx.subscriptions.count(user_id, archived=True)
            return await views_of(tx, items), total

    async def count(self, user_id: int) -> int:
        async with self.db.read() as tx:
            return await tx.subscriptions.count(user_id, archived=True)

    async def _set(self, user_id: int, item_id: int, *, archived: bool) -> ItemView | None:
        async with self.db.transaction() as tx:
            item = await tx.subscriptions.get_item(item_id, user_id)
            if item is None or (archived and not CATALOGUE[item.shipment.status].final):
                return None
            await tx.subscriptions.set_archived(item_id, user_id, archived)
            fresh = await tx.subscriptions.get_item(item_id, user_id)
            return None if fresh is None else await view_of(tx, fresh)


async def archive_finished(db: Database, now: datetime, batch: int = BATCH) -> int:
    """Archive every item finished more than ARCHIVE_AFTER ago, a batch per transaction."""
    total = 0
    while True:
        async with db.transaction() as tx:
            archived = await tx.subscriptions.archive_finished(
                FINAL_STATUSES, now - ARCHIVE_AFTER, batch
            )
        total += archived
        if archived < batch:
            break
    if total:
        log.info("archived %d finished items", total)
    return total
