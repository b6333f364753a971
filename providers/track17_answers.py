"""What 17TRACK's answer of a batch call says of each number asked.

17TRACK may echo a number normalised (upper case, no separators), so answers are matched by
key. A rejected number is settled when its error code has a lasting meaning (tracked after all,
or refused for a reason the user is told) and left unsettled, to be asked again later, when the
error may pass; a code that concerns the whole call is raised even when met for one number.
Every number that is not unsettled must have an answer, or the whole call is to be retried.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence

from providers.base import NumberRejected, TemporarySourceError, TrackResult
from providers.statuses import Status
from providers.track17_api import AUTH_CODES, QUOTA_CODES, raise_for_code
from providers.track17_wire import ErrorInfo

logger = logging.getLogger(__name__)

ALREADY_REGISTERED = -18019901
NOT_REGISTERED = -18019902
NO_INFO_YET = -18019909
CARRIER_UNKNOWN = -18019903
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


class NumberUnsettledError(TemporarySourceError):
    """One number got an error that may pass; the other numbers of the call stand."""


def refusal(number: str, error: ErrorInfo) -> NumberRejected | None:
    """None when the number is tracked after all; raises for what concerns the whole call."""
    if error.code in (ALREADY_REGISTERED, NO_INFO_YET):
        return None
    reason = REJECTION_REASONS.get(error.code)
    if reason is not None:
        return NumberRejected(number, reason, needs_carrier=error.code == CARRIER_UNKNOWN)
    if error.code in AUTH_CODES or error.code in QUOTA_CODES:
        raise_for_code(error.code)
    raise NumberUnsettledError(f"17TRACK answered error {error.code} for a number")


def settle(answers: dict[str, NumberRejected | None], number: str, error: ErrorInfo) -> bool:
    """Record a rejected item's meaning; False (and nothing recorded) when it may pass."""
    try:
        answers[number] = refusal(number, error)
    except NumberUnsettledError:
        logger.warning("17TRACK left a number unsettled: error %d", error.code)
        return False
    return True


def awaiting_data(number: str) -> TrackResult:
    """Registered, data to follow: NOT_FOUND with an empty status text."""
    return TrackResult(code=number, status=Status.NOT_FOUND, status_text="")


def number_key(number: str) -> str:
    """17TRACK may echo a number normalised (upper case, no separators)."""
    return "".join(char for char in number if char.isalnum()).upper()


def by_key(numbers: Sequence[str]) -> dict[str, str]:
    return {number_key(number): number for number in numbers}


def require_all(numbers: Sequence[str], answered: Mapping[str, object]) -> None:
    missing = sum(1 for number in numbers if number not in answered)
    if missing:
        raise TemporarySourceError(f"17TRACK left {missing} of {len(numbers)} numbers unanswered")


def chunks(numbers: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(numbers), size):
        yield numbers[start : start + size]
