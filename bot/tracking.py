"""The use cases: add, list, refresh, rename, mute and remove (recording is `bot.recording`).

Handlers, the inline mode, the console and the scheduler all call this one service, so a rule
(ownership, the refresh limit, "store events and queue alerts in one transaction") has one home.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import timedelta

from bot.limits import new_numbers
from bot.metrics import Metrics
from bot.outcomes import (
    AddOutcome,
    AddProblem,
    ItemView,
    RefreshOutcome,
    RefreshState,
    view_of,
    views_of,
)
from bot.recording import Recorder, awaits_carrier
from bot.sources import SourceBackingOffError, Sources
from bot.waiting import Waiting
from providers.base import NumberRejected, SourceError, TrackResult
from providers.clock import Clock
from providers.codes import Code, CodeKind
from storage import Database, Tx
from storage.models import Event, Shipment, User

log = logging.getLogger(__name__)

REFRESH_COOLDOWN = timedelta(minutes=1)
USER_CACHE_SECONDS = 60.0  # other processes' settings changes show within this
USER_CACHE_SIZE = 50_000
MAX_ITEMS_PER_USER = 300
ASKED_AT_ONCE = 5  # new numbers of one message asked at once; the rest go to the poller
MAX_LABEL_LENGTH = 64


def clean_label(raw: str) -> str:
    """One line of at most MAX_LABEL_LENGTH; a longer one ends at a word, marked with "…"."""
    label = " ".join(raw.split())
    if len(label) <= MAX_LABEL_LENGTH:
        return label
    cut = label[: MAX_LABEL_LENGTH - 1]
    word_end = cut.rfind(" ")
    return (cut[:word_end] if word_end >= MAX_LABEL_LENGTH // 2 else cut).rstrip() + "…"


class TrackingService:
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
        self.db = db
        self.new_numbers_per_day = new_numbers_per_day  # 0: no limit
        self.sources = sources
        self.clock = clock
        self.poll_interval = poll_interval_seconds
        self.metrics = metrics or Metrics()
        self.recorder = Recorder(db, sources, clock, poll_interval_seconds, self.metrics)
        self._users: dict[int, tuple[float, User]] = {}

    # --- users -----------------------------------------------------------------------------

    async def seen_user(self, user_id: int, tg_language: str | None) -> User:
        """The user behind an update; written only when new, changed or not seen for a while."""
        now = time.monotonic()
        cached = self._users.get(user_id)
        if cached is not None:
            at, user = cached
            if now - at < USER_CACHE_SECONDS and user.active and user.tg_language == tg_language:
                return user
        async with self.db.transaction() as tx:
            user = await tx.users.seen(user_id, tg_language, self.clock())
        if len(self._users) > USER_CACHE_SIZE:
            self._users.clear()
        self._users[user_id] = (now, user)
        return user

    def forget_user(self, user_id: int) -> None:
        """Their settings changed: the next update reads them afresh."""
        self._users.pop(user_id, None)

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
        now = self.clock()
        async with self.db.transaction() as tx:
            await tx.users.ensure(user_id, now)
            if self.new_numbers_per_day:
                await tx.allowances.before_counting(user_id)
            if await tx.shipments.find(source, code.value) is None:
                refusal = await self._refuse_new_number(tx, user_id, code)
                if refusal is not None:
                    return refusal
            shipment, new = await tx.shipments.get_or_create(source, code.value, code.kind, now)
            before = None if new else await tx.subscriptions.find_for(user_id, shipment.id)
            subscription, created = await tx.subscriptions.add(user_id, shipment.id, label, now)
        problem, detail = None, ""
        if shipment.checked_at is None and ask:
            problem, detail = await self._fetch_and_record(
                shipment, exclude_user=user_id, waiting=waiting
            )
        if problem is AddProblem.REJECTED and created:
            # The source refuses this number for good: keep nothing the user would wait on.
            await self.remove(user_id, subscription.id)
            return AddOutcome(code, None, False, problem, detail)
        view = await self.item(user_id, subscription.id)
        restored = before is not None and before.archived
        relabelled = before is not None and bool(label) and label != before.label
        return AddOutcome(code, view, created, problem, detail, restored, relabelled)

    async def _refuse_new_number(self, tx: Tx, user_id: int, code: Code) -> AddOutcome | None:
        """A number nobody follows yet costs a registration at its source: it counts against the
        user's list and their allowance of the day. One someone already follows costs nothing."""
        if await tx.subscriptions.count(user_id) >= MAX_ITEMS_PER_USER:
            return AddOutcome(code, None, False, AddProblem.TOO_MANY)
        if not self.new_numbers_per_day:
            return None
        rule = new_numbers(self.new_numbers_per_day)
        allowance = await tx.allowances.take(user_id, rule, self.clock())
        if allowance.allowed:
            return None
        return AddOutcome(code, None, False, AddProblem.DAILY_LIMIT, retry_at=allowance.next_at)

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

    # --- reading ---------------------------------------------------------------------------

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
        problem, _ = await self._fetch_and_record(view.item.shipment, exclude_user=user_id)
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
        problem, _ = await self._fetch_and_record(view.item.shipment, exclude_user=user_id)
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

    # --- recording what sources say ---------------------------------------------------------

    async def _fetch_and_record(
        self,
        shipment: Shipment,
        exclude_user: int | None,
        waiting: Waiting = contextlib.nullcontext,
    ) -> tuple[AddProblem | None, str]:
        try:
            async with waiting():
                outcomes = await self.sources.fetch(shipment.source, [shipment.code])
        except (SourceError, SourceBackingOffError) as exc:
            log.info("source %s unavailable for a fresh check: %s", shipment.source, exc)
            return AddProblem.SOURCE_DOWN, ""
        outcome = outcomes.get(shipment.code)
        if outcome is None:
            return AddProblem.SOURCE_DOWN, ""
        if isinstance(outcome, NumberRejected):
            await self.recorder.record_rejection(shipment, outcome)
            problem = AddProblem.NEEDS_CARRIER if outcome.needs_carrier else AddProblem.REJECTED
            return problem, outcome.reason
        async with self.db.transaction() as tx:
            await self.recorder.record_result(tx, shipment, outcome, exclude_user=exclude_user)
        return None, ""
