"""A shop's own order API: the source for the shop's order numbers (contract: docs/shop-api.yaml).

One call per order, `GET /orders/{number}` with a Bearer token. `verify` adds the contact the
user typed (normalised by `normalise_contact`, compared the same way by the shop) to prove the
order is theirs; `fetch` polls orders already proven, without a contact. The shop answers 404
both for an unknown order and for a contact that does not match, so numbers cannot be probed.
Failures map onto the error tree of `providers.base`:

    HTTP 401/403                                       AuthError
    HTTP 429 (Retry-After, else 1 s), other HTTP
    errors, timeouts, connection errors, bodies that
    are not the contract's JSON, another order's answer TemporarySourceError
    HTTP 404 on a poll                                 NumberRejected("not found")
    HTTP 404 on a check                                None

The token and the contact (personal data) never reach logs or error messages; numbers may.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import quote

import httpx
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, ValidationError

from providers.base import (
    NumberRejected,
    Outcome,
    TemporarySourceError,
    TrackEvent,
    TrackResult,
)
from providers.http_status import raise_for_status
from providers.statuses import Status

__all__ = ["CONTRACT_STATUSES", "STATUS_MAP", "ShopProvider", "normalise_contact"]

logger = logging.getLogger(__name__)

# The contract's order statuses (docs/shop-api.yaml, components.schemas.OrderStatus).
STATUS_MAP: Mapping[str, Status] = {
    "pending_payment": Status.AWAITING_PAYMENT,
    "processing": Status.PROCESSING,
    "shipped": Status.IN_TRANSIT,  # handed to the carrier: shoppers read it as "on its way"
    "in_transit": Status.IN_TRANSIT,
    "ready_for_pickup": Status.READY_FOR_PICKUP,
    "delivered": Status.DELIVERED,
    "cancelled": Status.CANCELLED,
    "returned": Status.RETURNED,
}
CONTRACT_STATUSES = tuple(STATUS_MAP)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9\s()\-.]+")
_DIGITS = frozenset("0123456789")


def normalise_contact(raw: str) -> str | None:
    """The contact as the shop compares it: +<country code><digits>, or a lower-case e-mail.

    Russian habits are read as Russian numbers: 8XXXXXXXXXX becomes +7XXXXXXXXXX and a
    ten-digit 9XXXXXXXXX becomes +79XXXXXXXXX. None when the text is neither.
    """
    text = raw.strip()
    if _EMAIL.fullmatch(text):
        return text.lower()
    if not _PHONE.fullmatch(text):
        return None
    digits = "".join(char for char in text if char in _DIGITS)
    if text.startswith("+"):
        return "+" + digits if 7 <= len(digits) <= 15 else None
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    elif len(digits) == 10 and digits[0] == "9":
        digits = "7" + digits
    return "+" + digits if 11 <= len(digits) <= 15 else None  # a country code is needed


def _text(value: Any) -> Any:
    return "" if value is None else value


def _items(value: Any) -> Any:
    return [] if value is None else value


Text = Annotated[str, BeforeValidator(_text)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True)


class WireEntry(_Wire):
    status: str
    status_text: Text = ""
    at: AwareDatetime
    place: Text = ""


class WireOrder(_Wire):
    number: str
    status: str
    status_text: Text = ""
    updated_at: AwareDatetime
    track_code: str | None = None
    carrier: str | None = None
    history: Annotated[list[WireEntry], BeforeValidator(_items)] = []


class ShopProvider:
    name = "shop"
    max_batch = 1
    rate_per_second = 5.0

    def __init__(self, client: httpx.AsyncClient, token: str, shop_name: str = "") -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._shop_name = shop_name
        self._unknown: set[str] = set()  # statuses already warned about

    async def fetch(self, codes: Sequence[str]) -> Mapping[str, Outcome]:
        numbers = list(dict.fromkeys(codes))
        if len(numbers) > self.max_batch:
            raise ValueError(f"at most {self.max_batch} number per call, got {len(numbers)}")
        results: dict[str, Outcome] = {}
        for number in numbers:
            result = await self._get(number, None)
            results[number] = result or NumberRejected(code=number, reason="not found")
        return results

    async def verify(self, number: str, contact: str) -> TrackResult | None:
        """The order when `contact` is the one the shop has for it; None when either is unknown.

        `contact` may be raw user input; ValueError when it is not a phone number or e-mail.
        """
        normalised = normalise_contact(contact)
        if normalised is None:
            raise ValueError("the contact is neither a phone number nor an e-mail")
        return await self._get(number, normalised)

    async def stop(self, codes: Sequence[str]) -> None:
        """The shop keeps no subscriptions: nothing to stop."""

    async def _get(self, number: str, contact: str | None) -> TrackResult | None:
        if not number:
            raise ValueError("empty order number")
        path = "/orders/" + quote(number, safe="")
        params = {} if contact is None else {"contact": contact}
        try:
            response = await self._client.get(path, params=params, headers=self._headers)
        except httpx.TimeoutException as exc:
            raise TemporarySourceError(f"shop order {number}: timed out") from exc
        except httpx.HTTPError as exc:
            raise TemporarySourceError(f"shop order {number}: {type(exc).__name__}") from exc
        logger.debug("shop order %s: HTTP %d", number, response.status_code)
        if response.status_code == 404:
            return None
        raise_for_status(f"shop order {number}", response, "token refused")
        order = _parse(number, response.content)
        if _key(order.number) != _key(number):
            raise TemporarySourceError(f"shop order {number}: the answer is for another order")
        return self._result(number, order)

    def _result(self, number: str, order: WireOrder) -> TrackResult:
        linked = "".join(re.split(r"[\s\-]+", order.track_code or "")).upper() or None
        fallback = Status.IN_TRANSIT if linked else Status.PROCESSING
        status = self._map(number, order.status, fallback)
        return TrackResult(
            code=number,
            status=status,
            events=self._events(number, order, status),
            carrier=order.carrier or self._shop_name or None,
            status_text=order.status_text,
            linked_code=linked,
        )

    def _events(self, number: str, order: WireOrder, status: Status) -> tuple[TrackEvent, ...]:
        """History oldest first; an order without history reads as its current status."""
        if not order.history:
            return (TrackEvent(order.updated_at, status, order.status_text),)
        events: list[TrackEvent] = []
        for entry in sorted(order.history, key=lambda e: e.at):
            previous = events[-1].status if events else Status.PROCESSING
            mapped = self._map(number, entry.status, previous)
            events.append(TrackEvent(entry.at, mapped, entry.status_text, entry.place))
        return tuple(events)

    def _map(self, number: str, status: str, fallback: Status) -> Status:
        """A status outside the contract takes `fallback`; the shop's own wording is kept."""
        mapped = STATUS_MAP.get(status)
        if mapped is not None:
            return mapped
        if status not in self._unknown:
            self._unknown.add(status)
            logger.warning("shop order %s: status %r is not in the contract", number, status)
        return fallback


def _parse(number: str, content: bytes) -> WireOrder:
    """Only the failing fields are named: the body itself may carry personal data."""
    try:
        return WireOrder.model_validate_json(content)
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, e["loc"])) or "body" for e in exc.errors())
        raise TemporarySourceError(f"shop order {number}: unexpected answer ({fields})") from None


def _key(number: str) -> str:
    """Shops may echo a number re-formatted ("#1001" as "1001", other case)."""
    return "".join(char for char in number if char.isalnum()).casefold()
