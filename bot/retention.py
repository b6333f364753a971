"""Forgetting what no longer matters, so the database stops growing with the bot's age.

The outbox keeps every settled message for its dedup key: that key is what makes an alert or a
notice go out once. A key is only needed while its event could be recorded again, and no
silence outlasts a source's expiry period (at most 60 days, `bot.watch`) before polling stops,
so settled rows are kept for 90 days and then deleted, a batch per transaction so that senders
and the poller never wait long for the write lock. A dialogue nobody answered for a day (a
rename or an order's contact question the user walked away from) is forgotten too, and so are
the uses of per-user allowances once they are older than the longest window (`bot.limits`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.limits import ALLOWANCE_USES_KEPT
from storage import Database

log = logging.getLogger(__name__)

OUTBOX_KEPT = timedelta(days=90)
DIALOGUE_KEPT = timedelta(days=1)
BATCH = 5000


async def forget_settled_outbox(db: Database, now: datetime, batch: int = BATCH) -> int:
    """Delete settled outbox rows older than OUTBOX_KEPT; returns how many went."""
    cutoff = now - OUTBOX_KEPT
    total = 0
    while True:
        async with db.transaction() as tx:
            deleted = await tx.outbox.forget_settled_before(cutoff, batch)
        total += deleted
        if deleted < batch:
            break
    if total:
        log.info("forgot %d settled outbox messages older than %s", total, cutoff.date())
    return total


async def forget_abandoned_dialogues(db: Database, now: datetime) -> int:
    """Delete dialogue state untouched for DIALOGUE_KEPT; returns how many went."""
    async with db.transaction() as tx:
        return await tx.dialogues.forget_before(now - DIALOGUE_KEPT)


async def forget_old_allowance_uses(db: Database, now: datetime) -> int:
    """Delete allowance uses no window counts any more; returns how many went."""
    async with db.transaction() as tx:
        return await tx.allowances.forget_before(now - ALLOWANCE_USES_KEPT)
