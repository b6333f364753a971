"""Time, injected: every 'now' in the bot comes from a Clock so tests and the demo can steer it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class ScaledClock:
    """Real time sped up by `scale` from the moment it is created (the demo's compressed days)."""

    def __init__(self, scale: float, base: Clock = system_clock) -> None:
        self._base = base
        self._scale = scale
        self._origin = base()

    def __call__(self) -> datetime:
        return self._origin + (self._base() - self._origin) * self._scale


class ManualClock:
    """A clock that moves only when told; for tests and benchmarks."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
