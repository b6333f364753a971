"""Poll-tick throughput on PostgreSQL: one worker process against two, on one database.

Seeds a fresh database with N shipments of which D are due, all answered instantly by a
zero-latency source with what is stored (the unchanged path, which dominates a real tick),
then lets one worker, and then two workers side by side, drain the due rows through the real
`Poller` (claims with FOR UPDATE SKIP LOCKED). Each worker opens its connection pool and builds
its poller before the common start line, as a running worker has them; the time covers the
tick alone, from the start line to the last worker's end. Prints figures; the last line is JSON
with `due_per_s_1_worker`, `due_per_s_2_workers` and `two_workers_vs_one`.

    python -m bench.poll --postgres [--stored 200000] [--due 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from bench.common import environment
from bot.poller import Poller
from bot.recording import fingerprint
from bot.sources import Sources
from bot.tracking import TrackingService
from providers.base import Outcome, TrackEvent, TrackResult
from providers.clock import system_clock
from providers.statuses import Status
from storage import open_database

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Recent enough that no stall or expiry notice is due: the tick takes the unchanged path.
EVENT_AT = (datetime.now(UTC) - timedelta(hours=6)).replace(microsecond=0)


def answer(code: str) -> TrackResult:
    event = TrackEvent(EVENT_AT, Status.IN_TRANSIT, "Покинуло сортировочный центр", "Москва")
    return TrackResult(code, Status.IN_TRANSIT, (event,), carrier="Почта России")


# Built before the workers fork (see `seed`), so a worker's fetch is a dict look-up per number
# and the time measured is the poller's and the database's.
ANSWERS: dict[str, TrackResult] = {}


class InstantSource:
    name = "track17"
    max_batch = 500
    rate_per_second = 1_000_000.0

    async def fetch(self, codes: Sequence[str]) -> Mapping[str, Outcome]:
        return {code: ANSWERS.get(code) or answer(code) for code in codes}

    async def stop(self, codes: Sequence[str]) -> None:
        return None


def url_for(name: str) -> str:
    base, _, _ = ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


async def seed(url: str, stored: int, due: int) -> None:
    db = await open_database(url)  # migrates
    await db.close()
    conn = await asyncpg.connect(url)
    try:
        now_ms = int(time.time() * 1000)
        ANSWERS.update((f"RR{i:011d}", answer(f"RR{i:011d}")) for i in range(stored))
        digest = {i: fingerprint(ANSWERS[f"RR{i:011d}"]) for i in range(stored)}
        await conn.copy_records_to_table(
            "users",
            records=[(1, None, "ru", None, None, 1, 1, now_ms)],
            columns=[
                "id",
                "language",
                "tg_language",
                "timezone",
                "quiet_hours",
                "notifications",
                "active",
                "created_at",
            ],
        )
        later = now_ms + 86_400_000
        await conn.copy_records_to_table(
            "shipments",
            records=[
                (
                    i + 1,
                    "track17",
                    f"RR{i:011d}",
                    "generic",
                    "in_transit",
                    "",
                    "Почта России",
                    now_ms,
                    now_ms,
                    now_ms - 60_000 if i < due else later,
                    int(EVENT_AT.timestamp() * 1000),
                    digest[i],
                    1,
                )
                for i in range(stored)
            ],
            columns=[
                "id",
                "source",
                "code",
                "kind",
                "status",
                "status_text",
                "carrier",
                "created_at",
                "checked_at",
                "next_check_at",
                "last_event_at",
                "fingerprint",
                "followers",
            ],
        )
        await conn.copy_records_to_table(
            "subscriptions",
            records=[(i + 1, 1, i + 1, "", "", 0, 0, now_ms) for i in range(stored)],
            columns=[
                "id",
                "user_id",
                "shipment_id",
                "label",
                "label_folded",
                "muted",
                "archived",
                "created_at",
            ],
        )
        for table in ("shipments", "subscriptions", "users"):
            await conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def make_due_again(url: str, due: int) -> None:
    """Every run starts from the same state: the due rows due again, the table vacuumed.

    Autovacuum is off for this database's tables (see `seed`), so that no vacuum starts in the
    middle of one run and not of another; the bench vacuums here, untimed.
    """
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "UPDATE shipments SET next_check_at = $1, claimed_until = NULL WHERE id <= $2",
            int(time.time() * 1000) - 60_000,
            due,
        )
        await conn.execute("VACUUM ANALYZE shipments")
    finally:
        await conn.close()


async def drain(url: str, ready: Any, start: Any, results: Any) -> None:
    """Open the pool and build the poller first, as a running worker has; time the tick alone."""
    db = await open_database(url, migrate=False)
    try:
        sources = Sources([InstantSource()], system_clock)
        tracking = TrackingService(db, sources, system_clock, 3600)
        poller = Poller(tracking, lease=timedelta(minutes=5), tick_limit=10_000_000)
        async with db.read() as tx:  # every pooled connection is open before the start line
            await tx.session.fetch_one("SELECT 1 AS one")
        ready.put(os.getpid())
        await asyncio.to_thread(start.wait)
        began = time.perf_counter()
        report = await poller.tick()
        results.put((report.batches.polled, began, time.perf_counter()))
    finally:
        await db.close()


def worker(url: str, ready: Any, start: Any, results: Any) -> None:
    asyncio.run(drain(url, ready, start, results))


def timed_run(url: str, workers: int) -> tuple[int, float]:
    context = multiprocessing.get_context("fork")
    ready, start, results = context.Queue(), context.Event(), context.Queue()
    processes = [
        context.Process(target=worker, args=(url, ready, start, results)) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    start.set()
    outcomes = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    polled = sum(o[0] for o in outcomes)
    elapsed = max(o[2] for o in outcomes) - min(o[1] for o in outcomes)
    return polled, elapsed


async def create_database() -> tuple[str, str]:
    name = f"bench_poll_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name, url_for(name)


async def drop_database(name: str) -> None:
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.poll --postgres")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--stored", type=int, default=200_000)
    parser.add_argument("--due", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    name, url = asyncio.run(create_database())
    try:
        asyncio.run(seed(url, args.stored, args.due))
        figures: dict[int, list[float]] = {1: [], 2: []}
        # Round 0 warms up (the freshly copied table has no free space in its pages, so its
        # first updates cost more than any later ones); then the order alternates, so a slow
        # spell of the machine does not always fall on the same side.
        for round_ in range(args.repeats + 1):
            for workers in (1, 2) if round_ % 2 else (2, 1):
                asyncio.run(make_due_again(url, args.due))
                polled, elapsed = timed_run(url, workers)
                if polled != args.due:
                    raise SystemExit(f"{workers} worker(s) polled {polled}, expected {args.due}")
                label = "warm-up, " if round_ == 0 else ""
                print(
                    f"{label}{workers} worker(s): {polled} due in {elapsed:.2f} s "
                    f"= {polled / elapsed:,.0f} due/s"
                )
                if round_:
                    figures[workers].append(polled / elapsed)
    finally:
        asyncio.run(drop_database(name))
    one, two = sorted(figures[1])[len(figures[1]) // 2], sorted(figures[2])[len(figures[2]) // 2]
    result = {
        "engine": "postgresql",
        "stored": args.stored,
        "due": args.due,
        "due_per_s_1_worker": round(one, 1),
        "due_per_s_2_workers": round(two, 1),
        "two_workers_vs_one": round(two / one, 3),
        "target_two_workers_vs_one": 1.5,
        "environment": environment(),
    }
    print(f"two workers vs one: {result['two_workers_vs_one']} (target 1.5)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
