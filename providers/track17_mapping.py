"""How 17TRACK's words become ours: the status tables and the reading of one tracked item.

17TRACK's `latest_status` is reliable; the `stage` and `sub_status` of single events are not
(they are often null and may contradict the item), so the rules are:

* the item's status is `latest_status.sub_status` in SUB_STATUS_MAP, else the main `status` in
  STATUS_MAP, else the main-status prefix of an unknown value ("Exception_Xyz" reads as
  Exception); a value nothing matches reads as IN_TRANSIT and is logged, it never raises;
* the events of every carrier block are merged and sorted oldest first (17TRACK sends them
  newest first);
* an event's time is `time_iso` (keeping the carrier's offset), else `time_utc`, else `time_raw`
  (without a timezone it borrows the offset of another event of the same carrier, else UTC); an
  event with no time at all takes the time of the event before it (the oldest one: of the event
  after it), so it stays in its place; a carrier block without any time is dropped;
* an event's status comes from its `stage` when set; otherwise the newest event takes the item's
  status and older ones IN_TRANSIT (INFO_RECEIVED while the item itself is no further);
* `status_text` is 17TRACK's `sub_status_descr`, else a short note for the sub-statuses whose
  detail our status loses (customs need information, refused, lost...), else the newest event's
  description.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from providers.base import TrackEvent, TrackResult
from providers.statuses import Status
from providers.track17_wire import Event, TrackInfo, TrackItem

logger = logging.getLogger(__name__)

STATUS_MAP: Mapping[str, Status] = {
    "NotFound": Status.NOT_FOUND,
    "InfoReceived": Status.INFO_RECEIVED,
    "InTransit": Status.IN_TRANSIT,
    "Expired": Status.EXPIRED,
    "AvailableForPickup": Status.READY_FOR_PICKUP,
    "OutForDelivery": Status.OUT_FOR_DELIVERY,
    "DeliveryFailure": Status.DELIVERY_FAILED,
    "Delivered": Status.DELIVERED,
    "Exception": Status.EXCEPTION,
}

SUB_STATUS_MAP: Mapping[str, Status] = {
    "NotFound_Other": Status.NOT_FOUND,
    "NotFound_InvalidCode": Status.NOT_FOUND,
    "InfoReceived": Status.INFO_RECEIVED,
    "InTransit_PickedUp": Status.IN_TRANSIT,
    "InTransit_Other": Status.IN_TRANSIT,
    "InTransit_Departure": Status.IN_TRANSIT,
    "InTransit_Arrival": Status.IN_TRANSIT,
    "InTransit_CustomsProcessing": Status.CUSTOMS,
    "InTransit_CustomsReleased": Status.IN_TRANSIT,  # customs are done; the note keeps the news
    "InTransit_CustomsRequiringInformation": Status.CUSTOMS,  # a problem: the note says so
    "Expired_Other": Status.EXPIRED,
    "AvailableForPickup_Other": Status.READY_FOR_PICKUP,
    "OutForDelivery_Other": Status.OUT_FOR_DELIVERY,
    "DeliveryFailure_Other": Status.DELIVERY_FAILED,
    "DeliveryFailure_NoBody": Status.DELIVERY_FAILED,
    "DeliveryFailure_Security": Status.DELIVERY_FAILED,
    "DeliveryFailure_Rejected": Status.DELIVERY_FAILED,
    "DeliveryFailure_InvalidAddress": Status.DELIVERY_FAILED,
    "Delivered_Other": Status.DELIVERED,
    "Exception_Other": Status.EXCEPTION,
    "Exception_Returning": Status.RETURNING,
    "Exception_Returned": Status.RETURNED,
    "Exception_NoBody": Status.EXCEPTION,
    "Exception_Security": Status.EXCEPTION,
    "Exception_Damage": Status.EXCEPTION,
    "Exception_Damaged": Status.EXCEPTION,  # a spelling reported once, undocumented
    "Exception_Rejected": Status.EXCEPTION,
    "Exception_Delayed": Status.EXCEPTION,
    "Exception_Lost": Status.EXCEPTION,
    "Exception_Destroyed": Status.EXCEPTION,
    "Exception_Cancel": Status.CANCELLED,
}

# Event `stage` values: the nine milestone key stages (main-status names also occur, and are
# read through the tables above).
STAGE_MAP: Mapping[str, Status] = {
    "InfoReceived": Status.INFO_RECEIVED,
    "PickedUp": Status.IN_TRANSIT,
    "Departure": Status.IN_TRANSIT,
    "Arrival": Status.IN_TRANSIT,
    "AvailableForPickup": Status.READY_FOR_PICKUP,
    "OutForDelivery": Status.OUT_FOR_DELIVERY,
    "Delivered": Status.DELIVERED,
    "Returning": Status.RETURNING,
    "Returned": Status.RETURNED,
}

# Words for the sub-statuses whose detail the normalised status does not carry.
SUB_STATUS_NOTES: Mapping[str, str] = {
    "NotFound_InvalidCode": "Invalid tracking number",
    "InTransit_CustomsReleased": "Released by customs",
    "InTransit_CustomsRequiringInformation": "Customs need more information",
    "DeliveryFailure_NoBody": "Nobody there to receive the parcel",
    "DeliveryFailure_Security": "Held for a security check",
    "DeliveryFailure_Rejected": "Refused by the recipient",
    "DeliveryFailure_InvalidAddress": "Invalid address",
    "Exception_NoBody": "Nobody there to receive the parcel",
    "Exception_Security": "Held for a security check",
    "Exception_Damage": "Damaged",
    "Exception_Damaged": "Damaged",
    "Exception_Rejected": "Refused by the recipient",
    "Exception_Delayed": "Delayed",
    "Exception_Lost": "Lost",
    "Exception_Destroyed": "Destroyed",
}

_BEFORE_TRANSIT = frozenset({Status.NOT_FOUND, Status.INFO_RECEIVED})


def map_status(status: str | None, sub_status: str | None) -> Status:
    found = (
        SUB_STATUS_MAP.get(sub_status or "")
        or STATUS_MAP.get(status or "")
        or _by_prefix(sub_status)
        or _by_prefix(status)
    )
    if found is not None:
        return found
    if not status and not sub_status:
        return Status.NOT_FOUND
    logger.warning("unknown 17TRACK status %r / %r read as in transit", status, sub_status)
    return Status.IN_TRANSIT


def parse_track_info(number: str, data: Mapping[str, Any]) -> TrackResult:
    """Reads an accepted gettrackinfo item or a push's `data`; ValueError if it is neither."""
    return result_from_item(number, TrackItem.model_validate(dict(data)))


def result_from_item(number: str, item: TrackItem) -> TrackResult:
    info = item.track_info
    if info is None:
        return TrackResult(code=number, status=Status.NOT_FOUND)
    latest = info.latest_status
    status = map_status(latest.status, latest.sub_status)
    events = _events(info, status)
    carrier = next((p.provider.name for p in info.tracking.providers if p.provider.name), None)
    return TrackResult(
        code=number,
        status=status,
        events=events,
        carrier=carrier,
        status_text=_status_text(info, events),
    )


def _by_prefix(value: str | None) -> Status | None:
    return STATUS_MAP.get(value.split("_", 1)[0]) if value else None


def _events(info: TrackInfo, status: Status) -> tuple[TrackEvent, ...]:
    timed = [pair for block in info.tracking.providers for pair in _chronological(block.events)]
    if not timed and info.latest_event is not None:
        timed = _chronological([info.latest_event])
    timed.sort(key=lambda pair: pair[0])
    unique = {(moment, _text(e), _location(e)): e for moment, e in timed}
    newest = len(unique) - 1
    return tuple(
        TrackEvent(
            occurred_at=moment,
            status=_event_status(event, status, newest=index == newest),
            description=description,
            location=location,
        )
        for index, ((moment, description, location), event) in enumerate(unique.items())
    )


def _chronological(events: Sequence[Event]) -> list[tuple[datetime, Event]]:
    """Events (newest first on the wire) paired with their moments, oldest first."""
    stated = [event.stated_moment() for event in events]
    zone: tzinfo = next((m.tzinfo for m in stated if m is not None and m.tzinfo), None) or UTC
    moments = [m or event.time_raw.moment(zone) for m, event in zip(stated, events, strict=True)]
    oldest_first = list(zip(reversed(moments), reversed(events), strict=True))
    last = next((moment for moment, _ in oldest_first if moment is not None), None)
    if last is None:
        return []
    paired: list[tuple[datetime, Event]] = []
    for moment, event in oldest_first:
        last = moment or last
        paired.append((last, event))
    return paired


def _event_status(event: Event, item_status: Status, *, newest: bool) -> Status:
    staged = STAGE_MAP.get(event.stage) or SUB_STATUS_MAP.get(event.stage)
    staged = staged or STATUS_MAP.get(event.stage) or _by_prefix(event.stage)
    if staged is not None:
        return staged
    if newest:
        return item_status
    return Status.INFO_RECEIVED if item_status in _BEFORE_TRANSIT else Status.IN_TRANSIT


def _text(event: Event) -> str:
    return event.description.strip() or event.description_translation.description.strip()


def _location(event: Event) -> str:
    address = event.address
    parts = (address.city.strip(), address.country.strip())
    return event.location.strip() or ", ".join(part for part in parts if part)


def _status_text(info: TrackInfo, events: Sequence[TrackEvent]) -> str:
    latest = info.latest_status
    latest_event = _text(info.latest_event) if info.latest_event is not None else ""
    return (
        latest.sub_status_descr.strip()
        or SUB_STATUS_NOTES.get(latest.sub_status, "")
        or latest_event
        or (events[-1].description if events else "")
    )
