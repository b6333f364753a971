"""Shop orders: proving an order is yours (by contact or a signed link) before following it.

The shop answers "not found" the same way for an unknown number and a wrong contact, and each
user gets a few attempts an hour (counted in the database: a restart or another process gives
no fresh ones), so order numbers cannot be probed through the bot. The contact is sent to the
shop once and never stored or logged.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from enum import StrEnum

from bot.limits import ORDER_PROOFS
from bot.outcomes import ItemView
from bot.sources import SourceBackingOffError
from bot.tracking import TrackingService
from providers.base import SourceError, TrackResult
from providers.codes import Code, CodeKind
from providers.shop import ShopProvider

log = logging.getLogger(__name__)

SHOP = "shop"


class OrderState(StrEnum):
    FOLLOWING = "following"
    NO_MATCH = "no_match"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    SHOP_DOWN = "shop_down"
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True, slots=True)
class OrderOutcome:
    state: OrderState
    view: ItemView | None = None
    attempts_left: int = 0
    wait_minutes: int = 0


class Orders:
    def __init__(self, tracking: TrackingService) -> None:
        self._tracking = tracking

    @property
    def _shop(self) -> ShopProvider | None:
        provider = self._tracking.sources.get(SHOP)
        return provider if isinstance(provider, ShopProvider) else None

    def needs_contact(self, code: Code) -> bool:
        return code.kind is CodeKind.ORDER and self._tracking.sources.route(code) == SHOP

    async def verify(self, user_id: int, number: str, contact: str) -> OrderOutcome:
        shop = self._shop
        if shop is None:
            return OrderOutcome(OrderState.NOT_CONFIGURED)
        now = self._tracking.clock()
        async with self._tracking.db.transaction() as tx:
            attempt = await tx.allowances.take(user_id, ORDER_PROOFS, now)
        if not attempt.allowed:
            wait = (attempt.next_at - now).total_seconds() if attempt.next_at else 0.0
            minutes = max(1, math.ceil(wait / 60))
            return OrderOutcome(OrderState.TOO_MANY_ATTEMPTS, wait_minutes=minutes)
        try:
            result = await shop.verify(number, contact)
        except SourceError as exc:
            log.info("shop unavailable while checking an order: %s", type(exc).__name__)
            return OrderOutcome(OrderState.SHOP_DOWN)
        if result is None:
            return OrderOutcome(OrderState.NO_MATCH, attempts_left=attempt.left)
        return await self._follow(user_id, number, result)

    async def follow_proven(self, user_id: int, number: str) -> OrderOutcome:
        """A signed link proved the order: follow it without asking for the contact."""
        shop = self._shop
        if shop is None:
            return OrderOutcome(OrderState.NOT_CONFIGURED)
        try:
            outcome = (await self._tracking.sources.fetch(SHOP, [number])).get(number)
        except (SourceError, SourceBackingOffError):
            return OrderOutcome(OrderState.SHOP_DOWN)
        if not isinstance(outcome, TrackResult):
            return OrderOutcome(OrderState.NO_MATCH)
        return await self._follow(user_id, number, outcome)

    async def _follow(self, user_id: int, number: str, result: TrackResult) -> OrderOutcome:
        view = await self._tracking.follow_result(
            user_id, SHOP, Code(number, CodeKind.ORDER), result
        )
        return OrderOutcome(OrderState.FOLLOWING, view)
