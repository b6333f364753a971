"""When to look at a shipment again: adaptive to its status, jittered, backing off on errors."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from providers.statuses import CATALOGUE, Status

MIN_INTERVAL = timedelta(minutes=5)
MAX_ERROR_BACKOFF = timedelta(days=1)


def next_check(
    status: Status,
    previous: Status | None,
    now: datetime,
    base_seconds: float,
    rng: random.Random | None = None,
) -> datetime | None:
    """Next poll time; None once a final status has been seen twice in a row."""
    factor = CATALOGUE[status].poll_factor
    if factor is None:
        if previous == status:
            return None
        factor = 0.5  # confirm a final status once more before letting go
    jitter = (rng or random).uniform(0.85, 1.15)
    return now + max(MIN_INTERVAL, timedelta(seconds=base_seconds * factor * jitter))


def after_error(error_count: int, now: datetime, base_seconds: float) -> datetime:
    """Per-number backoff: doubles with each consecutive error up to a day."""
    delay = timedelta(seconds=base_seconds / 4 * 2 ** min(error_count, 10))
    return now + max(MIN_INTERVAL, min(delay, MAX_ERROR_BACKOFF))
