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

The exchange itself is `providers.track17_api`, the reading of each number's answer
`providers.track17_answers`, and of a tracked item (times, event order, statuses)
`providers.track17_mapping`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx

from providers.base import NumberRejected, Outcome, SourceError
from providers.track17_answers import (
    ALREADY_REGISTERED,
    NOT_REGISTERED,
    awaiting_data,
    by_key,
    chunks,
    number_key,
    refusal,
    require_all,
    settle,
)
from providers.track17_api import Track17Api
from providers.track17_mapping import result_from_item
from providers.track17_wire import QuotaEnvelope

__all__ = ["CARRIER_CHOICES", "CarrierChangeError", "Quota", "Track17Provider"]

logger = logging.getLogger(__name__)

SAME_CARRIER = -18019803
STOP_NO_OPS = frozenset({NOT_REGISTERED, -18019906})  # unknown, or not being tracked


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
        self._api = Track17Api(client, api_key)

    async def fetch(self, codes: Sequence[str]) -> Mapping[str, Outcome]:
        numbers = list(dict.fromkeys(codes))
        if len(numbers) > self.max_batch:
            raise ValueError(f"at most {self.max_batch} numbers per call, got {len(numbers)}")
        if not numbers:
            return {}
        data = await self._api.batch("gettrackinfo", [{"number": n} for n in numbers])
        wanted = by_key(numbers)
        results: dict[str, Outcome] = {}
        for item in data.accepted:
            if (number := wanted.get(number_key(item.number))) is not None:
                results[number] = result_from_item(number, item)
        unregistered: list[str] = []
        refusals: dict[str, NumberRejected | None] = {}
        unsettled: set[str] = set()
        for rejected in data.rejected:
            if (number := wanted.get(number_key(rejected.number))) is None:
                continue
            if rejected.error.code == NOT_REGISTERED:
                unregistered.append(number)
            elif not settle(refusals, number, rejected.error):
                unsettled.add(number)
        if unregistered:
            registered = await self.register(unregistered)
            refusals.update(registered)
            unsettled.update(n for n in unregistered if n not in registered)
        results.update({n: answer or awaiting_data(n) for n, answer in refusals.items()})
        require_all([n for n in numbers if n not in unsettled], results)
        return results

    async def register(
        self, codes: Sequence[str], carrier: int | None = None
    ) -> Mapping[str, NumberRejected | None]:
        """None for a number 17TRACK now tracks (already registered included); a number left
        out got an error that may pass and is to be registered again later."""
        outcome: dict[str, NumberRejected | None] = {}
        extra = {"carrier": carrier} if carrier else {}
        for chunk in chunks(list(dict.fromkeys(codes)), self.max_batch):
            data = await self._api.batch("register", [{"number": n, **extra} for n in chunk])
            wanted = by_key(chunk)
            for item in data.accepted:
                if (number := wanted.get(number_key(item.number))) is not None:
                    outcome[number] = None
            unsettled: set[str] = set()
            for rejected in data.rejected:
                number = wanted.get(number_key(rejected.number))
                if number is not None and not settle(outcome, number, rejected.error):
                    unsettled.add(number)
            require_all([n for n in chunk if n not in unsettled], outcome)
            logger.info("17TRACK accepted %d of %d registrations", len(data.accepted), len(chunk))
        return outcome

    async def stop(self, codes: Sequence[str]) -> None:
        for chunk in chunks(list(dict.fromkeys(codes)), self.max_batch):
            data = await self._api.batch("stoptrack", [{"number": n} for n in chunk])
            for rejected in data.rejected:
                if rejected.error.code not in STOP_NO_OPS:
                    logger.warning("17TRACK did not stop a number: error %d", rejected.error.code)

    async def quota(self) -> Quota:
        data = (await self._api.post("getquota", {}, QuotaEnvelope)).data
        return Quota(
            total=data.quota_total,
            used=data.quota_used,
            remain=data.quota_remain,
            today_used=data.today_used,
            max_track_daily=data.max_track_daily,
        )

    async def set_carrier(self, code: str, carrier: int) -> NumberRejected | None:
        """The user's choice: register with that carrier, or correct the one 17TRACK chose."""
        data = await self._api.batch("register", [{"number": code, "carrier": carrier}])
        key = number_key(code)
        refused = next((r for r in data.rejected if number_key(r.number) == key), None)
        if refused is None:
            return None
        if refused.error.code != ALREADY_REGISTERED:
            return refusal(code, refused.error)
        try:
            await self.change_carrier(code, carrier)
        except CarrierChangeError:
            return NumberRejected(code, "carrier change refused")
        return None

    async def change_carrier(self, code: str, carrier: int) -> None:
        """Correct the carrier 17TRACK detected (17TRACK allows five changes per number)."""
        data = await self._api.batch("changecarrier", [{"number": code, "carrier_new": carrier}])
        for rejected in data.rejected:
            if rejected.error.code != SAME_CARRIER:
                raise CarrierChangeError(code, rejected.error.code)
