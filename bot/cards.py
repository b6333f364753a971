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
MAX_CARD_CHARS = 3500  # well under Telegram's 4096, leaves room for a header in alerts


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


def progress_line(status: Status, texts: Texts) -> str:
    info = CATALOGUE[status]
    parts = []
    for stage, key in STAGE_KEYS.items():
        if stage < info.stage:
            mark = "●"
        elif stage == info.stage:
            mark = "⚠" if info.problem else "◉"
        else:
            mark = "○"
        name = texts(key)
        parts.append(f"<b>{mark} {name}</b>" if stage == info.stage else f"{mark} {name}")
    return " ━ ".join(parts)


def event_line(event: Event | TrackEvent, tz: ZoneInfo, now: datetime) -> str:
    where = f" · {escape(event.location)}" if event.location else ""
    what = f"\n{escape(event.description)}" if event.description else ""
    return f"🕓 {format_time(event.occurred_at, tz, now)}{where}{what}"


def render_card(card: Card, texts: Texts, tz: ZoneInfo, now: datetime) -> str:
    lines = [f"<b>{escape(card.title)}</b>"] if card.title != card.code else []
    code_line = f"<code>{escape(card.code)}</code>"
    if card.carrier:
        code_line += f" · {escape(card.carrier)}"
    lines.append(code_line)
    status_line = f"{status_label(card.status, texts)}"
    lines.append(f"<b>{status_line}</b>")
    if card.status_text and card.status_text != texts(status_key(card.status, "label")):
        lines.append(f"<i>{escape(card.status_text)}</i>")
    lines.append(progress_line(card.status, texts))
    if card.linked_code:
        lines.append(texts("card-linked-code", code=escape(card.linked_code)))
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
    return "\n".join(lines)[:MAX_CARD_CHARS]


def render_explanation(status: Status, texts: Texts, shop: str = "") -> str:
    return "\n\n".join(
        [
            f"<b>{status_label(status, texts)}</b>",
            texts(status_key(status, "meaning"), shop=shop),
            f"👉 {texts(status_key(status, 'todo'), shop=shop)}",
        ]
    )


def render_history(
    card: Card, events: Sequence[Event], texts: Texts, tz: ZoneInfo, now: datetime
) -> str:
    lines = [texts("history-title", title=escape(card.title)), f"<code>{escape(card.code)}</code>"]
    if not events:
        lines.append(texts("history-empty"))
    for event in events:
        emoji = CATALOGUE[event.status].emoji
        lines.append("")
        lines.append(
            f"{emoji} <b>{format_time(event.occurred_at, tz, now)}</b>"
            + (f" · {escape(event.location)}" if event.location else "")
        )
        lines.append(escape(event.description or texts(status_key(event.status, "label"))))
    text = "\n".join(lines)
    return text if len(text) <= MAX_CARD_CHARS else text[:MAX_CARD_CHARS].rsplit("\n\n", 1)[0]


def render_list_line(index: int, card: Card, texts: Texts) -> str:
    mute = " 🔕" if card.muted else ""
    return (
        f"{index}. {CATALOGUE[card.status].emoji} <b>{escape(card.title)}</b>{mute}\n"
        f"    {texts(status_key(card.status, 'label'))} · <code>{escape(card.code)}</code>"
    )
