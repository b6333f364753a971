"""What the tracking use cases hand back: a user's item as a card shows it, and the outcomes
of adding and refreshing, which the handlers turn into replies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from providers.codes import Code
from storage import Tx
from storage.models import Event, Item


class AddProblem(StrEnum):
    NO_SOURCE = "no_source"
    REJECTED = "rejected"
    NEEDS_CARRIER = "needs_carrier"
    SOURCE_DOWN = "source_down"
    TOO_MANY = "too_many"
    DAILY_LIMIT = "daily_limit"  # the user's new numbers of the last 24 hours


@dataclass(frozen=True, slots=True)
class ItemView:
    """Everything a card shows about one of a user's items."""

    item: Item
    last_event: Event | None


@dataclass(frozen=True, slots=True)
class AddOutcome:
    code: Code
    view: ItemView | None
    created: bool
    problem: AddProblem | None = None
    detail: str = ""
    restored: bool = False  # it was in the archive and is back in the list
    relabelled: bool = False
    retry_at: datetime | None = None  # DAILY_LIMIT: when a new number can be added again


class RefreshState(StrEnum):
    UPDATED = "updated"
    TOO_SOON = "too_soon"
    SOURCE_DOWN = "source_down"
    NOT_NEEDED = "not_needed"  # a carrier chosen for a number its source already follows


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    view: ItemView
    state: RefreshState
    wait_seconds: int = 0


async def view_of(tx: Tx, item: Item) -> ItemView:
    return ItemView(item, await tx.events.latest(item.shipment.id))


async def views_of(tx: Tx, items: Sequence[Item]) -> list[ItemView]:
    latest = await tx.events.latest_of([item.shipment.id for item in items]) if items else {}
    return [ItemView(item, latest.get(item.shipment.id)) for item in items]
