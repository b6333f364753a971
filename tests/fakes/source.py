"""A scripted status source: tests say what the 'carrier' answers for each number."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from providers.base import NumberRejected, Outcome, TemporarySourceError, TrackEvent, TrackResult
from providers.statuses import Status


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
