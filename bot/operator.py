"""What the operator sees: source health, quotas, queue depths, poll lag (`/admin`, logs).

Quotas are read on a schedule (`watch_quotas`) rather than per request: 17TRACK's getquota is
free but still a call, and Russian Post's counter is local.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.poller import Poller
from bot.tracking import TrackingService
from providers.base import AuthError, SourceError, SourceHealth

log = logging.getLogger(__name__)

LOW_QUOTA_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class OperatorReport:
    sources: tuple[SourceHealth, ...]
    active_users: int
    subscriptions: int
    polled: int
    due_now: int
    outbox_pending: int
    last_tick_at: datetime | None
    now: datetime


async def operator_report(tracking: TrackingService, poller: Poller) -> OperatorReport:
    now = tracking.clock()
    async with tracking.db.read() as tx:
        return OperatorReport(
            sources=tuple(tracking.sources.health.values()),
            active_users=await tx.users.count_active(),
            subscriptions=await tx.subscriptions.count_all(),
            polled=await tx.shipments.count_polled(),
            due_now=await tx.shipments.count_due(now),
            outbox_pending=await tx.outbox.pending_count(),
            last_tick_at=poller.last_tick_at,
            now=now,
        )


async def watch_quotas(tracking: TrackingService) -> None:
    """Refresh each source's quota figures into its health record; warn when running low."""
    for name in tracking.sources.names:
        provider = tracking.sources.get(name)
        health = tracking.sources.health[name]
        quota = getattr(provider, "quota", None)
        if callable(quota):
            try:
                figures = await quota()
            except SourceError as exc:
                health.extra["quota"] = f"unknown ({type(exc).__name__})"
                if isinstance(exc, AuthError):  # said now, not when the first user adds a code
                    log.error(
                        "source %s refused its credentials: %s; check them in .env", name, exc
                    )
                continue
            health.extra["quota"] = f"{figures.remain} of {figures.total} left"
            health.extra["today"] = str(figures.today_used)
            if figures.total and figures.remain < figures.total * LOW_QUOTA_SHARE:
                log.warning("source %s: quota running low, %d left", name, figures.remain)
        calls_today = getattr(provider, "calls_today", None)
        if callable(calls_today):
            used = await calls_today()
            limit = getattr(provider, "daily_limit", None)
            health.extra["today"] = f"{used} of {limit}" if limit else str(used)
