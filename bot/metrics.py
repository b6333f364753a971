"""Prometheus metrics of one bot process, in its own registry (several apps can share a test
process). Counters are bumped where things happen; queue depths are read when scraped."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "bot_updates_total", "Telegram updates taken in, failed ones too", ["type"], registry=r
        )
        self.updates_failed = Counter(
            "bot_updates_failed_total",
            "Updates whose handling failed: a store out of reach, or an error",
            ["reason"],
            registry=r,
        )
        self.alerts_queued = Counter(
            "bot_alerts_queued_total", "Messages queued in the outbox", ["kind"], registry=r
        )
        self.alerts_sent = Counter("bot_alerts_sent_total", "Outbox messages sent", registry=r)
        self.alerts_failed = Counter(
            "bot_alerts_failed_total", "Outbox messages given up on", registry=r
        )
        self.telegram_429 = Counter(
            "bot_telegram_429_total", "Telegram answers 'too many requests'", registry=r
        )
        self.polls = Counter(
            "bot_polls_total", "Numbers asked of a source", ["source"], registry=r
        )
        self.source_errors = Counter(
            "bot_source_errors_total", "Failed calls to a source", ["source"], registry=r
        )
        self.queue_depth = Gauge(
            "bot_queue_depth", "Work waiting: outbox rows, shipments due", ["queue"], registry=r
        )
        self.database_up = Gauge(
            "bot_database_up",
            "1 when the database answered at the last scrape, else 0",
            registry=r,
        )
        self.poll_lag = Gauge(
            "bot_poll_lag_seconds",
            "How late the oldest due shipment was at the last tick",
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
