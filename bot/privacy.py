"""`/forget`: everything the bot keeps about a user, counted before and erased on request."""

from __future__ import annotations

from dataclasses import dataclass

from bot.tracking import TrackingService


@dataclass(frozen=True, slots=True)
class Kept:
    listed: int
    archived: int


async def kept_about(tracking: TrackingService, user_id: int) -> Kept:
    async with tracking.db.read() as tx:
        listed = await tx.subscriptions.count(user_id)
        archived = await tx.subscriptions.count(user_id, archived=True)
    return Kept(listed, archived)


async def erase_user(tracking: TrackingService, user_id: int) -> bool:
    """The user's row, settings, items and messages go in one transaction; numbers nobody else
    follows are dropped and their sources told to stop. False if nothing was kept."""
    tracking.forget_user(user_id)
    async with tracking.db.transaction() as tx:
        erased = await tx.users.erase(user_id)
        orphans = await tx.shipments.delete_orphans()
    for shipment in orphans:
        await tracking.sources.stop(shipment.source, [shipment.code])
    return erased
