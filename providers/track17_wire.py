"""Pydantic models mirroring the JSON of the 17TRACK Tracking API v2.2.

Only the fields the bot reads are modelled; everything else is ignored. Parsing is tolerant on
purpose: nulls and empty strings both read as "unknown", nested objects and lists may be null,
coordinates may be strings or numbers, and a push transcribed with `latest_status`…`tracking`
beside `track_info` instead of inside it is re-nested. Only a body that is not the envelope at
all fails validation.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


def _text(value: Any) -> Any:
    return "" if value is None else value


def _object(value: Any) -> Any:
    return {} if value is None else value


def _items(value: Any) -> Any:
    return [] if value is None else value


def _optional_int(value: Any) -> Any:
    return None if value == "" else value


def _int(value: Any) -> Any:
    return 0 if value is None or value == "" else value


Text = Annotated[str, BeforeValidator(_text)]
Int = Annotated[int, BeforeValidator(_int)]
OptionalInt = Annotated[int | None, BeforeValidator(_optional_int)]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True)


class Coordinates(WireModel):
    longitude: float | str | None = None
    latitude: float | str | None = None


class Address(WireModel):
    country: Text = ""
    state: Text = ""
    city: Text = ""
    postal_code: Text = ""
    coordinates: Annotated[Coordinates, BeforeValidator(_object)] = Field(
        default_factory=Coordinates
    )


class TimeRaw(WireModel):
    """The carrier's own clock reading; `timezone` is an offset such as "-03:00" or null."""

    date: Text = ""
    time: Text = ""
    timezone: Text = ""

    def moment(self, default_zone: tzinfo) -> datetime | None:
        if not self.date:
            return None
        try:
            naive = datetime.fromisoformat(f"{self.date}T{self.time or '00:00:00'}")
        except ValueError:
            return None
        zone = _zone(self.timezone) or naive.tzinfo or default_zone
        return naive.replace(tzinfo=zone)


class Translation(WireModel):
    description: Text = ""


class Event(WireModel):
    time_iso: Text = ""
    time_utc: Text = ""
    time_raw: Annotated[TimeRaw, BeforeValidator(_object)] = Field(default_factory=TimeRaw)
    description: Text = ""
    description_translation: Annotated[Translation, BeforeValidator(_object)] = Field(
        default_factory=Translation
    )
    location: Text = ""
    stage: Text = ""
    sub_status: Text = ""
    address: Annotated[Address, BeforeValidator(_object)] = Field(default_factory=Address)

    def stated_moment(self) -> datetime | None:
        """The event's time as 17TRACK normalised it, in the carrier's local offset if known."""
        local = _aware(self.time_iso)
        if local is not None:
            return local
        utc = _parse(self.time_utc)
        return utc.replace(tzinfo=utc.tzinfo or UTC) if utc else None


class LatestStatus(WireModel):
    status: Text = ""
    sub_status: Text = ""
    sub_status_descr: Text = ""


class ProviderInfo(WireModel):
    key: OptionalInt = None
    name: Text = ""


class ProviderTrack(WireModel):
    provider: Annotated[ProviderInfo, BeforeValidator(_object)] = Field(
        default_factory=ProviderInfo
    )
    events: Annotated[list[Event], BeforeValidator(_items)] = Field(default_factory=list)


class Tracking(WireModel):
    providers: Annotated[list[ProviderTrack], BeforeValidator(_items)] = Field(
        default_factory=list
    )


class TrackInfo(WireModel):
    latest_status: Annotated[LatestStatus, BeforeValidator(_object)] = Field(
        default_factory=LatestStatus
    )
    latest_event: Event | None = None
    tracking: Annotated[Tracking, BeforeValidator(_object)] = Field(default_factory=Tracking)


class TrackItem(WireModel):
    """An accepted gettrackinfo item, or the `data` of a TRACKING_UPDATED push."""

    number: Text = ""
    carrier: OptionalInt = None
    tag: Text = ""
    track_info: TrackInfo | None = None

    @model_validator(mode="before")
    @classmethod
    def _renest(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("track_info"), dict):
            return data
        stray = {
            key: data[key]
            for key in TrackInfo.model_fields
            if key in data and key not in data["track_info"]
        }
        return {**data, "track_info": {**data["track_info"], **stray}} if stray else data


class ErrorInfo(WireModel):
    code: Int = 0
    message: Text = ""


class Rejected(WireModel):
    number: Text = ""
    error: Annotated[ErrorInfo, BeforeValidator(_object)] = Field(default_factory=ErrorInfo)


class BatchData(WireModel):
    accepted: Annotated[list[TrackItem], BeforeValidator(_items)] = Field(default_factory=list)
    rejected: Annotated[list[Rejected], BeforeValidator(_items)] = Field(default_factory=list)
    errors: Annotated[list[ErrorInfo], BeforeValidator(_items)] = Field(default_factory=list)


class BatchEnvelope(WireModel):
    """The answer of every per-number endpoint; `data.errors` is set when the call failed."""

    code: Int = 0
    data: Annotated[BatchData, BeforeValidator(_object)] = Field(default_factory=BatchData)


class QuotaData(WireModel):
    quota_total: Int = 0
    quota_used: Int = 0
    quota_remain: Int = 0
    today_used: Int = 0
    max_track_daily: Int = 0
    errors: Annotated[list[ErrorInfo], BeforeValidator(_items)] = Field(default_factory=list)


class QuotaEnvelope(WireModel):
    code: Int = 0
    data: Annotated[QuotaData, BeforeValidator(_object)] = Field(default_factory=QuotaData)


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _aware(text: str) -> datetime | None:
    moment = _parse(text)
    return moment if moment is not None and moment.tzinfo is not None else None


def _zone(offset: str) -> tzinfo | None:
    """A fixed zone from an offset such as "-03:00", "+0800" or "Z"; None for anything else."""
    moment = _aware(f"2000-01-01T00:00:00{offset.strip()}") if offset.strip() else None
    return moment.tzinfo if moment is not None else None
