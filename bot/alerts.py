"""What a queued message says: status alerts, stall notices, pickup reminders, expiry notices.

The outbox stores ids, not text; a message is rendered when it is sent, in the user's language
and time zone as they are then, from the item as it is then (a deleted item sends nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup

from bot.cards import (
    MAX_TITLE_CHARS,
    Card,
    format_time,
    place,
    render_card,
    shown,
    status_key,
    status_label,
)
from bot.keyboards import alert_keyboard, item_keyboard
from bot.texts import Texts
from bot.watch import Silence
from providers.statuses import CATALOGUE, Status
from storage import Database
from storage.models import Event, Item, OutboxMessage

MAX_EVENTS_IN_ALERT = 5

# Stalls where the next step is someone's, not the route's: an unpaid order, one being packed,
# a parcel at customs (which may wait for the user's details or a payment), a courier on the
# way or a failed delivery. Their status advice fits better than the advice for a parcel on its
# way; a number no source knows has a notice of its own.
OWN_STALL_ADVICE = frozenset(
    {
        Status.AWAITING_PAYMENT,
        Status.PROCESSING,
        Status.CUSTOMS,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERY_FAILED,
    }
)


@dataclass(frozen=True, slots=True)
class AlertContext:
    item: Item
    new_events: tuple[Event, ...]
    last_event: Event | None
    order: str = ""
    since: datetime | None = None  # when the silence a notice reports began (older rows: unset)


async def load_context(db: Database, messages: Sequence[OutboxMessage]) -> AlertContext | None:
    """The item behind one or more queued messages of the same subscription, as it is now."""
    first = messages[0]
    subscription_id = int(first.payload.get("subscription_id", 0))
    event_ids = sorted({int(i) for m in messages for i in m.payload.get("event_ids", [])})
    async with db.read() as tx:
        item = await tx.subscriptions.get_item(subscription_id, first.user_id)
        if item is None:
            return None
        events = await tx.events.by_ids(item.shipment.id, event_ids) if event_ids else []
        last = await tx.events.latest(item.shipment.id)
    since = first.payload.get("since")
    began = datetime.fromtimestamp(int(since), UTC) if isinstance(since, int | float) else None
    return AlertContext(item, tuple(events), last, str(first.payload.get("order", "")), began)


def is_urgent(kind: str, context: AlertContext) -> bool:
    """Ready-for-pickup news goes out even in quiet hours: storage time is running."""
    return kind == "alert" and context.item.shipment.status is Status.READY_FOR_PICKUP


def render(
    kind: str, context: AlertContext, texts: Texts, tz: ZoneInfo, now: datetime, shop: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The message as it reads now: what happened, the item's card, then what to do."""
    item = context.item
    card = Card.of(item.shipment, context.last_event, item.subscription.label, False)
    body = render_card(card, texts, tz, now)
    # The operator's SHOP_NAME is text, not HTML.
    head, tail = _head_and_advice(kind, context, texts, tz, now, escape(shop))
    text = f"{head}\n\n{body}\n\n👉 {tail}"
    # Whole HTML: every part is bounded (see bot.cards), none is cut.
    return text, _keyboard(kind, item, texts)


def _head_and_advice(
    kind: str, context: AlertContext, texts: Texts, tz: ZoneInfo, now: datetime, shop: str
) -> tuple[str, str]:
    """The title line of each kind of message and the advice under its card."""
    item = context.item
    status = item.shipment.status
    title = shown(item.title, MAX_TITLE_CHARS)
    if kind == Silence.STALL:
        return _stall(item, title, texts, now, shop)
    if kind == Silence.PICKUP_REMINDER:
        waiting_since = format_time(context.since, tz, now) if context.since else ""
        head = texts("pickup-reminder-title", title=title, since=waiting_since)
        return head, texts(status_key(status, "todo"), shop=shop)
    if kind == Silence.EXPIRED:
        return texts("expired-title", title=title), texts("expired-todo")
    if kind == "linked":
        order = shown(str(context_order(context)), MAX_TITLE_CHARS)
        head = texts("linked-title", order=order, code=shown(item.shipment.code, MAX_TITLE_CHARS))
        return head, texts(status_key(status, "todo"), shop=shop)
    head = texts("alert-title", title=title, status=status_label(status, texts))
    tail = _news(context, texts, tz) + texts(status_key(status, "todo"), shop=shop)
    if CATALOGUE[status].final:
        tail += "\n\n" + texts("alert-final")
    return head, tail


def _stall(item: Item, title: str, texts: Texts, now: datetime, shop: str) -> tuple[str, str]:
    """Counted from the silence's start as the watch judged it (the number's arrival when the
    source never said anything); a status that waits on someone gets its own advice."""
    shipment = item.shipment
    days = max(1, (now - (shipment.last_event_at or shipment.created_at)).days)
    if shipment.status is Status.NOT_FOUND:
        # The status advice says to wait a week: this notice comes when that week is over.
        head = texts("stall-not-found-title", title=title, days=days)
        return head, texts("stall-not-found-todo", shop=shop)
    head = texts("stall-title", title=title, days=days)
    if shipment.status in OWN_STALL_ADVICE:
        return head, texts(status_key(shipment.status, "todo"), shop=shop)
    return head, texts("stall-todo", shop=shop)


def _keyboard(kind: str, item: Item, texts: Texts) -> InlineKeyboardMarkup:
    """A status alert offers the history and muting (archiving, once final); others the card's."""
    finished = CATALOGUE[item.shipment.status].final
    if kind == "alert":
        return alert_keyboard(item.id, texts, finished=finished)
    return item_keyboard(
        item.id,
        item.shipment.status,
        item.subscription.muted,
        texts,
        archived=item.subscription.archived,
    )


def context_order(context: AlertContext) -> str:
    return context.order or context.item.title


def _news(context: AlertContext, texts: Texts, tz: ZoneInfo) -> str:
    """Several events at once become one list, newest last, not a burst of messages."""
    events = context.new_events[-MAX_EVENTS_IN_ALERT:]
    if len(events) < 2:
        return ""
    lines = [texts("alert-events", count=len(context.new_events))]
    for event in events:
        what = shown(event.description or texts(status_key(event.status, "label")))
        lines.append(f"• {event.occurred_at.astimezone(tz):%d.%m %H:%M}{place(event)}: {what}")
    return "\n".join(lines) + "\n\n"
