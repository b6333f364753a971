"""17TRACK Tracking API v2.2: the source for foreign carriers and marketplace parcels.

17TRACK answers only for numbers registered with it, and each registration costs one unit of a
monthly quota. So `fetch` registers the numbers 17TRACK does not know yet in the same call and
reports them as NOT_FOUND with an empty status text: registered, data to follow. Failures map
onto the error tree of `providers.base` by HTTP status and 17TRACK error code:

    HTTP 401/403; request errors -18010001/2/4/5      AuthError
    -18019907 daily limit, -18019908 quota ran out    QuotaError (even when met for one number)
    HTTP 429 (Retry-After, else 1 s), other HTTP
    errors, timeouts, connection errors, answers
    that are not the expected JSON, request-level
    -18010003 and codes this module does not know     TemporarySourceError
    -18010012 bad format, -18019903 carrier not
    detected, -18019910/11 carrier refused,
    -18010018/19/20/22 carrier needs more data        NumberRejected (that number only)
    any other code on one number                      that number left out of the answer
                                                      (asked again later; the rest stand)

How a tracked item is read (times, event order, statuses) is in `providers.track17_mapping`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import httpx
from pydantic import ValidationError

from providers.base import (
    AuthError,
    NumberRejected,
    Outcome,
    QuotaError,
    SourceError,
    TemporarySourceError,
    TrackResult,
)
from providers.http_status import raise_for_status
from providers.statuses import Status
from providers.track17_mapping import (
    STATUS_MAP,
    SUB_STATUS_MAP,
    map_status,
    parse_track_info,
    result_from_item,
)
from providers.track17_wire import BatchData, BatchEnvelope, ErrorInfo, QuotaEnvelope

__all__ = [
    "STATUS_MAP",
    "SUB_STATUS_MAP",
    "CarrierChangeError",
    "Quota",
    "Track17Provider",
    "map_status",
    "parse_track_info",
]

logger = logging.getLogger(__name__)

API_PATH = "/track/v2.2/"
ALREADY_REGISTERED = -18019901
NOT_REGISTERED = -18019902
NO_INFO_YET = -18019909
SAME_CARRIER = -18019803
CARRIER_UNKNOWN = -18019903
AUTH_CODES = frozenset({-18010001, -18010002, -18010004, -18010005})
QUOTA_CODES: Mapping[int, str] = {
    -18019907: "17TRACK daily tracking limit reached",
    -18019908: "17TRACK tracking quota ran out",
}
REJECTION_REASONS: Mapping[int, str] = {
    -18010012: "invalid number format",
    -18019903: "carrier cannot be detected",
    -18019910: "carrier code refused",
    -18019911: "carrier not accepted for registration",
    -18010018: "carrier needs destination country and postcode",
    -18010019: "carrier needs destination postcode",
    -18010020: "carrier needs a phone number",
    -18010022: "carrier needs more information",
}
STOP_NO_OPS = frozenset({NOT_REGISTERED, -18019906})  # unknown, or not being tracked

Envelope = TypeVar("Envelope", BatchEnvelope, QuotaEnvelope)


@dataclass(frozen=True, slots=True)
class Quota:
    total: int
    used: int
    remain: int
    today_used: int
    max_track_daily: int


class CarrierChangeError(SourceError):
    def __init__(self, code: str, error: int) -> None:
        super().__init__(f"17TRACK refused the carrier change (error {error})")
        self.code = code
        self.error = error


# Carriers a user may pick when 17TRACK cannot tell: 17TRACK carrier key (providers.md 1.10) and
# the name that keys its button label (`carrier-<name>` in the catalogues; no texts here).
CARRIER_CHOICES: Mapping[int, str] = {
    3011: "china-post",
    190271: "cainiao",
    190012: "yanwen",
    3013: "china-ems",
    18031: "russian-post",
    100030: "cdek",
    100157: "boxberry",
    100071: "dpd",
    100135: "5post",
    11011: "kazpost",
    2051: "belpost",
    100001: "dhl-express",
    100002: "ups",
    100003: "fedex",
    21051: "usps",
}


class Track17Provider:
    name = "track17"
    max_batch = 40
    rate_per_second = 3.0

    def __init__(self, client: httpx.AsyncClient, api_key: str) -> None:
        self._client = client
        self._headers = {"17token": api_key, "Content-Type": "application/json"}

    async def fetch(self, codes: Sequence[str]) -> Mapping[str, Outcome]:
        numbers = list(dict.fromkeys(codes))
        if len(numbers) > self.max_batch:
            raise ValueError(f"at most {self.max_batch} numbers per call, got {len(numbers)}")
        if not numbers:
            return {}
        data = await self._batch("gettrackinfo", [{"number": n} for n in numbers])
        wanted = _by_key(numbers)
        results: dict[str, Outcome] = {}
        for item in data.accepted:
            if (number := wanted.get(_key(item.number))) is not None:
                results[number] = result_from_item(number, item)
        unregistered: list[str] = []
        refusals: dict[str, NumberRejected | None] = {}
        unsettled: set[str] = set()
        for rejected in data.rejected:
            if (number := wanted.get(_key(rejected.number))) is None:
                continue
            if rejected.error.code == NOT_REGISTERED:
                unregistered.append(number)
            elif not _settled(refusals, number, rejected.error):
                unsettled.add(number)
        if unregistered:
            registered = await self.register(unregistered)
            refusals.update(registered)
            unsettled.update(n for n in unregistered if n not in registered)
        results.update({n: refusal or _waiting(n) for n, refusal in refusals.items()})
        _require_all([n for n in numbers if n not in unsettled], results)
        return results

    async def register(
        self, codes: Sequence[str], carrier: int | None = None
    ) -> Mapping[str, NumberRejected | None]:
        """None for a number 17TRACK now tracks (already registered included); a number left
        out got an error that may pass and is to be registered again later."""
        outcome: dict[str, NumberRejected | None] = {}
        extra = {"carrier": carrier} if carrier else {}
        for chunk in _chunks(list(dict.fromkeys(codes)), self.max_batch):
            data = await self._batch("register", [{"number": n, **extra} for n in chunk])
            wanted = _by_key(chunk)
            for item in data.accepted:
                if (number := wanted.get(_key(item.number))) is not None:
                    outcome[number] = None
            unsettled: set[str] = set()
            for rejected in data.rejected:
                number = wanted.get(_key(rejected.number))
                if number is not None and not _settled(outcome, number, rejected.error):
                    unsettled.add(number)
            _require_all([n for n in chunk if n not in unsettled], outcome)
            logger.info("17TRACK accepted %d of %d registrations", len(data.accepted), len(chunk))
        return outcome

    async def stop(self, codes: Sequence[str]) -> None:
        for chunk in _chunks(list(dict.fromkeys(codes)), self.max_batch):
            data = await self._batch("stoptrack", [{"number": n} for n in chunk])
            for rejected in data.rejected:
                if rejected.error.code not in STOP_NO_OPS:
                    logger.warning("17TRACK did not stop a number: error %d", rejected.error.code)

    async def quota(self) -> Quota:
        data = (await self._post("getquota", {}, QuotaEnvelope)).data
        return Quota(
            total=data.quota_total,
            used=data.quota_used,
            remain=data.quota_remain,
            today_used=data.today_used,
            max_track_daily=data.max_track_daily,
        )

    async def set_carrier(self, code: str, carrier: int) -> NumberRejected | None:
        """The user's choice: register with that carrier, or correct the one 17TRACK chose."""
        data = await self._batch("register", [{"number": code, "carrier": carrier}])
        refused = next((r for r in data.rejected if _key(r.number) == _key(code)), None)
        if refused is None:
            return None
        if refused.error.code != ALREADY_REGISTERED:
            return _refusal(code, refused.error)
        try:
            await self.change_carrier(code, carrier)
        except CarrierChangeError:
            return NumberRejected(code, "carrier change refused")
        return None

    async def change_carrier(self, code: str, carrier: int) -> None:
        """Correct the carrier 17TRACK detected (17TRACK allows five changes per number)."""
        data = await self._batch("changecarrier", [{"number": code, "carrier_new": carrier}])
        for rejected in data.rejected:
            if rejected.error.code != SAME_CARRIER:
                raise CarrierChangeError(code, rejected.error.code)

    async def _batch(self, endpoint: str, items: list[dict[str, Any]]) -> BatchData:
        return (await self._post(endpoint, items, BatchEnvelope)).data

    async def _post(self, endpoint: str, payload: Any, model: type[Envelope]) -> Envelope:
        try:
            response = await self._client.post(
                API_PATH + endpoint, json=payload, headers=self._headers
            )
        except httpx.TimeoutException as exc:
            raise TemporarySourceError(f"17TRACK {endpoint}: timed out") from exc
        except httpx.HTTPError as exc:
            raise TemporarySourceError(f"17TRACK {endpoint}: {type(exc).__name__}") from exc
        raise_for_status(f"17TRACK {endpoint}", response, "key or address refused")
        try:
            envelope = model.model_validate_json(response.content)
        except ValidationError as exc:
            raise TemporarySourceError(f"17TRACK {endpoint}: unexpected answer") from exc
        errors = envelope.data.errors
        if errors or envelope.code != 0:
            _raise_for_code(errors[0].code if errors else envelope.code)
        return envelope


def _raise_for_code(code: int) -> NoReturn:
    if code in AUTH_CODES:
        raise AuthError(f"17TRACK refused the request (error {code})")
    if code in QUOTA_CODES:
        raise QuotaError(f"{QUOTA_CODES[code]} (error {code})")
    raise TemporarySourceError(f"17TRACK answered error {code}")


class NumberUnsettledError(TemporarySourceError):
    """One number got an error that may pass; the other numbers of the call stand."""


def _refusal(number: str, error: ErrorInfo) -> NumberRejected | None:
    """None when the number is tracked after all; raises for what concerns the whole call."""
    if error.code in (ALREADY_REGISTERED, NO_INFO_YET):
        return None
    reason = REJECTION_REASONS.get(error.code)
    if reason is not None:
        return NumberRejected(number, reason, needs_carrier=error.code == CARRIER_UNKNOWN)
    if error.code in AUTH_CODES or error.code in QUOTA_CODES:
        _raise_for_code(error.code)
    raise NumberUnsettledError(f"17TRACK answered error {error.code} for a number")


def _settled(answers: dict[str, NumberRejected | None], number: str, error: ErrorInfo) -> bool:
    """Record a rejected item's meaning; False (and nothing recorded) when it may pass."""
    try:
        answers[number] = _refusal(number, error)
    except NumberUnsettledError:
        logger.warning("17TRACK left a number unsettled: error %d", error.code)
        return False
    return True


def _waiting(number: str) -> TrackResult:
    return TrackResult(code=number, status=Status.NOT_FOUND, status_text="")


def _key(number: str) -> str:
    """17TRACK may echo a number normalised (upper case, no separators)."""
    return "".join(char for char in number if char.isalnum()).upper()


def _by_key(numbers: Sequence[str]) -> dict[str, str]:
    return {_key(number): number for number in numbers}


def _require_all(numbers: Sequence[str], answered: Mapping[str, object]) -> None:
    missing = sum(1 for number in numbers if number not in answered)
    if missing:
        raise TemporarySourceError(f"17TRACK left {missing} of {len(numbers)} numbers unanswered")


def _chunks(numbers: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(numbers), size):
        yield numbers[start : start + size]
