"""Status cards and alert texts: pure functions of a view model and the user's texts.

One renderer serves chat replies, push alerts and inline results, so a status reads the same
everywhere. Every string from a user or a source is escaped here, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.texts import Texts
from providers.base import TrackEvent, TrackResult
from providers.statuses import CATALOGUE, Stage, Status
from storage.models import Event, Shipment

STAGE_KEYS = {
    Stage.ORDERED: "stage-ordered",
    Stage.SHIPPED: "stage-shipped",
    Stage.IN_TRANSIT: "stage-in-transit",
    Stage.AT_PICKUP: "stage-at-pickup",
    Stage.RECEIVED: "stage-received",
}
MAX_CARD_CHARS = 3500  # a longer history ends at a whole event
# Each source's or user's string is shortened to these before it is escaped, so every card is
# whole HTML well under Telegram's 4,096 characters, with room for an alert's header and news.
MAX_TITLE_CHARS = 64
MAX_PLACE_CHARS = 80
MAX_SOURCE_TEXT_CHARS = 250


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut; applied before escaping."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def shown(text: str, limit: int = MAX_SOURCE_TEXT_CHARS) -> str:
    """A string from a source or a user, clipped and escaped for HTML parse mode."""
    return escape(clip(text, limit))


@dataclass(frozen=True, slots=True)
class Card:
    title: str
    code: str
    status: Status
    status_text: str
    carrier: str | None
    last_event: Event | TrackEvent | None
    checked_at: datetime | None
    muted: bool = False
    linked_code: str | None = None

    @classmethod
    def of(
        cls, shipment: Shipment, last_event: Event | None, label: str = "", muted: bool = False
    ) -> Card:
        return cls(
            title=label or shipment.code,
            code=shipment.code,
            status=shipment.status,
            status_text=shipment.status_text,
            carrier=shipment.carrier,
            last_event=last_event,
            checked_at=shipment.checked_at,
            muted=muted,
            linked_code=shipment.linked_code,
        )

    @classmethod
    def of_result(cls, result: TrackResult, checked_at: datetime) -> Card:
        return cls(
            title=result.code,
            code=result.code,
            status=result.status,
            status_text=result.status_text,
            carrier=result.carrier,
            last_event=result.events[-1] if result.events else None,
            checked_at=checked_at,
        )


def status_key(status: Status, part: str) -> str:
    return f"status-{status.value.replace('_', '-')}-{part}"


def status_label(status: Status, texts: Texts) -> str:
    return f"{CATALOGUE[status].emoji} {texts(status_key(status, 'label'))}"


def format_time(moment: datetime, tz: ZoneInfo, now: datetime | None = None) -> str:
    local = moment.astimezone(tz)
    if now is not None and local.year != now.astimezone(tz).year:
        return local.strftime("%d.%m.%Y %H:%M")
    return local.strftime("%d.%m %H:%M")


def ago(moment: datetime, now: datetime, texts: Texts) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return texts("ago-just-now")
    if seconds < 3600:
        return texts("ago-minutes", n=seconds // 60)
    if seconds < 86400:
        return texts("ago-hours", n=seconds // 3600)
    return texts("ago-days", n=seconds // 86400)


def progress_line(card: Card, texts: Texts) -> str | None:
    """The journey so far, or nothing when the status is off its line: a number not found yet
    has no stage, and a parcel going back is not a step back along it. An expired number shows
    where its tracking stopped, as a warning."""
    info = CATALOGUE[card.status]
    stage, problem = info.stage, info.problem
    if card.status is Status.EXPIRED and card.last_event is not None:
        stage, problem = CATALOGUE[card.last_event.status].stage, True
    if stage is None:
        return None
    parts = []
    for step, key in STAGE_KEYS.items():
        if step < stage:
            mark = "●"
        elif step == stage:
            mark = "⚠" if problem else "◉"
        else:
            mark = "○"
        name = texts(key)
        parts.append(f"<b>{mark} {name}</b>" if step == stage else f"{mark} {name}")
    return " ━ ".join(parts)


def place(event: Event | TrackEvent) -> str:
    return f" · {shown(event.location, MAX_PLACE_CHARS)}" if event.location else ""


def event_line(event: Event | TrackEvent, tz: ZoneInfo, now: datetime) -> str:
    what = f"\n{shown(event.description)}" if event.description else ""
    return f"🕓 {format_time(event.occurred_at, tz, now)}{place(event)}{what}"


def render_card(card: Card, texts: Texts, tz: ZoneInfo, now: datetime) -> str:
    lines = [f"<b>{shown(card.title, MAX_TITLE_CHARS)}</b>"] if card.title != card.code else []
    code_line = f"<code>{shown(card.code, MAX_TITLE_CHARS)}</code>"
    if card.carrier:
        code_line += f" · {shown(texts.carrier(card.carrier), MAX_PLACE_CHARS)}"
    lines.append(code_line)
    status_line = f"{status_label(card.status, texts)}"
    lines.append(f"<b>{status_line}</b>")
    if _source_words_add_to(card, texts):
        lines.append(f"<i>{shown(card.status_text)}</i>")
    progress = progress_line(card, texts)
    if progress is not None:
        lines.append(progress)
    if card.linked_code:
        lines.append(texts("card-linked-code", code=shown(card.linked_code, MAX_TITLE_CHARS)))
    lines.append("")
    if card.last_event is not None:
        lines.append(event_line(card.last_event, tz, now))
    else:
        lines.append(texts("card-no-events"))
    if card.checked_at is not None:
        lines.append(texts("card-checked", ago=ago(card.checked_at, now, texts)))
    else:
        lines.append(texts("card-not-checked"))
    if card.muted:
        lines.append(texts("card-muted"))
    return "\n".join(lines)


def _source_words_add_to(card: Card, texts: Texts) -> bool:
    """The source's wording of the status, unless it says again what the card says: most sources
    word the status as their last event, and a number not found is "not found" in every tongue."""
    if not card.status_text or (card.status is Status.NOT_FOUND and card.last_event is None):
        return False
    last_said = card.last_event.description if card.last_event is not None else ""
    return card.status_text not in (texts(status_key(card.status, "label")), last_said)


def render_explanation(status: Status, texts: Texts, shop: str = "", title: str = "") -> str:
    """`title`: the item's, when its current status is explained (the card asked about may
    show an older one)."""
    shop = escape(shop)  # the operator's SHOP_NAME is text, not HTML
    heading = f"<b>{status_label(status, texts)}</b>"
    if title:
        heading = f"{shown(title, MAX_TITLE_CHARS)}: {heading}"
    return "\n\n".join(
        [
            heading,
            texts(status_key(status, "meaning"), shop=shop),
            f"👉 {texts(status_key(status, 'todo'), shop=shop)}",
        ]
    )


def render_history(
    card: Card, events: Sequence[Event], texts: Texts, tz: ZoneInfo, now: datetime
) -> str:
    lines = [
        texts("history-title", title=shown(card.title, MAX_TITLE_CHARS)),
        f"<code>{shown(card.code, MAX_TITLE_CHARS)}</code>",
    ]
    if not events:
        lines.append(texts("history-empty"))
    for event in events:
        emoji = CATALOGUE[event.status].emoji
        lines.append("")
        lines.append(f"{emoji} <b>{format_time(event.occurred_at, tz, now)}</b>{place(event)}")
        lines.append(shown(event.description or texts(status_key(event.status, "label"))))
    text = "\n".join(lines)
    # Whole events only: every cut falls on a blank line between two of them, never in markup.
    return text if len(text) <= MAX_CARD_CHARS else text[:MAX_CARD_CHARS].rsplit("\n\n", 1)[0]


def render_list_line(index: int, card: Card, texts: Texts) -> str:
    mute = " 🔕" if card.muted else ""
    title, code = shown(card.title, MAX_TITLE_CHARS), shown(card.code, MAX_TITLE_CHARS)
    status = texts(status_key(card.status, "label"))
    if card.title == card.code:  # no label: the code is the title, once is enough
        return f"{index}. {CATALOGUE[card.status].emoji} <code>{code}</code>{mute}\n    {status}"
    return (
        f"{index}. {CATALOGUE[card.status].emoji} <b>{title}</b>{mute}\n"
        f"    {status} · <code>{code}</code>"
    )
