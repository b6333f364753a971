"""The built-in `demo` source: parcels and shop orders living a scripted life, no network needed.

Every number gets a scenario chosen deterministically from its text (SHA-256, so the same number
tells the same story in every process). The scenario's clock starts the first time this provider
instance is asked about the number; that start lives in memory only, so after a restart (or after
`stop`) every number begins its demo life again. Gaps between steps are real-world hours and days:
the console runs a `ScaledClock` so that a day passes in a few seconds.

Shop orders are numbers of at most ten digits, or starting with "#". Any other number is a parcel:
S10 numbers ending in RU and 14-digit numbers travel inside Russia, the rest come from China.
The first four digits of an S10 serial pick a parcel's story (all examples pass the check digit):

    | example       | serial | story          | what happens                                    |
    |---------------|--------|----------------|-------------------------------------------------|
    | RA000012349CN | 0000…  | delivered      | from China via customs to the addressee         |
    | RA000056781RU | 0000…  | delivered      | the same inside Russia, without customs         |
    | RA111100427CN | 1111…  | stalled        | silent 14-20 days after customs, then goes on   |
    | RA222256785CN | 2222…  | failed_attempt | courier misses the addressee, picked up later   |
    | RA333300010CN | 3333…  | returned       | not collected in 15 days, back to the sender    |
    | RA444412346CN | 4444…  | never_found    | not found for 30 days, then expired             |
    | #1001, 4512   | order  | order          | awaiting payment to delivered, linked S10 track |

Other parcels draw their story from the hash: mostly delivered, sometimes one of the others. An
order's linked track is an S10 number in the 0000 range, so following it shows a delivered parcel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from providers.base import NumberRejected, Outcome, TrackEvent, TrackResult
from providers.clock import Clock
from providers.demo_stories import Scenario, demo_key, scenario_for
from providers.statuses import Status

_NOT_FOUND_TEXT = "Отправление не найдено"


def _result(code: str, scenario: Scenario, start: datetime, now: datetime) -> TrackResult:
    reached = [step for step in scenario.steps if start + step.offset <= now]
    if not reached:
        return TrackResult(code, Status.NOT_FOUND, status_text=_NOT_FOUND_TEXT)
    events = tuple(
        TrackEvent(start + s.offset, s.status, s.description, s.location)
        for s in reached
        if s.event
    )
    linked = next((s.linked_code for s in reversed(reached) if s.linked_code), None)
    last = reached[-1]
    carrier = scenario.carrier if events else None
    return TrackResult(code, last.status, events, carrier, last.description, linked)


class DemoProvider:
    """A source for the console and the tests: scripted stories on an injected clock."""

    name = "demo"
    free_lookups = True  # answering costs nothing, so inline look-ups may ask
    max_batch = 100
    rate_per_second = 1000.0

    def __init__(self, clock: Clock, *, seed: str = "") -> None:
        self._clock = clock
        self._seed = seed
        self._starts: dict[str, datetime] = {}  # normalised number -> start of its demo life

    async def fetch(self, codes: Sequence[str]) -> Mapping[str, Outcome]:
        now = self._clock()
        outcomes: dict[str, Outcome] = {}
        for code in codes:
            key = demo_key(code)
            if not key:
                outcomes[code] = NumberRejected(code, "empty number")
                continue
            # Whole seconds, as real scan logs have: event times survive any storage round trip.
            start = self._starts.setdefault(key, now.replace(microsecond=0))
            outcomes[code] = _result(code, scenario_for(key, self._seed), start, now)
        return outcomes

    async def stop(self, codes: Sequence[str]) -> None:
        """Forget the numbers: asked again, they start their demo life from the beginning."""
        for code in codes:
            self._starts.pop(demo_key(code), None)
