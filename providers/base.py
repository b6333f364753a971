"""The source protocol, normalised results and the error tree.

A source answers a batch of numbers with one outcome per number, and raises only for failures
of the whole call:

    SourceError                   the call failed; nothing is known about any number
    ├── TemporarySourceError      timeouts, connection errors, 5xx, 429, garbled bodies
    │                             (retry later; `retry_after` when the source said)
    ├── AuthError                 wrong or missing credentials: nothing works until fixed
    └── QuotaError                the source's quota or daily limit is spent

    per number (a value in the result mapping, never raised)
    ├── TrackResult               what the source knows (NOT_FOUND is an answer, not a failure)
    └── NumberRejected            the source refuses this number for good (bad format, unsupported)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from providers.statuses import Status


@dataclass(frozen=True, slots=True)
class TrackEvent:
    occurred_at: datetime  # timezone-aware
    status: Status
    description: str = ""  # the source's own words, shown to users (escaped)
    location: str = ""


@dataclass(frozen=True, slots=True)
class TrackResult:
    code: str
    status: Status
    events: tuple[TrackEvent, ...] = ()  # oldest first
    carrier: str | None = None
    status_text: str = ""  # the source's wording of the current status
    linked_code: str | None = None  # an order's parcel track code, once the shop ships it


@dataclass(frozen=True, slots=True)
class NumberRejected:
    code: str
    reason: str
    needs_carrier: bool = False  # the source could not tell the carrier: the user may choose


Outcome = TrackResult | NumberRejected


class SourceError(Exception):
    """The whole call failed."""


class TemporarySourceError(SourceError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthError(SourceError):
    pass


class QuotaError(SourceError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@runtime_checkable
class Provider(Protocol):
    """A status source. `fetch` never raises for a single number; see the module docstring."""

    name: str
    max_batch: int
    rate_per_second: float

    async def fetch(self, codes: Sequence[str]) -> Mapping[str, Outcome]: ...

    async def stop(self, codes: Sequence[str]) -> None:
        """Tell the source nobody follows these numbers any more (may be a no-op)."""


@dataclass(slots=True)
class SourceHealth:
    """What the operator sees of a source: last error and when it may be tried again."""

    name: str
    last_error: str = ""
    last_error_at: datetime | None = None
    backoff_until: datetime | None = None
    consecutive_failures: int = 0
    extra: dict[str, str] = field(default_factory=dict)
