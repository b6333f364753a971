"""Russian Post's official single-access tracking API: domestic and RU-issued numbers.

One SOAP 1.2 `getOperationHistory` call per number (`POST /rtm34`), with the login and password
of tracking.pochta.ru in the body. Access without a contract allows about a hundred calls a day,
so the provider counts its calls per Moscow day (in memory, or where `daily_calls` keeps them),
refuses locally once `daily_limit` is spent, and refuses a number of the wrong shape without
calling at all. Failures map onto the error tree of `providers.base`:

    AuthorizationFault                               AuthError
    a fault saying a daily limit is reached, or
    the local count spent                            QuotaError, retry_after = Moscow midnight
    OperationHistoryFault, barcode-format text       NumberRejected "неверный формат номера"
    OperationHistoryFault, any other text            NumberRejected with the service's text:
                                                     it concerns this number only, and the
                                                     poller retries rejected numbers a few times
    any other fault (LanguageFault, no detail)       TemporarySourceError
    HTTP 429 (Retry-After, else 1 s), other HTTP
    errors without a fault, timeouts, connection
    errors, answers that are not the expected XML    TemporarySourceError

A fault is read whatever the HTTP status (the service sends them with 500). The credentials
never reach logs or error messages: fault texts are scrubbed of them before use.
How an answer becomes a result is in `providers.russianpost_mapping`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import NoReturn

import httpx

from providers.base import (
    AuthError,
    NumberRejected,
    Outcome,
    QuotaError,
    TemporarySourceError,
)
from providers.clock import Clock, system_clock
from providers.daily_calls import DailyCalls, MemoryDailyCalls
from providers.http_status import retry_after_seconds
from providers.russianpost_mapping import OPERATION_MAP, map_operation, parse_history, result_from
from providers.russianpost_wire import MOSCOW, Fault, Operation, build_request, read_answer

__all__ = [
    "OPERATION_MAP",
    "RussianPostProvider",
    "map_operation",
    "parse_history",
]

logger = logging.getLogger(__name__)

API_PATH = "/rtm34"
HEADERS = {"Content-Type": 'application/soap+xml; charset=utf-8; action=""'}
BARCODE = re.compile(r"\d{14}|[A-Z]{2}\d{9}[A-Z]{2}")
BAD_FORMAT = "неверный формат номера"
NO_INFORMATION = "Почта России не дала сведений об этом номере"
AUTH_FAULT = "AuthorizationFaultReason"
HISTORY_FAULT = "OperationHistoryFaultReason"
_BAD_FORMAT_TEXTS = (
    "не соответствует установленному в регламенте",
    "format of the request data is invalid",
)
# The service's limit answer has never been seen; these are the words it would use.
_DAILY_LIMIT = re.compile(
    r"сутк|суточн|в день|per day|daily"  # "per day" in any wording
    r"|(?:лимит|limit|квот|quota)\w*\s+(?:на\s+)?(?:запрос|request)",  # "limit of requests"
    re.IGNORECASE,
)
_MAX_TEXT = 200


class RussianPostProvider:
    name = "russianpost"
    max_batch = 1
    rate_per_second = 1.0

    def __init__(
        self,
        client: httpx.AsyncClient,
        login: str,
        password: str,
        *,
        daily_limit: int = 100,
        clock: Clock = system_clock,
        daily_calls: DailyCalls | None = None,
    ) -> None:
        self._client = client
        self._login = login
        self._password = password
        self._daily_limit = daily_limit
        self._clock = clock
        self._calls = daily_calls or MemoryDailyCalls()

    def __repr__(self) -> str:  # never the credentials
        return f"RussianPostProvider(daily_limit={self._daily_limit})"

    @property
    def daily_limit(self) -> int:
        return self._daily_limit

    async def calls_today(self) -> int:
        """Calls counted in the current Moscow day (what the operator sees in /admin)."""
        return await self._calls.used(self._today())

    async def fetch(self, codes: Sequence[str]) -> Mapping[str, Outcome]:
        numbers = list(dict.fromkeys(codes))
        if len(numbers) > self.max_batch:
            raise ValueError(f"one number per call, got {len(numbers)}")
        if not numbers:
            return {}
        number = numbers[0]
        if BARCODE.fullmatch(number) is None:
            return {number: NumberRejected(code=number, reason=BAD_FORMAT)}
        answer = await self._call(number)
        if isinstance(answer, Fault):
            if _DAILY_LIMIT.search(answer.text):
                await self._calls.spend_all(self._today(), self._daily_limit)
            return {number: self._refusal(number, answer)}
        return {number: result_from(number, answer)}

    async def stop(self, codes: Sequence[str]) -> None:
        """Russian Post keeps no list of followed numbers: nothing to tell it."""

    async def _call(self, number: str) -> list[Operation] | Fault:
        await self._spend()
        body = build_request(number, self._login, self._password)
        try:
            response = await self._client.post(API_PATH, content=body, headers=HEADERS)
        except httpx.TimeoutException as exc:
            raise TemporarySourceError("Russian Post: timed out") from exc
        except httpx.HTTPError as exc:
            raise TemporarySourceError(f"Russian Post: {type(exc).__name__}") from exc
        status = response.status_code
        if status == 429:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            raise TemporarySourceError("Russian Post: rate limited", retry_after=retry_after)
        try:
            answer = read_answer(response.content)
        except ValueError:
            reason = f"HTTP {status}" if status != 200 else "unexpected answer"
            raise TemporarySourceError(f"Russian Post: {reason}") from None
        if status != 200 and not isinstance(answer, Fault):
            raise TemporarySourceError(f"Russian Post: HTTP {status}")
        return answer

    def _refusal(self, number: str, fault: Fault) -> NumberRejected:
        """The outcome a fault means for the number; raises for what concerns every call."""
        text = self._scrub(fault.text)
        if fault.detail == AUTH_FAULT:
            raise AuthError(f"Russian Post refused the login or password: {text}")
        if _DAILY_LIMIT.search(fault.text):
            logger.warning("Russian Post says the daily limit is spent: %s", text)
            self._raise_quota(f"Russian Post daily limit reached: {text}")
        if fault.detail == HISTORY_FAULT:
            folded = fault.text.casefold()
            if any(marker.casefold() in folded for marker in _BAD_FORMAT_TEXTS):
                return NumberRejected(code=number, reason=BAD_FORMAT)
            logger.info("Russian Post refused a number: %s", text)
            return NumberRejected(code=number, reason=text or NO_INFORMATION)
        raise TemporarySourceError(f"Russian Post fault {fault.detail or fault.code}: {text}")

    async def _spend(self) -> None:
        today = self._today()
        if await self._calls.take(today, self._daily_limit) is None:
            self._raise_quota(f"Russian Post daily limit of {self._daily_limit} calls spent")

    def _raise_quota(self, message: str) -> NoReturn:
        now = self._clock().astimezone(MOSCOW)
        midnight = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=MOSCOW)
        raise QuotaError(message, retry_after=(midnight - now).total_seconds())

    def _today(self) -> date:
        return self._clock().astimezone(MOSCOW).date()

    def _scrub(self, text: str) -> str:
        """The service's words, short and without our credentials (it might echo them)."""
        for secret in (self._password, self._login):
            if secret:
                text = text.replace(secret, "***")
        return " ".join(text.split())[:_MAX_TEXT]
