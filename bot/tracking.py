"""The use cases: add, list, refresh, rename, mute and remove (recording is `bot.recording`).

Handlers, the inline mode, the console and the scheduler all call this one service, so a rule
(ownership, the refresh limit, "store events and queue alerts in one transaction") has one home.
The reads come from `bot.item_queries`, a number's admission to a list from `bot.admission`,
and the check made at once on a user's behalf from `bot.fresh_check`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import timedelta

from bot.admission import MAX_ITEMS_PER_USER, admit
from bot.fresh_check import FreshCheck
from bot.item_queries import ItemQueries
from bot.labels import clean_label
from bot.metrics import Metrics
from bot.outcomes import AddOutcome, AddProblem, ItemView, RefreshOutcome, RefreshState
from bot.recording import Recorder, awaits_carrier
from bot.seen_users import SeenUsers
from bot.sources import Sources
from bot.waiting import Waiting
from providers.base import SourceError, TrackResult
from providers.clock import Clock
from providers.codes import Code
from storage import Database
from storage.models import User

REFRESH_COOLDOWN = timedelta(minutes=1)
ASKED_AT_ONCE = 5  # new numbers of one message asked at once; the rest go to the poller


class TrackingService(ItemQueries):
    def __init__(
        self,
        db: Database,
        sources: Sources,
        clock: Clock,
        poll_interval_seconds: float,
        metrics: Metrics | None = None,
        *,
        new_numbers_per_day: int = 0,
    ) -> None:
        super().__init__(db, sources)
        self.new_numbers_per_day = new_numbers_per_day  # 0: no limit
        self.clock = clock
        self.poll_interval = poll_interval_seconds
        self.metrics = metrics or Metrics()
        self.recorder = Recorder(db, sources, clock, poll_interval_seconds, self.metrics)
        self._fresh_check = FreshCheck(db, sources, self.recorder)
        self._users = SeenUsers(db, clock)

    # --- users -----------------------------------------------------------------------------

    async def seen_user(self, user_id: int, tg_language: str | None) -> User:
        """The user behind an update; written only when new, changed or not seen for a while."""
        return await self._users.seen(user_id, tg_language)

    def forget_user(self, user_id: int) -> None:
        """Their settings changed: the next update reads them afresh."""
        self._users.forget(user_id)

    async def set_active(self, user_id: int, active: bool) -> None:
        """Blocked users get nothing; what only they follow is no longer polled."""
        self.forget_user(user_id)
        async with self.db.transaction() as tx:
            await tx.users.set_active(user_id, active)
            if not active:
                await tx.outbox.drop_for_user(user_id)
                return
            items = await tx.subscriptions.list_items(user_id, limit=MAX_ITEMS_PER_USER)
            resting = [i.shipment.id for i in items if i.shipment.next_check_at is None]
            await tx.shipments.set_next_check(resting, self.clock())

    # --- adding ----------------------------------------------------------------------------

    async def add(
        self,
        user_id: int,
        codes: Sequence[Code],
        label: str = "",
        *,
        waiting: Waiting = contextlib.nullcontext,
    ) -> list[AddOutcome]:
        """Follow each code. The first few new numbers are asked of their source at once, inside
        `waiting`; the others of a long list are due at once and wait for the next poll tick,
        which asks in batches, so one pasted list cannot hold a source's rate for minutes."""
        label = clean_label(label) if len(codes) == 1 else ""
        return [
            await self._add_one(user_id, code, label, waiting, ask=index < ASKED_AT_ONCE)
            for index, code in enumerate(codes)
        ]

    async def _add_one(
        self, user_id: int, code: Code, label: str, waiting: Waiting, *, ask: bool
    ) -> AddOutcome:
        source = self.sources.route(code)
        if source is None:
            return AddOutcome(code, None, False, AddProblem.NO_SOURCE)
        async with self.db.transaction() as tx:
            admitted = await admit(
                tx, user_id, source, code, label, self.clock, self.new_numbers_per_day
            )
        if isinstance(admitted, AddOutcome):
            return admitted
        problem, detail = None, ""
        if admitted.shipment.checked_at is None and ask:
            problem, detail = await self._fresh_check.ask(
                admitted.shipment, exclude_user=user_id, waiting=waiting
            )
        if problem is AddProblem.REJECTED and admitted.created:
            # The source refuses this number for good: keep nothing the user would wait on.
            await self.remove(user_id, admitted.subscription.id)
            return AddOutcome(code, None, False, problem, detail)
        view = await self.item(user_id, admitted.subscription.id)
        before = admitted.before
        restored = before is not None and before.archived
        relabelled = before is not None and bool(label) and label != before.label
        return AddOutcome(code, view, admitted.created, problem, detail, restored, relabelled)

    async def follow_result(
        self, user_id: int, source: str, code: Code, result: TrackResult
    ) -> ItemView | None:
        """Follow a number whose current state the caller already has (a verified order)."""
        now = self.clock()
        async with self.db.transaction() as tx:
            await tx.users.ensure(user_id, now)
            shipment, _ = await tx.shipments.get_or_create(source, code.value, code.kind, now)
            subscription, _ = await tx.subscriptions.add(user_id, shipment.id, "", now)
            if shipment.checked_at is None:
                await self.recorder.record_result(tx, shipment, result, exclude_user=user_id)
        return await self.item(user_id, subscription.id)

    # --- changing --------------------------------------------------------------------------

    async def refresh(self, user_id: int, item_id: int) -> RefreshOutcome | None:
        view = await self.item(user_id, item_id)
        if view is None:
            return None
        now = self.clock()
        last = view.item.subscription.refreshed_at
        if last is not None and now - last < REFRESH_COOLDOWN:
            wait = int((REFRESH_COOLDOWN - (now - last)).total_seconds()) + 1
            return RefreshOutcome(view, RefreshState.TOO_SOON, wait)
        async with self.db.transaction() as tx:
            await tx.subscriptions.touch_refresh(item_id, now)
        problem, _ = await self._fresh_check.ask(view.item.shipment, exclude_user=user_id)
        fresh = await self.item(user_id, item_id) or view
        state = RefreshState.SOURCE_DOWN if problem else RefreshState.UPDATED
        return RefreshOutcome(fresh, state)

    async def choose_carrier(
        self, user_id: int, item_id: int, carrier: int
    ) -> RefreshOutcome | None:
        """The user names the carrier a source could not detect; then the number is checked.

        Only while the source has never answered for the number: the carrier of a number it
        follows is shared by every follower, and the source allows only a few changes.
        """
        view = await self.item(user_id, item_id)
        set_carrier = (
            getattr(self.sources.get(view.item.shipment.source), "set_carrier", None)
            if view
            else None
        )
        if view is None or set_carrier is None:
            return None
        if not awaits_carrier(view.item.shipment):
            return RefreshOutcome(view, RefreshState.NOT_NEEDED)
        try:
            refusal = await set_carrier(view.item.shipment.code, carrier)
        except SourceError:
            return RefreshOutcome(view, RefreshState.SOURCE_DOWN)
        if refusal is not None:
            return RefreshOutcome(view, RefreshState.SOURCE_DOWN)
        problem, _ = await self._fresh_check.ask(view.item.shipment, exclude_user=user_id)
        fresh = await self.item(user_id, item_id) or view
        return RefreshOutcome(fresh, RefreshState.SOURCE_DOWN if problem else RefreshState.UPDATED)

    async def rename(self, user_id: int, item_id: int, label: str) -> bool:
        async with self.db.transaction() as tx:
            return await tx.subscriptions.rename(item_id, user_id, clean_label(label))

    async def set_muted(self, user_id: int, item_id: int, muted: bool) -> ItemView | None:
        async with self.db.transaction() as tx:
            if not await tx.subscriptions.set_muted(item_id, user_id, muted):
                return None
        return await self.item(user_id, item_id)

    async def remove(self, user_id: int, item_id: int) -> bool:
        async with self.db.transaction() as tx:
            removed = await tx.subscriptions.delete(item_id, user_id)
            orphans = await tx.shipments.delete_orphans() if removed else []
        for shipment in orphans:
            await self.sources.stop(shipment.source, [shipment.code])
        return removed
