"""Admitting a number to a user's list: the one transaction that follows it, within the limits.

Every number that lengthens a user's list counts against MAX_ITEMS_PER_USER (archived items do
not count). A number nobody follows yet also costs a registration at its source, so it spends
one of the user's new numbers of the day; one someone already follows costs nothing more. The
shipment is shared by every follower; the subscription is the user's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.limits import new_numbers
from bot.outcomes import AddOutcome, AddProblem
from providers.clock import Clock
from providers.codes import Code
from storage import Tx
from storage.models import Shipment, Subscription

MAX_ITEMS_PER_USER = 300


@dataclass(frozen=True, slots=True)
class Admitted:
    shipment: Shipment
    subscription: Subscription
    created: bool  # the user did not follow it before
    before: Subscription | None  # what the user had before, when they followed it already


async def admit(
    tx: Tx,
    user_id: int,
    source: str,
    code: Code,
    label: str,
    clock: Clock,
    new_numbers_per_day: int,
) -> Admitted | AddOutcome:
    """The followed number, or the refusal to hand back; new_numbers_per_day 0: no limit."""
    now = clock()
    await tx.users.ensure(user_id, now)
    if new_numbers_per_day:
        await tx.allowances.before_counting(user_id)
    known = await tx.shipments.find(source, code.value)
    before = None if known is None else await tx.subscriptions.find_for(user_id, known.id)
    lengthens_list = before is None or before.archived
    if lengthens_list and await tx.subscriptions.count(user_id) >= MAX_ITEMS_PER_USER:
        return AddOutcome(code, None, False, AddProblem.TOO_MANY)
    if known is None:
        refusal = await _refuse_new_number(tx, user_id, code, clock, new_numbers_per_day)
        if refusal is not None:
            return refusal
    shipment, _ = await tx.shipments.get_or_create(source, code.value, code.kind, now)
    subscription, created = await tx.subscriptions.add(user_id, shipment.id, label, now)
    return Admitted(shipment, subscription, created, before)


async def _refuse_new_number(
    tx: Tx, user_id: int, code: Code, clock: Clock, new_numbers_per_day: int
) -> AddOutcome | None:
    """A number new to the bot also spends one of the user's new numbers of the day."""
    if not new_numbers_per_day:
        return None
    rule = new_numbers(new_numbers_per_day)
    allowance = await tx.allowances.take(user_id, rule, clock())
    if allowance.allowed:
        return None
    return AddOutcome(code, None, False, AddProblem.DAILY_LIMIT, retry_at=allowance.next_at)
