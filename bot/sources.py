"""Which source answers for which number, and how each source is doing.

The registry owns the routing rule (orders to the shop, domestic Russian codes to Russian Post
when configured, everything else to 17TRACK, the demo source when enabled) and a small health
model: a source that fails backs off as a whole, with the last error kept for `/admin`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeGuard

from bot.metrics import Metrics
from providers.base import (
    AuthError,
    Outcome,
    Provider,
    QuotaError,
    SourceError,
    SourceHealth,
    TemporarySourceError,
)
from providers.clock import Clock
from providers.codes import Code, CodeKind

log = logging.getLogger(__name__)

# Order of preference for parcel codes; the first configured source that accepts a kind wins.
RU_POST = "russianpost"
TRACK17 = "track17"
SHOP = "shop"
DEMO = "demo"

MAX_BACKOFF = timedelta(hours=1)


class SourceBackingOffError(Exception):
    """The source is backing off; its last error says why."""


class Sources:
    def __init__(
        self, providers: Iterable[Provider], clock: Clock, metrics: Metrics | None = None
    ) -> None:
        self._providers: dict[str, Provider] = {p.name: p for p in providers}
        self._clock = clock
        self.metrics = metrics or Metrics()
        self.health: dict[str, SourceHealth] = {
            name: SourceHealth(name) for name in self._providers
        }

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._providers)

    def get(self, name: str) -> Provider | None:
        return self._providers.get(name)

    def route(self, code: Code) -> str | None:
        """The source that should follow this code, or None when none can."""
        if code.kind is CodeKind.ORDER:
            return self._first(SHOP, DEMO)
        if code.kind is CodeKind.RU_DOMESTIC or (
            code.kind is CodeKind.S10 and code.country == "RU"
        ):
            return self._first(RU_POST, TRACK17, DEMO)
        return self._first(TRACK17, DEMO)

    def _first(self, *names: str) -> str | None:
        return next((n for n in names if n in self._providers), None)

    def available(self, name: str) -> bool:
        health = self.health.get(name)
        if health is None:
            return False
        return health.backoff_until is None or health.backoff_until <= self._clock()

    async def fetch(self, name: str, codes: Sequence[str]) -> Mapping[str, Outcome]:
        """Fetch through one source, keeping its health; raises SourceError when it fails."""
        provider = self._providers[name]
        health = self.health[name]
        if not self.available(name):
            raise SourceBackingOffError(health.last_error)
        self.metrics.polls.labels(name).inc(len(codes))
        try:
            outcomes = await provider.fetch(codes)
        except SourceError as exc:
            self.metrics.source_errors.labels(name).inc()
            self._record_failure(health, exc)
            raise
        health.consecutive_failures = 0
        health.backoff_until = None
        return outcomes

    def _record_failure(self, health: SourceHealth, exc: SourceError) -> None:
        now = self._clock()
        health.consecutive_failures += 1
        health.last_error = f"{type(exc).__name__}: {exc}"
        health.last_error_at = now
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(exc, TemporarySourceError | QuotaError) and _usable(retry_after):
            delay = timedelta(seconds=min(float(retry_after), MAX_BACKOFF.total_seconds()))
        elif isinstance(exc, AuthError):
            delay = timedelta(minutes=10)
        else:
            delay = timedelta(seconds=min(2**health.consecutive_failures * 5, 3600))
        health.backoff_until = now + min(delay, MAX_BACKOFF)
        log.warning(
            "source %s failed (%d in a row), backing off until %s: %s",
            health.name,
            health.consecutive_failures,
            health.backoff_until.isoformat(timespec="seconds"),
            health.last_error,
        )

    async def stop(self, name: str, codes: Sequence[str]) -> None:
        provider = self._providers.get(name)
        if provider is None or not codes:
            return
        try:
            await provider.stop(codes)
        except SourceError as exc:
            log.warning("source %s could not stop %d numbers: %s", name, len(codes), exc)

    def backoff_of(self, name: str) -> datetime | None:
        health = self.health.get(name)
        return health.backoff_until if health else None


def _usable(retry_after: object) -> TypeGuard[float]:
    """A source's own wait, when it is a positive finite number of seconds."""
    return isinstance(retry_after, int | float) and math.isfinite(retry_after) and retry_after > 0
