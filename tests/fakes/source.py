"""A scripted status source: tests say what the 'carrier' answers for each number."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from providers.base import NumberRejected, Outcome, TemporarySourceError, TrackEvent, TrackResult
from providers.codes import s10_check_digit
from providers.statuses import Status


def s10(serial: int) -> str:
    """A valid S10 code (RA…CN) for a serial number."""
    digits = f"{serial:08d}"
    return f"RA{digits}{s10_check_digit(digits)}CN"


class ScriptedSource:
    name = "track17"  # routed like the real parcel source
    max_batch = 40
    rate_per_second = 1000.0

    def __init__(self) -> None:
        self.answers: dict[str, Outcome] = {}
        self.calls: list[tuple[str, ...]] = []
        self.failing: str | None = None
        self.stopped: list[str] = []

    def set(self, code: str, status: Status, *events: tuple[datetime, Status, str, str]) -> None:
        self.answers[code] = TrackResult(
            code,
            status,
            tuple(TrackEvent(at, st, text, where) for at, st, text, where in events),
            carrier="Почта России",
        )

    def reject(self, code: str, reason: str) -> None:
        self.answers[code] = NumberRejected(code, reason)

    async def fetch(self, codes: Sequence[str]) -> Mapping[str, Outcome]:
        self.calls.append(tuple(codes))
        if self.failing:
            raise TemporarySourceError(self.failing, retry_after=60)
        return {c: self.answers.get(c, TrackResult(c, Status.NOT_FOUND)) for c in codes}

    async def stop(self, codes: Sequence[str]) -> None:
        self.stopped += list(codes)

    def deliver(self, code: str, at: datetime) -> None:
        self.set(code, Status.DELIVERED, (at, Status.DELIVERED, "Вручено адресату", "Москва"))

    def move(self, code: str, at: datetime) -> None:
        self.set(code, Status.IN_TRANSIT, (at, Status.IN_TRANSIT, "В пути", "Москва"))

    @classmethod
    def with_delivered_and_moving(
        cls, delivered: str, moving: str, now: datetime
    ) -> ScriptedSource:
        """One number delivered and one on its way, both as of a day before `now`."""
        source = cls()
        source.deliver(delivered, now - timedelta(days=1))
        source.move(moving, now - timedelta(days=1))
        return source
