"""A fake 17TRACK Tracking API v2.2 server on 127.0.0.1 that the real provider talks to in tests.

`Fake17Track` speaks the real wire format: JSON POSTs to ``/track/v2.2/<endpoint>`` with a
``17token`` header, answered with ``{"code": 0, "data": {"accepted": [...], "rejected": [...]}}``
or a request-level ``data.errors``, and 17TRACK's error codes (401 + -18010002 for a wrong key,
-18010014 above 40 numbers, -18019901 registered twice, -18019902 unknown number, -18019906 not
being tracked, -18019908 quota spent, -18010012 bad format...). Tracked items have the normal
nesting of the captured pushes (fixtures README, difference 1): shipping_info, latest_status,
latest_event, time_metrics, a nine-entry milestone, misc_info, and carrier blocks whose events
are newest first. Tests script items with `set_track`, inject failures with `fail_next` or
`reply_next`, and read what arrived in `requests`, `registered` and `stopped`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import time
import zlib
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from aiohttp import web

from tests.fakes.loopback import serve

JsonDict = dict[str, Any]
EventSpec = Mapping[str, Any]

API_PREFIX = "/track/v2.2/"
MAX_ITEMS = 40
DEFAULT_CARRIER = 3011
DEFAULT_CARRIER_NAME = "China Post"
KEY_STAGES = (
    "InfoReceived",
    "PickedUp",
    "Departure",
    "Arrival",
    "AvailableForPickup",
    "OutForDelivery",
    "Delivered",
    "Returning",
    "Returned",
)
MESSAGES = {
    -18010002: "Invalid security key.",
    -18010003: "Internal service error, please retry later.",
    -18010012: "The format of '{number}' is invalid.",
    -18010013: "Submitted data is invalid.",
    -18010014: "The tracking numbers exceed the limit of 40.",
    -18019901: "Tracking number {number} is already registered.",
    -18019902: "The tracking number '{number}' does not register, please register first.",
    -18019904: "Retrack is not allowed. You can only retrack stopped number.",
    -18019905: "Each number can only be retracked once.",
    -18019906: "You can only stop tracking numbers that are being tracked.",
    -18019907: "Tracking amount exceeds your daily limit.",
    -18019908: "Your quota ran out.",
}
_NUMBER = re.compile(r"[A-Za-z0-9]{5,50}")


class RecordedRequest(NamedTuple):
    endpoint: str
    body: Any  # the parsed JSON body, None when it was not JSON
    headers: dict[str, str]  # lower-case names


@dataclass(frozen=True, slots=True)
class _Failure:
    kind: int | str  # an HTTP status, "timeout", "garbage", "truncated" or "error"
    retry_after: float | None = None
    delay: float = 5.0
    body: bytes = b""
    code: int = -18010003


@dataclass(slots=True)
class _Script:
    status: str
    sub_status: str | None
    sub_status_descr: str | None
    carrier_key: int
    blocks: list[tuple[str, int, list[EventSpec]]] = field(default_factory=list)


def sign(body: bytes, key: str) -> str:
    """The `sign` header 17TRACK puts on a push: hex SHA-256 of the raw body, "/" and the key."""
    return hashlib.sha256(body + b"/" + key.encode()).hexdigest()


class Fake17Track:
    def __init__(
        self,
        api_key: str = "test-17token-key",
        *,
        quota_total: int = 100,
        max_track_daily: int = 10_000_000,
        rate_limit: int | None = None,  # requests per second before HTTP 429
    ) -> None:
        self.api_key = api_key
        self.quota_total = quota_total
        self.quota_used = 0
        self.today_used = 0
        self.max_track_daily = max_track_daily
        self.rate_limit = rate_limit
        self.refused = 0  # requests answered 429 for the rate
        self.url = ""
        self.requests: list[RecordedRequest] = []
        self.registered: dict[str, int] = {}  # number -> carrier key
        self.stopped: set[str] = set()
        self.retracked: set[str] = set()
        self.carrier_changes: dict[str, int] = {}
        self.register_rejections: dict[str, int] = {}  # number -> code `register` answers
        self.info_rejections: dict[str, int] = {}  # number -> code `gettrackinfo` answers
        self._scripts: dict[str, _Script] = {}
        self._failures: deque[_Failure] = deque()
        self._recent: deque[float] = deque()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._items: dict[str, Callable[[JsonDict], JsonDict | int]] = {
            "register": self._register,
            "gettrackinfo": self._gettrackinfo,
            "stoptrack": self._stoptrack,
            "retrack": self._retrack,
            "deletetrack": self._deletetrack,
            "changecarrier": self._changecarrier,
        }

    async def __aenter__(self) -> Fake17Track:
        app = web.Application()
        app.router.add_post(API_PREFIX + "{endpoint}", self._handle)
        self._runner, self.url = await serve(app)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- test controls -------------------------------------------------------------------

    def set_track(
        self,
        number: str,
        status: str,
        sub_status: str | None = None,
        events: Sequence[EventSpec] = (),
        *,
        carrier_key: int = DEFAULT_CARRIER,
        provider_name: str = DEFAULT_CARRIER_NAME,
        sub_status_descr: str | None = None,
        more_providers: Sequence[tuple[str, int, Sequence[EventSpec]]] = (),
    ) -> None:
        """Script what gettrackinfo and pushes say about `number` once it is registered.

        Events are given oldest first, each a mapping with "time" (ISO 8601 with offset),
        "description", and optionally "location", "stage", "city", "country"; the wire keys
        "time_iso", "time_utc", "time_raw" override the values built from "time".
        """
        blocks = [(provider_name, carrier_key, list(events))]
        blocks += [(name, key, list(specs)) for name, key, specs in more_providers]
        self._scripts[number] = _Script(status, sub_status, sub_status_descr, carrier_key, blocks)

    def fail_next(
        self,
        status: int | str = 500,
        *,
        retry_after: float | None = None,
        delay: float = 5.0,
        code: int = -18010003,
    ) -> None:
        """The next request fails: an HTTP status, "timeout" (answers after `delay` seconds),
        "garbage" (not JSON), "truncated" (connection closed mid-body) or "error" (HTTP 200
        with request-level error `code`)."""
        self._failures.append(_Failure(status, retry_after, delay, code=code))

    def reply_next(self, body: bytes, status: int = 200) -> None:
        """The next request gets exactly this body."""
        self._failures.append(_Failure(status, body=body))

    def push_body(self, number: str) -> bytes:
        """A TRACKING_UPDATED push for `number`, serialised once: sign exactly these bytes."""
        data = self._item(number) | {"tag": ""}
        _as_pushed(data["track_info"])
        return json.dumps({"event": "TRACKING_UPDATED", "data": data}, ensure_ascii=False).encode()

    def stopped_push_body(self, number: str) -> bytes:
        data = {"number": number, "carrier": self._carrier(number), "param": None, "tag": ""}
        return json.dumps({"event": "TRACKING_STOPPED", "data": data}).encode()

    def endpoints(self) -> list[str]:
        return [request.endpoint for request in self.requests]

    # --- HTTP ----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        endpoint = request.match_info["endpoint"]
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {name.lower(): value for name, value in request.headers.items()}
        self.requests.append(RecordedRequest(endpoint, body, headers))
        if self._failures:
            return await self._fail(request, self._failures.popleft())
        if self._rate_limited():
            self.refused += 1
            return web.Response(status=429, headers={"Retry-After": "1"}, text="Too Many Requests")
        if request.headers.get("17token") != self.api_key:
            return _json(_errors(-18010002), status=401)
        if endpoint == "getquota":
            return _json({"code": 0, "data": self._quota()})
        handler = self._items.get(endpoint)
        if handler is None:
            return web.Response(status=404, text="Not Found")
        return _json(self._batch(body, handler))

    def _batch(self, body: Any, handler: Callable[[JsonDict], JsonDict | int]) -> JsonDict:
        if not isinstance(body, list) or not all(
            isinstance(item, dict) and isinstance(item.get("number"), str) for item in body
        ):
            return _errors(-18010013)
        if len(body) > MAX_ITEMS:
            return _errors(-18010014)
        accepted: list[JsonDict] = []
        rejected: list[JsonDict] = []
        for item in body:
            number = item["number"]
            answer = handler(item) if _NUMBER.fullmatch(number) else -18010012
            if isinstance(answer, int):
                rejected.append({"number": number, "error": _error(answer, number)})
            else:
                accepted.append(answer)
        return {"code": 0, "data": {"accepted": accepted, "rejected": rejected}}

    async def _fail(self, request: web.Request, failure: _Failure) -> web.StreamResponse:
        empty = {"code": 0, "data": {"accepted": [], "rejected": []}}
        if failure.kind == "timeout":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), failure.delay)
            return _json(empty)
        if failure.kind == "garbage":
            return web.Response(
                body=b"<html>502 Bad Gateway\x00{", content_type="application/json"
            )
        if failure.kind == "error":
            return _json(_errors(failure.code))
        if failure.kind == "truncated":
            full = json.dumps(empty).encode()
            response = web.StreamResponse(headers={"Content-Type": "application/json"})
            response.content_length = len(full)
            await response.prepare(request)
            await response.write(full[: len(full) // 2])
            if request.transport is not None:
                request.transport.close()
            return response
        headers = (
            {} if failure.retry_after is None else {"Retry-After": f"{failure.retry_after:g}"}
        )
        return web.Response(
            status=int(failure.kind),
            body=failure.body,
            headers=headers,
            content_type="application/json",
        )

    def _rate_limited(self) -> bool:
        if self.rate_limit is None:
            return False
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.rate_limit:
            return True
        self._recent.append(now)
        return False

    # --- endpoints, one item at a time (an int answer is a rejection code) ---------------

    def _register(self, item: JsonDict) -> JsonDict | int:
        number = item["number"]
        refusal = self.register_rejections.get(number)
        # "Carrier cannot be detected" is 17TRACK's answer only when no carrier is given.
        if refusal is not None and not (refusal == -18019903 and item.get("carrier")):
            return refusal
        if number in self.registered:
            return -18019901
        if self.quota_used >= self.quota_total:
            return -18019908
        if self.today_used >= self.max_track_daily:
            return -18019907
        carrier = int(item.get("carrier") or self._carrier(number))
        self.registered[number] = carrier
        self.quota_used += 1
        self.today_used += 1
        tag = item.get("tag") or None
        return {
            "origin": 1,
            "number": number,
            "carrier": carrier,
            "email": None,
            "tag": tag,
            "lang": None,
        }

    def _gettrackinfo(self, item: JsonDict) -> JsonDict | int:
        number = item["number"]
        if number in self.info_rejections:
            return self.info_rejections[number]
        return self._item(number) if number in self.registered else -18019902

    def _stoptrack(self, item: JsonDict) -> JsonDict | int:
        number = item["number"]
        if number not in self.registered:
            return -18019902
        if number in self.stopped:
            return -18019906
        self.stopped.add(number)
        return {"number": number, "carrier": self.registered[number]}

    def _retrack(self, item: JsonDict) -> JsonDict | int:
        number = item["number"]
        if number not in self.registered:
            return -18019902
        if number not in self.stopped:
            return -18019904
        if number in self.retracked:
            return -18019905
        self.stopped.discard(number)
        self.retracked.add(number)
        return {"number": number, "carrier": self.registered[number]}

    def _deletetrack(self, item: JsonDict) -> JsonDict | int:
        number = item["number"]
        if number not in self.registered:
            return -18019902
        carrier = self.registered.pop(number)
        self.stopped.discard(number)
        return {"number": number, "carrier": carrier}

    def _changecarrier(self, item: JsonDict) -> JsonDict | int:
        number, new = item["number"], item.get("carrier_new")
        if number not in self.registered:
            return -18019902
        if not isinstance(new, int) or new <= 0:
            return -18019804
        if number in self.stopped:
            return -18019806
        if new == self.registered[number]:
            return -18019803
        if self.carrier_changes.get(number, 0) >= 5:
            return -18019807
        self.registered[number] = new
        self.carrier_changes[number] = self.carrier_changes.get(number, 0) + 1
        return {"number": number, "carrier": new}

    # --- bodies --------------------------------------------------------------------------

    def _quota(self) -> JsonDict:
        return {
            "quota_total": self.quota_total,
            "quota_used": self.quota_used,
            "quota_remain": max(self.quota_total - self.quota_used, 0),
            "today_used": self.today_used,
            "max_track_daily": self.max_track_daily,
            "free_email_quota": 300,
            "free_email_quotaused": 0,
        }

    def _carrier(self, number: str) -> int:
        script = self._scripts.get(number)
        return self.registered.get(number) or (script.carrier_key if script else DEFAULT_CARRIER)

    def _item(self, number: str) -> JsonDict:
        script = self._scripts.get(number) or _Script("NotFound", "NotFound_Other", None, 0)
        return {
            "number": number,
            "carrier": self._carrier(number),
            "param": None,
            "tag": None,
            "track_info": _track_info(script),
        }


def _track_info(script: _Script) -> JsonDict:
    blocks = [
        (name, key, [_wire_event(spec) for spec in reversed(specs)])
        for name, key, specs in script.blocks
    ]
    timed = [(_moment(spec), _wire_event(spec)) for _, _, specs in script.blocks for spec in specs]
    timed.sort(key=lambda pair: pair[0] or datetime.min.replace(tzinfo=UTC))
    latest = timed[-1][1] if timed else None
    first_key = blocks[0][1] if blocks else 0
    return {
        "shipping_info": {"shipper_address": _address("CN"), "recipient_address": _address("RU")},
        "latest_status": {
            "status": script.status,
            "sub_status": script.sub_status,
            "sub_status_descr": script.sub_status_descr,
        },
        "latest_event": latest,
        "time_metrics": _time_metrics([moment for moment, _ in timed if moment]),
        "milestone": [_milestone(stage, timed) for stage in KEY_STAGES],
        "misc_info": {
            "risk_factor": 0,
            "service_type": None,
            "weight_raw": None,
            "weight_kg": None,
            "pieces": None,
            "dimensions": None,
            "customer_number": None,
            "reference_number": None,
            "local_number": "",
            "local_provider": "",
            "local_key": first_key,
        },
        "tracking": {
            "providers_hash": _hash(blocks),
            "providers": [_block(name, key, events) for name, key, events in blocks],
        },
    }


def _as_pushed(track_info: JsonDict) -> None:
    """What the captured pushes leave out (fixtures/README.md): `time_raw` is all null on
    every event and milestone (kept where it is an event's only time), and `latest_event` has
    no `stage` though the same event in `providers[].events` has one."""
    events = [e for block in track_info["tracking"]["providers"] for e in block["events"]]
    for entry in [*events, *track_info["milestone"]]:
        if entry.get("time_iso") or entry.get("time_utc"):
            entry["time_raw"] = _time_raw(None)
    if track_info["latest_event"] is not None:
        latest = dict(track_info["latest_event"])
        latest["stage"] = None
        if latest.get("time_iso") or latest.get("time_utc"):
            latest["time_raw"] = _time_raw(None)
        track_info["latest_event"] = latest


def _block(name: str, key: int, events: list[JsonDict]) -> JsonDict:
    return {
        "provider": {
            "key": key,
            "name": name,
            "alias": name,
            "tel": None,
            "homepage": None,
            "country": "",
        },
        "provider_lang": None,
        "service_type": None,
        "latest_sync_status": "Success",
        "latest_sync_time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "events_hash": _hash(events),
        "provider_tips": None,
        "events": events,
    }


def _wire_event(spec: EventSpec) -> JsonDict:
    moment = _moment(spec)
    event: JsonDict = {
        "time_iso": moment.isoformat() if moment else None,
        "time_utc": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None,
        "time_raw": _time_raw(moment),
        "description": spec.get("description", ""),
        "location": spec.get("location", ""),
        "stage": spec.get("stage"),
        "sub_status": None,
        "address": _address(spec.get("country"), spec.get("city")),
    }
    return event | {key: spec[key] for key in ("time_iso", "time_utc", "time_raw") if key in spec}


def _moment(spec: EventSpec) -> datetime | None:
    return datetime.fromisoformat(spec["time"]) if spec.get("time") else None


def _time_raw(moment: datetime | None) -> JsonDict:
    if moment is None:
        return {"date": None, "time": None, "timezone": None}
    date, clock = moment.date().isoformat(), moment.strftime("%H:%M:%S")
    return {"date": date, "time": clock, "timezone": _offset(moment)}


def _offset(moment: datetime) -> str | None:
    delta = moment.utcoffset()
    if delta is None:
        return None
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _hash(value: Any) -> int:
    """Stable like 17TRACK's hashes: equal content, equal number."""
    return zlib.crc32(json.dumps(value, sort_keys=True).encode()) - 2**31


def _milestone(stage: str, timed: list[tuple[datetime | None, JsonDict]]) -> JsonDict:
    hits = [event for _, event in timed if event["stage"] == stage]
    newest = hits[-1] if hits else {}
    return {
        "key_stage": stage,
        "time_iso": newest.get("time_iso"),
        "time_utc": newest.get("time_utc"),
        "time_raw": newest.get("time_raw", _time_raw(None)),
    }


def _time_metrics(moments: list[datetime]) -> JsonDict:
    days = (moments[-1] - moments[0]).days if moments else 0
    return {
        "days_after_order": days,
        "days_of_transit": days,
        "days_of_transit_done": 0,
        "days_after_last_update": 0,
        "estimated_delivery_date": {"source": None, "from": None, "to": None},
    }


def _address(country: str | None = None, city: str | None = None) -> JsonDict:
    return {
        "country": country,
        "state": None,
        "city": city,
        "street": None,
        "postal_code": None,
        "coordinates": {"longitude": None, "latitude": None},
    }


def _error(code: int, number: str = "") -> JsonDict:
    template = MESSAGES.get(code, "Error {code}.")
    return {"code": code, "message": template.format(number=number, code=code)}


def _errors(code: int) -> JsonDict:
    return {"code": code, "data": {"errors": [_error(code)]}}


def _json(body: JsonDict, status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False).encode(),
        content_type="application/json",
    )
