"""A fake shop order API on 127.0.0.1, implemented the way docs/shop-api.yaml tells shops to.

`FakeShop` serves ``GET {prefix}/orders/{number}?contact=...`` behind a Bearer token: the path
segment is percent-decoded once, the stored contacts and the one sent are compared after the
documented normalisation (written here independently of the bot's, as a shop would write it),
and an unknown order or a contact that does not match get the same 404. Tests add orders with
`add_order`, move them with `set_status`, inject failures with `fail_next` or `reply_next`, and
read what arrived in `requests`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import unquote

from aiohttp import web

from tests.fakes.loopback import serve

JsonDict = dict[str, Any]

START = "2026-11-18T10:00:00+03:00"
STEP = timedelta(hours=1)
TEXTS = {
    "pending_payment": "Ожидает оплаты",
    "processing": "Собираем заказ",
    "shipped": "Передан в службу доставки",
    "in_transit": "В пути",
    "ready_for_pickup": "Ждёт в пункте выдачи",
    "delivered": "Получен",
    "cancelled": "Отменён",
    "returned": "Возвращён в магазин",
}


class RecordedRequest(NamedTuple):
    path: str  # as sent, still percent-encoded
    number: str | None  # the decoded path segment
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names


@dataclass(frozen=True, slots=True)
class _Failure:
    kind: int | str  # an HTTP status, "timeout", "garbage" or "truncated"
    retry_after: float | None = None
    delay: float = 5.0
    body: bytes | None = None  # None: a small JSON error body


@dataclass(slots=True)
class _Order:
    number: str
    contacts: tuple[str, ...]
    status: str
    status_text: str
    updated_at: str
    track_code: str | None
    carrier: str | None
    history: list[JsonDict] = field(default_factory=list)


def shop_normalise(contact: str) -> str:
    """What the contract asks shops to do: e-mail trimmed and lower-cased; a phone as +digits."""
    text = contact.strip()
    if "@" in text:
        return text.lower()
    digits = re.sub(r"\D", "", text)
    if not text.startswith("+"):
        if len(digits) == 11 and digits.startswith("8"):
            digits = "7" + digits[1:]
        elif len(digits) == 10 and digits.startswith("9"):
            digits = "7" + digits
    return "+" + digits


class FakeShop:
    def __init__(self, token: str = "test-shop-token", *, prefix: str = "/api/bot") -> None:
        self.token = token
        self.prefix = prefix.rstrip("/")
        self.url = ""
        self.requests: list[RecordedRequest] = []
        self.received_at: list[float] = []  # time.monotonic() of each request
        self.orders: dict[str, _Order] = {}
        self._failures: deque[_Failure] = deque()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeShop:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner, base = await serve(app)
        self.url = f"{base}{self.prefix}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- test controls -------------------------------------------------------------------

    def add_order(
        self,
        number: str,
        contact: str | tuple[str, ...],
        status: str = "processing",
        *,
        status_text: str | None = None,
        updated_at: str | None = None,
        track_code: str | None = None,
        carrier: str | None = None,
        history: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """An order with the contacts the shop keeps for it, spelt as the shop stores them.

        Without `history` the order has one entry: its status at `updated_at`. History entries
        are {status, status_text, at, place?}; `status_text` defaults to the shop's wording.
        """
        text = TEXTS.get(status, status) if status_text is None else status_text
        entries = [
            {"status_text": TEXTS.get(e["status"], e["status"])} | dict(e)
            for e in (history if history is not None else [{"status": status}])
        ]
        times = [e["at"] for e in entries if "at" in e]
        moment = updated_at or max(times, key=datetime.fromisoformat, default=START)
        for entry in entries:
            entry.setdefault("at", moment)
        contacts = (contact,) if isinstance(contact, str) else contact
        self.orders[number] = _Order(
            number, contacts, status, text, moment, track_code, carrier, entries
        )

    def set_status(
        self,
        number: str,
        status: str,
        *,
        status_text: str | None = None,
        at: str | None = None,
        place: str | None = None,
        track_code: str | None = None,
        carrier: str | None = None,
    ) -> None:
        """The order moves on: a new history entry (an hour after the last unless `at`)."""
        order = self.orders[number]
        moment = at or (datetime.fromisoformat(order.updated_at) + STEP).isoformat()
        text = TEXTS.get(status, status) if status_text is None else status_text
        entry: JsonDict = {"status": status, "status_text": text, "at": moment}
        if place is not None:
            entry["place"] = place
        order.history.append(entry)
        order.status, order.status_text, order.updated_at = status, text, moment
        order.track_code = track_code or order.track_code
        order.carrier = carrier or order.carrier

    def fail_next(
        self, kind: int | str = 500, *, retry_after: float | None = None, delay: float = 5.0
    ) -> None:
        """The next request fails: an HTTP status, "timeout" (answers after `delay` seconds),
        "garbage" (not JSON) or "truncated" (connection closed mid-body)."""
        self._failures.append(_Failure(kind, retry_after, delay))

    def reply_next(self, body: bytes | JsonDict, status: int = 200) -> None:
        """The next request gets exactly this body (a dict is sent as JSON)."""
        raw = json.dumps(body).encode() if isinstance(body, dict) else body
        self._failures.append(_Failure(status, body=raw))

    def order_json(self, number: str) -> JsonDict:
        order = self.orders[number]
        return {
            "number": order.number,
            "status": order.status,
            "status_text": order.status_text,
            "updated_at": order.updated_at,
            "track_code": order.track_code,
            "carrier": order.carrier,
            "history": order.history,
        }

    # --- HTTP ----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.raw_path.partition("?")[0]
        segment = raw_path.removeprefix(self.prefix + "/orders/")
        number = unquote(segment) if segment != raw_path and "/" not in segment else None
        headers = {name.lower(): value for name, value in request.headers.items()}
        self.requests.append(RecordedRequest(raw_path, number, dict(request.query), headers))
        self.received_at.append(time.monotonic())
        if self._failures:
            return await self._fail(request, self._failures.popleft())
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, "unauthorized")
        order = self.orders.get(number) if number else None
        contact = request.query.get("contact")
        if order is None or (contact is not None and not self._matches(order, contact)):
            return _error(404, "not_found")
        return _json(self.order_json(order.number))

    @staticmethod
    def _matches(order: _Order, contact: str) -> bool:
        sent = shop_normalise(contact)
        return any(shop_normalise(kept) == sent for kept in order.contacts)

    async def _fail(self, request: web.Request, failure: _Failure) -> web.StreamResponse:
        if failure.kind == "timeout":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), failure.delay)
            return _error(504, "timeout")
        if failure.kind == "garbage":
            return web.Response(
                body=b"<html>502 Bad Gateway\x00{", content_type="application/json"
            )
        if failure.kind == "truncated":
            full = json.dumps({"number": "1", "status": "processing"}).encode()
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
        body = failure.body
        if body is None:
            body = json.dumps({"error": f"http_{failure.kind}"}).encode()
        return web.Response(
            status=int(failure.kind), body=body, headers=headers, content_type="application/json"
        )


def _error(status: int, code: str) -> web.Response:
    return _json({"error": code}, status)


def _json(body: JsonDict, status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False).encode(),
        content_type="application/json",
    )
