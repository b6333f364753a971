"""Poll-tick throughput on PostgreSQL: one worker process against two, on one database.

Seeds a fresh database with N shipments of which D are due, all answered instantly by a
zero-latency source with what is stored (the unchanged path, which dominates a real tick),
then lets one worker, and then two workers side by side, drain the due rows through the real
`Poller` (claims with FOR UPDATE SKIP LOCKED). Each worker opens its connection pool and builds
its poller before the common start line, as a running worker has them; the time covers the
tick alone, from the start line to the last worker's end. Prints figures; the last line is JSON
with `due_per_s_1_worker`, `due_per_s_2_workers` and `two_workers_vs_one`. Beside them, the CPU
time of the workers and of PostgreSQL's processes in each run (read from /proc where there is one,
so other work on the machine does not count), the cores they kept busy, and
`machine_ceiling_vs_one`: what two workers could reach at most on this machine if every core were
busy at one worker's cost per row.

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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from bench.common import cpu_seconds_by_process, environment
from bot.fingerprints import fingerprint
from bot.poller import Poller
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


async def drain(url: str, ready: Any, start: Any, results: Any, release: Any) -> None:
    """Open the pool and build the poller first, as a running worker has; time the tick alone.

    The pool stays open until `release`, so that its server processes are still there when the
    parent reads their CPU time.
    """
    db = await open_database(url, migrate=False)
    try:
        sources = Sources([InstantSource()], system_clock)
        tracking = TrackingService(db, sources, system_clock, 3600)
        poller = Poller(tracking, lease=timedelta(minutes=5), tick_limit=10_000_000)
        async with db.read() as tx:  # every pooled connection is open before the start line
            await tx.session.fetch_one("SELECT 1 AS one")
        ready.put(os.getpid())
        await asyncio.to_thread(start.wait)
        began, cpu_began = time.perf_counter(), time.process_time()
        report = await poller.tick()
        ended, cpu = time.perf_counter(), time.process_time() - cpu_began
        results.put((report.batches.polled, began, ended, cpu))
        await asyncio.to_thread(release.wait)
    finally:
        await db.close()


def worker(url: str, ready: Any, start: Any, results: Any, release: Any) -> None:
    asyncio.run(drain(url, ready, start, results, release))


@dataclass(frozen=True)
class Run:
    polled: int
    seconds: float
    worker_cpu_s: float  # the workers' own processes
    server_cpu_s: float | None  # PostgreSQL's processes (backends, WAL writer...), where known

    @property
    def cores_busy(self) -> float | None:
        if self.server_cpu_s is None:
            return None
        return (self.worker_cpu_s + self.server_cpu_s) / self.seconds

    @property
    def cpu_ms_per_1000(self) -> float | None:
        """Workers' and server's CPU per thousand rows: above one worker's, it is contention."""
        if self.server_cpu_s is None:
            return None
        return (self.worker_cpu_s + self.server_cpu_s) / self.polled * 1_000_000


def server_cpu_spent(
    before: dict[int, float] | None, after: dict[int, float] | None
) -> float | None:
    if before is None or after is None:
        return None
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def timed_run(url: str, workers: int) -> Run:
    context = multiprocessing.get_context("fork")
    ready, start, results = context.Queue(), context.Event(), context.Queue()
    release = context.Event()
    processes = [
        context.Process(target=worker, args=(url, ready, start, results, release))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    server_before = cpu_seconds_by_process("postgres")
    start.set()
    outcomes = [results.get(timeout=600) for _ in processes]
    server_after = cpu_seconds_by_process("postgres")
    release.set()
    for process in processes:
        process.join()
    return Run(
        polled=sum(o[0] for o in outcomes),
        seconds=max(o[2] for o in outcomes) - min(o[1] for o in outcomes),
        worker_cpu_s=sum(o[3] for o in outcomes),
        server_cpu_s=server_cpu_spent(server_before, server_after),
    )


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


def describe(run: Run, workers: int, *, warm_up: bool) -> str:
    line = (
        f"{'warm-up, ' if warm_up else ''}{workers} worker(s): {run.polled} due in"
        f" {run.seconds:.2f} s = {run.polled / run.seconds:,.0f} due/s;"
        f" CPU: workers {run.worker_cpu_s:.2f} s"
    )
    if run.cores_busy is None:
        return line
    return f"{line}, PostgreSQL {run.server_cpu_s:.2f} s = {run.cores_busy:.2f} cores busy"


def median(values: Sequence[float]) -> float:
    return sorted(values)[len(values) // 2]


def rounded_median(values: Sequence[float], digits: int) -> float | None:
    return round(median(values), digits) if values else None


def machine_ceiling(cores_busy_one_worker: Sequence[float]) -> float | None:
    """The most two workers could gain here: twice one, or every core busy at one's cost per row.

    The database server shares the machine's cores with the workers, so on a small machine its
    share of each row's cost, not the workers' code, sets this bound.
    """
    cpus = os.cpu_count()
    if not cores_busy_one_worker or not cpus:
        return None
    return round(min(2.0, cpus / median(cores_busy_one_worker)), 3)


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
        cores_busy: dict[int, list[float]] = {1: [], 2: []}
        cpu_per_1000: dict[int, list[float]] = {1: [], 2: []}
        # Round 0 warms up (the freshly copied table has no free space in its pages, so its
        # first updates cost more than any later ones); then the order alternates, so a slow
        # spell of the machine does not always fall on the same side.
        for round_ in range(args.repeats + 1):
            for workers in (1, 2) if round_ % 2 else (2, 1):
                asyncio.run(make_due_again(url, args.due))
                run = timed_run(url, workers)
                if run.polled != args.due:
                    raise SystemExit(
                        f"{workers} worker(s) polled {run.polled}, expected {args.due}"
                    )
                print(describe(run, workers, warm_up=round_ == 0))
                if round_:
                    figures[workers].append(run.polled / run.seconds)
                    if run.cores_busy is not None and run.cpu_ms_per_1000 is not None:
                        cores_busy[workers].append(run.cores_busy)
                        cpu_per_1000[workers].append(run.cpu_ms_per_1000)
    finally:
        asyncio.run(drop_database(name))
    one, two = median(figures[1]), median(figures[2])
    ceiling = machine_ceiling(cores_busy[1])
    result = {
        "engine": "postgresql",
        "stored": args.stored,
        "due": args.due,
        "due_per_s_1_worker": round(one, 1),
        "due_per_s_2_workers": round(two, 1),
        "two_workers_vs_one": round(two / one, 3),
        "target_two_workers_vs_one": 1.5,
        "cores_busy_1_worker": rounded_median(cores_busy[1], 2),
        "cores_busy_2_workers": rounded_median(cores_busy[2], 2),
        "cpu_ms_per_1000_due_1_worker": rounded_median(cpu_per_1000[1], 1),
        "cpu_ms_per_1000_due_2_workers": rounded_median(cpu_per_1000[2], 1),
        "machine_ceiling_vs_one": ceiling,
        "environment": environment(),
    }
    print(f"two workers vs one: {result['two_workers_vs_one']} (target 1.5)")
    if ceiling is not None:
        print(
            f"one worker keeps {result['cores_busy_1_worker']} of {os.cpu_count()} cores busy"
            f" (itself and PostgreSQL): with every core busy at that cost per row, two workers"
            f" could reach at most {ceiling}x one here; they spend"
            f" {result['cpu_ms_per_1000_due_2_workers']} ms of CPU per 1,000 rows against one"
            f" worker's {result['cpu_ms_per_1000_due_1_worker']}"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
