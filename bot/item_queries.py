"""The read side of tracking: a user's items as cards show them, and the inline look-up.

Nothing here writes: an item is read together with its owner, so another user's id finds
nothing, and a look-up of a number nobody follows asks its source without storing a row.
"""

from __future__ import annotations

from bot.outcomes import ItemView, view_of, views_of
from bot.sources import SourceBackingOffError, Sources
from providers.base import SourceError, TrackResult
from providers.codes import Code, CodeKind
from storage import Database
from storage.models import Event, Shipment


class ItemQueries:
    def __init__(self, db: Database, sources: Sources) -> None:
        self.db = db
        self.sources = sources

    async def item(self, user_id: int, item_id: int) -> ItemView | None:
        async with self.db.read() as tx:
            item = await tx.subscriptions.get_item(item_id, user_id)
            return await view_of(tx, item) if item else None

    async def page(self, user_id: int, page: int, per_page: int) -> tuple[list[ItemView], int]:
        async with self.db.read() as tx:
            items = await tx.subscriptions.list_items(
                user_id, offset=max(page, 0) * per_page, limit=per_page
            )
            # A short first page is the whole list: no need to count.
            if page == 0 and len(items) < per_page:
                total = len(items)
            else:
                total = await tx.subscriptions.count(user_id)
            return await views_of(tx, items), total

    async def find(self, user_id: int, query: str) -> list[ItemView]:
        async with self.db.read() as tx:
            return await views_of(tx, await tx.subscriptions.find_items(user_id, query))

    async def history(self, user_id: int, item_id: int, limit: int = 15) -> list[Event] | None:
        async with self.db.read() as tx:
            item = await tx.subscriptions.get_item(item_id, user_id)
            if item is None:
                return None
            return await tx.events.history(item.shipment.id, limit)

    async def lookup(self, code: Code) -> tuple[Shipment, Event | None] | TrackResult | None:
        """Status of any parcel code for the inline mode; orders stay private.

        A code somebody follows is answered from the database; any other is asked of its source
        and not stored, so a look-up never leaves an unfollowed row behind to be polled.
        """
        if code.kind is CodeKind.ORDER:
            return None
        source = self.sources.route(code)
        if source is None:
            return None
        async with self.db.read() as tx:
            shipment = await tx.shipments.find(source, code.value)
            if shipment is not None and shipment.checked_at is not None:
                return shipment, await tx.events.latest(shipment.id)
        if not getattr(self.sources.get(source), "free_lookups", False):
            return None  # asking would register the number and spend the operator's quota
        try:
            outcome = (await self.sources.fetch(source, [code.value])).get(code.value)
        except (SourceError, SourceBackingOffError):
            return None
        return outcome if isinstance(outcome, TrackResult) else None
