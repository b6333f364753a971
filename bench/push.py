"""Push benchmark: queued alerts through the real outbox sender against a rate-limiting Bot API.

`python -m bench.push [--cap 30] [--alerts 600] [--quick] [--redis-url redis://...]
[--postgres] [--workers N]`

The fake Bot API (tests.fakes.telegram, on 127.0.0.1) enforces a global cap of `--cap` messages
in any one-second window and one message per second per chat, answering 429 beyond either. The
real `OutboxSender`, built by `assemble()` with SEND_RATE_PER_SECOND at the cap, the system clock
and quiet hours off, drains N alert rows queued through the repositories the way
`TrackingService` queues them (one per subscription, payload with the new event ids), for chats
that mostly get one alert and some two or three (separate items, so each is its own message and
the per-chat spacing matters); the queue order is shuffled. Drains run the way the scheduler
runs them: one at a time, started on a one-second grid. Each delivery is matched to its outbox
row by chat and track code: lost = queued rows never delivered, duplicated = deliveries beyond
one per row. The achieved rate runs from the first delivery to the last. Readable lines come
first; the last line is one JSON object; the exit status is 1 when a delivery went wrong (lost,
duplicated, to the wrong chat, or left in the outbox).

The queue lives in a SQLite file in a temporary directory, or with `--postgres` in a fresh
PostgreSQL database (created from TEST_POSTGRES_URL's server and dropped afterwards), where the
claims lock with FOR UPDATE SKIP LOCKED. `--workers N` assembles N apps in this process, each
with its own database pool, Bot session and sender, draining the one outbox on one-second grids
spread evenly over the second, as N bot processes would (though on this process's one event
loop, beside the fake server); their caps are shared through Redis, so more than one worker
needs `--redis-url`. The fake Bot API is one for all, so a message sent twice by two workers
counts as duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import re
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench.common import environment, load_averages, s10_code, warn_if_busy
from bench.poll_postgres import ADMIN_URL, url_for
from bot.app import assemble
from bot.config import Settings, load_settings
from bot.outbox_ledger import SendReport
from bot.scheduler import SEND_EVERY_SECONDS
from bot.sender import OutboxSender
from providers.base import TrackEvent
from providers.codes import CodeKind
from providers.statuses import Status
from storage import Database
from tests.fakes.telegram import FakeTelegram, Sent

TARGET_RATIO = 0.95
CHAT_BASE = 700_000_000
SERIAL_BASE = 40_000_000
ALERTS_PER_CHAT = (1, 1, 1, 2, 1, 1, 1, 3, 1, 1)  # cycled: 70 % one, 20 % two... by chat
CODE_RE = re.compile(r"\b[A-Z]{2}\d{9}[A-Z]{2}\b")
GIVE_UP_AFTER_S = 120.0
STALL_S = 0.15  # four times the spacing at 30/s: a gap this long is the sender idling
MAX_WORKERS = 16  # each app holds up to DATABASE_POOL_SIZE (5) PostgreSQL connections


@dataclass(frozen=True, slots=True)
class Plan:
    cap: float
    alerts: int
    redis_url: str | None
    postgres: bool
    workers: int


@dataclass(frozen=True, slots=True)
class Alert:
    chat: int
    code: str


def parse_args(argv: Sequence[str] | None = None) -> Plan:
    parser = argparse.ArgumentParser(prog="python -m bench.push", description=__doc__)
    parser.add_argument("--cap", type=float, default=30.0, help="global messages per second")
    parser.add_argument("--alerts", type=int, help="alerts queued (default 600; quick 150)")
    parser.add_argument("--quick", action="store_true", help="a short run to check it works")
    parser.add_argument("--redis-url", help="share the cap through this Redis (REDIS_URL)")
    parser.add_argument(
        "--postgres", action="store_true", help="queue in a fresh PostgreSQL database"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="senders sharing the outbox (default 1)"
    )
    args = parser.parse_args(argv)
    alerts = args.alerts or (150 if args.quick else 600)
    if alerts < 2 or args.cap <= 0:
        parser.error("--alerts must be at least 2 and --cap positive")
    if not 1 <= args.workers <= MAX_WORKERS:
        parser.error(f"--workers must be between 1 and {MAX_WORKERS}")
    if args.workers > 1 and not args.redis_url:
        parser.error(
            "--workers above 1 needs --redis-url: without Redis each sender keeps its own cap,"
            " and together they would send --workers times the cap"
        )
    return Plan(args.cap, alerts, args.redis_url, args.postgres, args.workers)


def plan_alerts(count: int) -> list[Alert]:
    """Chats with one, two or three alerts each, in a shuffled queue order."""
    alerts: list[Alert] = []
    chat = 0
    while len(alerts) < count:
        take = min(ALERTS_PER_CHAT[chat % len(ALERTS_PER_CHAT)], count - len(alerts))
        for _ in range(take):
            alerts.append(Alert(CHAT_BASE + chat, s10_code(SERIAL_BASE + len(alerts))))
        chat += 1
    random.Random(2026).shuffle(alerts)
    return alerts


async def queue_alerts(db: Database, alerts: Sequence[Alert], now: datetime) -> None:
    """Users, items, one new event each and its alert row, as a recorded change leaves them."""
    for start in range(0, len(alerts), 100):
        async with db.transaction() as tx:
            for n, alert in enumerate(alerts[start : start + 100], start):
                await tx.users.seen(alert.chat, "en" if alert.chat % 4 == 0 else "ru", now)
                shipment, _ = await tx.shipments.get_or_create(
                    "track17", alert.code, CodeKind.S10.value, now
                )
                subscription, _ = await tx.subscriptions.add(alert.chat, shipment.id, "", now)
                event = TrackEvent(
                    now - timedelta(minutes=n % 50),
                    Status.IN_TRANSIT,
                    "Прибыло в Москву",
                    "Москва",
                )
                (stored,) = await tx.events.add_new(shipment.id, [event])
                await tx.shipments.record_result(
                    shipment.id,
                    status=Status.IN_TRANSIT,
                    status_text=event.description,
                    carrier="Почта России",
                    linked_code=None,
                    checked_at=now,
                    next_check_at=now + timedelta(hours=1),
                    last_event_at=event.occurred_at,
                )
                payload = {
                    "shipment_id": shipment.id,
                    "event_ids": [stored.id],
                    "status": str(Status.IN_TRANSIT),
                    "previous_status": str(Status.INFO_RECEIVED),
                    "subscription_id": subscription.id,
                }
                key = f"alert:{subscription.id}:{stored.id}"
                await tx.outbox.enqueue(alert.chat, "alert", payload, key, now, now)


async def pending(db: Database) -> int:
    async with db.read() as tx:
        return await tx.outbox.pending_count()


async def drain_like_the_scheduler(sender: OutboxSender, db: Database, phase: float) -> int:
    """One drain at a time, each started on the next tick of a one-second grid from `phase`."""
    await asyncio.sleep(phase)
    origin = time.monotonic()
    drains = 0
    while await pending(db):
        if time.monotonic() - origin > GIVE_UP_AFTER_S:
            break
        await sender.drain(budget_seconds=30.0)
        drains += 1
        elapsed = time.monotonic() - origin
        next_tick = (int(elapsed / SEND_EVERY_SECONDS) + 1) * SEND_EVERY_SECONDS
        await asyncio.sleep(next_tick - elapsed)
    return drains


@contextlib.asynccontextmanager
async def fresh_database(postgres: bool) -> AsyncIterator[str]:
    """The URL of an empty database for this run, removed afterwards."""
    if not postgres:
        with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'push.sqlite3'}"
        return
    name = f"bench_push_{uuid.uuid4().hex[:8]}"
    await admin_execute(f'CREATE DATABASE "{name}"')
    try:
        yield url_for(name)
    finally:
        await admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def admin_execute(sql: str) -> None:
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(sql)
    finally:
        await admin.close()


def settings_for(tg: FakeTelegram, database_url: str, plan: Plan) -> Settings:
    return load_settings(
        bot_token=tg.token,
        telegram_api_url=tg.base_url,
        database_url=database_url,
        redis_url=plan.redis_url,  # None: the in-process cap, whatever the environment says
        demo_source=False,
        quiet_hours="off",
        send_rate_per_second=plan.cap,
        _env_file=None,
    )


def max_in_window(times: Sequence[float], width: float = 1.0) -> int:
    """The most sends in any window of `width` seconds (what the fake's limiter counts)."""
    best, left = 0, 0
    for right, at in enumerate(times):
        while at - times[left] >= width:
            left += 1
        best = max(best, right - left + 1)
    return best


def min_chat_gap(sends: Sequence[Sent]) -> float | None:
    last: dict[int, float] = {}
    gaps = []
    for sent in sends:
        if sent.chat_id in last:
            gaps.append(sent.at - last[sent.chat_id])
        last[sent.chat_id] = sent.at
    return min(gaps) if gaps else None


def tally(alerts: Sequence[Alert], sends: Sequence[Sent]) -> dict[str, int]:
    expected = {(a.chat, a.code) for a in alerts}
    delivered: Counter[tuple[int, str]] = Counter()
    stray = 0
    for sent in sends:
        codes = set(CODE_RE.findall(sent.text))
        keys = [(sent.chat_id, code) for code in codes if (sent.chat_id, code) in expected]
        if len(keys) != 1:
            stray += 1
            continue
        delivered[keys[0]] += 1
    return {
        "queued": len(expected),
        "delivered": len(delivered),
        "lost": len(expected - set(delivered)),
        "duplicated": sum(n - 1 for n in delivered.values()),
        "stray": stray,
    }


def rate(times: Sequence[float]) -> float:
    """Sends per second from the first of `times` to the last."""
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return (len(times) - 1) / span if span > 0 else 0.0


def stalls(times: Sequence[float], threshold: float = STALL_S) -> float:
    """Seconds spent in gaps longer than `threshold` between two consecutive sends."""
    return sum(b - a for a, b in itertools.pairwise(times) if b - a > threshold)


def summary(
    plan: Plan, alerts: Sequence[Alert], tg: FakeTelegram, timing: dict[str, Any]
) -> dict[str, Any]:
    sends = sorted((s for s in tg.sent if s.action == "send"), key=lambda s: s.at)
    reports: list[SendReport] = timing["reports"]
    times = [s.at for s in sends]
    counts = tally(alerts, sends)
    achieved = rate(times)
    out: dict[str, Any] = {
        "cap_per_s": plan.cap,
        "achieved_per_s": round(achieved, 2),
        "rate_vs_cap": round(achieved / plan.cap, 3),
        "count_429": tg.count_429,
        "lost": counts["lost"],
        "duplicated": counts["duplicated"],
    }
    out["met"] = out["rate_vs_cap"] >= TARGET_RATIO and not (
        tg.count_429 or out["lost"] or out["duplicated"]
    )
    out.update(counts)
    cut = len(times) // 10
    gap = min_chat_gap(sends)
    out |= {
        "chats": len({a.chat for a in alerts}),
        "span_s": round(times[-1] - times[0], 2) if times else 0.0,
        "middle_80pct_per_s": round(rate(times[cut : len(times) - cut]), 2),
        "stalls_over_0_15s": round(stalls(times), 2),
        "first_send_after_s": round(times[0] - timing["started"], 3) if times else None,
        "max_sends_in_1s": max_in_window(times),
        "min_gap_same_chat_s": None if gap is None else round(gap, 3),
        "shared_cap": bool(plan.redis_url),
        "database": "postgresql" if plan.postgres else "sqlite",
        "workers": plan.workers,
        "drains": timing["drains"],
        "left_in_outbox": timing["left"],
        "sender": {name: sum(getattr(r, name) for r in reports) for name in SendReport.__slots__},
    }
    if plan.workers > 1:
        out["sent_per_worker"] = [r.sent for r in reports]
    return out


async def run(plan: Plan) -> dict[str, Any]:
    alerts = plan_alerts(plan.alerts)
    # A token of its own: with --redis-url the cap's keys carry the bot id, kept apart from tests.
    token = f"{7_100_000_000 + os.getpid()}:BenchPushTokenForTheFakeBotApi_0123456789"
    async with FakeTelegram(token) as tg, fresh_database(plan.postgres) as url:
        tg.enforce_rate(global_per_s=plan.cap, per_chat_per_s=1.0)
        settings = settings_for(tg, url, plan)
        async with contextlib.AsyncExitStack() as stack:
            # One after another: the first migrates, the others find the schema current.
            apps = [
                await stack.enter_async_context(assemble(settings, providers=[]))
                for _ in range(plan.workers)
            ]
            workers = [(app.sender, app.db) for app in apps if app.sender is not None]
            assert len(workers) == plan.workers
            await queue_alerts(apps[0].db, alerts, datetime.now(UTC))
            timing: dict[str, Any] = {"started": time.monotonic()}
            drains = await asyncio.gather(
                *(
                    drain_like_the_scheduler(sender, db, k * SEND_EVERY_SECONDS / plan.workers)
                    for k, (sender, db) in enumerate(workers)
                )
            )
            timing["drains"] = sum(drains)
            timing["left"] = await pending(apps[0].db)
            timing["reports"] = [sender.report for sender, _ in workers]
    return summary(plan, alerts, tg, timing)


def main(argv: Sequence[str] | None = None) -> None:
    plan = parse_args(argv)
    print(
        f"push: {plan.alerts} alerts in {'PostgreSQL' if plan.postgres else 'SQLite'},"
        f" {plan.workers} sender(s), fake Bot API capped at {plan.cap:g}/s and 1/s per chat;"
        f" the senders' cap {'in Redis' if plan.redis_url else 'in process'}",
        flush=True,
    )
    load_before = load_averages()
    warn_if_busy(load_before)
    out = asyncio.run(run(plan))
    out["environment"] = {
        **environment(),
        "load_average_before": load_before,
        "load_average_after": load_averages(),
    }
    print(
        f"delivered {out['delivered']}/{out['queued']} to {out['chats']} chats in"
        f" {out['span_s']} s: {out['achieved_per_s']}/s = {out['rate_vs_cap']:.1%} of the cap"
        f" (max {out['max_sends_in_1s']} in any second, closest two to one chat"
        f" {out['min_gap_same_chat_s']} s)"
    )
    print(
        f"middle 80 % of sends at {out['middle_80pct_per_s']}/s; {out['stalls_over_0_15s']} s"
        f" in gaps over 0.15 s; first send {out['first_send_after_s']} s after the first drain"
    )
    print(
        f"429s {out['count_429']}, lost {out['lost']}, duplicated {out['duplicated']},"
        f" stray {out['stray']}, left in outbox {out['left_in_outbox']}; sender {out['sender']}"
    )
    if "sent_per_worker" in out:
        print(f"sent per worker: {out['sent_per_worker']}")
    print(
        f"targets: rate >= {TARGET_RATIO:.0%} of the cap, no 429, none lost or duplicated:"
        f" {'met' if out['met'] else 'NOT met'}"
    )
    print(f"environment: {out['environment']}")
    print(json.dumps(out, ensure_ascii=False))
    if out["lost"] or out["duplicated"] or out["stray"] or out["left_in_outbox"]:
        sys.exit(1)  # a wrong delivery is a failure, not a slow figure


if __name__ == "__main__":
    main()
