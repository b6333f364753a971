"""Poll benchmark: due shipments one poll tick gets through per second, with 10k to 1M stored.

`python -m bench.poll [--sizes 10000,100000,1000000] [--due 5000] [--repeats 5] [--quick]`

For each size a fresh SQLite file is migrated by `open_database` and then bulk-loaded with
sqlite3 in a forked child (so the loader's cache never counts in this process's memory): users,
shipments with one or two subscriptions each, two to four events each, the fingerprint of what
the source is going to answer, and `next_check_at`. A fixed number D of shipments, spread evenly
over the id range, are due now; one in seven of the rest is delivered (no longer polled) and the
others fall due within the next three hours. The real `Poller.tick()` then runs, built by
`assemble()` with a ManualClock and a source that answers at once, exactly as stored: unchanged
for most numbers (the fingerprint path), one new event for a share of them (default 5 %, a fresh
sample each tick) which takes the change path: event insert, shipment update, followers, alert
rows in the outbox. Between ticks the same D numbers are made due again through the
repositories, untimed, and that reset's writes are checkpointed into the file. The first tick
(cold caches) is reported apart; the figure per size is the median of the others. The smallest
size stays open and ticks again between the ticks of each larger size: the 1M/10k ratio divides
medians taken side by side, so a busy spell of the machine weighs on both. The resident memory
of a larger size therefore includes the smallest one's (a few MB). Readable lines come first;
the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import multiprocessing
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import environment, load_averages, s10_code, warn_if_busy
from bot.app import assemble
from bot.config import Settings, load_settings
from bot.fingerprints import fingerprint
from bot.poller import TickReport
from bot.runner import settle_heap
from providers.base import Outcome, TrackEvent, TrackResult
from providers.clock import ManualClock
from providers.codes import CodeKind
from providers.statuses import Status
from storage import open_database
from storage.sql import to_ms

TARGET_DUE_PER_S = 5000.0
TARGET_SCALING = 1.3
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Row = tuple[Any, ...]
SIZE_NAMES = {10_000: "10k", 100_000: "100k", 1_000_000: "1m"}
SOURCE = "track17"  # routed and judged like the real parcel source
SERIAL_BASE = 10_000_000
USER_BASE = 1_000_000_000
SEED_CHUNK = 20_000
POLL_INTERVAL_S = 3600.0
MASK64 = 2**64 - 1

ACTIVE = (
    Status.IN_TRANSIT,
    Status.IN_TRANSIT,
    Status.IN_TRANSIT,
    Status.CUSTOMS,
    Status.INFO_RECEIVED,
    Status.READY_FOR_PICKUP,
)
WORDING = {
    Status.INFO_RECEIVED: "Электронные данные получены",
    Status.IN_TRANSIT: "Покинуло сортировочный центр",
    Status.CUSTOMS: "Прием на таможню",
    Status.READY_FOR_PICKUP: "Прибыло в место вручения",
    Status.DELIVERED: "Вручение адресату",
}
PLACES = ("Шэньчжэнь", "Урумчи", "Москва ЦМП", "Внуково", "Подольск", "Казань", "Новосибирск")
CARRIERS = ("China Post", "Почта России", "Cainiao")


# ------------------------------------------------------------------ the stored world


def mix(i: int) -> int:
    """splitmix64 of a serial: its traits must not line up with the stride of the due ones.

    With plain `i % k`, every due serial (a multiple of size/due) would look alike, and alike
    in a different way at each size.
    """
    x = (i * 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


@dataclass(frozen=True, slots=True)
class Serial:
    """What one stored number looks like, derived from its serial alone."""

    status: Status
    followers: tuple[int, ...]
    hours_ago: int  # since the last event
    events: int
    place: int
    carrier: str
    labelled: bool
    due_offset_s: int

    @property
    def shape(self) -> tuple[Status, int, int, int]:
        """What its history depends on; a few thousand shapes cover any number of serials."""
        return self.status, self.hours_ago, self.events, self.place


@dataclass(frozen=True, slots=True)
class World:
    """Which serials exist, which are due and what each looks like; pure and deterministic."""

    size: int
    due: int

    @property
    def users(self) -> int:
        return max(100, self.size // 4)

    def is_due(self, i: int) -> bool:
        # Exactly `due` serials, evenly spread over the id range (multiples of size/due).
        return (i * self.due) % self.size < self.due

    def due_serials(self) -> list[int]:
        return [i for i in range(self.size) if self.is_due(i)]

    def serial(self, i: int) -> Serial:
        h, first = mix(i), USER_BASE + i % self.users
        delivered = h % 7 == 6 and not self.is_due(i)
        h //= 7
        two = h % 4 == 0
        h //= 4
        return Serial(
            Status.DELIVERED if delivered else ACTIVE[h % len(ACTIVE)],
            (first, USER_BASE + (i + self.users // 2) % self.users) if two else (first,),
            hours_ago=1 + h // 6 % 30,
            events=2 + h // 180 % 3,
            place=h // 540 % len(PLACES),
            carrier=CARRIERS[h // 3780 % len(CARRIERS)],
            labelled=h // 11_340 % 3 == 0,
            due_offset_s=h // 34_020 % 600,
        )

    def due_at(self, i: int) -> datetime:
        return NOW - timedelta(seconds=self.serial(i).due_offset_s)


def code_of(i: int) -> str:
    return s10_code(SERIAL_BASE + i)


def serial_of(code: str) -> int:
    return int(code[2:10]) - SERIAL_BASE


def answer(world: World, i: int, extra: Sequence[TrackEvent] = ()) -> TrackResult:
    """What the source says about serial i; recent enough that no stall notice is due."""
    serial = world.serial(i)
    status, events = _history(*serial.shape)
    events += tuple(extra)
    return TrackResult(code_of(i), status, events, serial.carrier, events[-1].description)


@functools.cache
def _history(
    status: Status, hours_ago: int, count: int, place: int
) -> tuple[Status, tuple[TrackEvent, ...]]:
    last_at = NOW - timedelta(hours=hours_ago, days=9 if status is Status.DELIVERED else 0)
    middle = Status.INFO_RECEIVED if status is Status.INFO_RECEIVED else Status.IN_TRANSIT
    steps = [Status.INFO_RECEIVED] + [middle] * (count - 2) + [status]
    events = tuple(
        TrackEvent(
            last_at - timedelta(hours=11 * (count - 1 - k)),
            step,
            WORDING[step],
            PLACES[(place + k) % len(PLACES)],
        )
        for k, step in enumerate(steps)
    )
    return status, events


@functools.cache
def _stored(
    shape: tuple[Status, int, int, int], carrier: str
) -> tuple[str, list[tuple[int, str, str, str]]]:
    """The fingerprint and event rows of one shape, computed once (they hold no code)."""
    status, events = _history(*shape)
    digest = fingerprint(TrackResult("", status, events, carrier, events[-1].description))
    return digest, [
        (to_ms(e.occurred_at), e.status.value, e.description, e.location) for e in events
    ]


class ZeroLatencySource:
    """Answers a batch at once with what is stored, plus the events `bump` added since.

    Answers are built before the timed ticks, so the source's own work is a dict look-up per
    number and the tick's time is the bot's.
    """

    name = SOURCE

    def __init__(self, world: World, serials: Sequence[int], max_batch: int) -> None:
        self.world = world
        self.max_batch = max_batch
        self.rate_per_second = 1_000_000.0  # never the bottleneck
        self.extra: dict[int, list[TrackEvent]] = {}
        self.answers: dict[str, Outcome] = {code_of(i): answer(world, i) for i in serials}

    def bump(self, serials: Sequence[int], tick: int) -> None:
        """One new event for each serial, newer than everything it had."""
        at = NOW - timedelta(minutes=30) + timedelta(seconds=tick)
        for i in serials:
            status = self.world.serial(i).status
            place = PLACES[(i + tick) % len(PLACES)]
            events = self.extra.setdefault(i, [])
            events.append(TrackEvent(at, status, WORDING[status], place))
            self.answers[code_of(i)] = answer(self.world, i, events)

    async def fetch(self, codes: Sequence[str]) -> Mapping[str, Outcome]:
        answers = self.answers
        return {code: answers.get(code) or answer(self.world, serial_of(code)) for code in codes}

    async def stop(self, codes: Sequence[str]) -> None:
        return None


# ------------------------------------------------------------------ bulk loading


def _rows(world: World, start: int, stop: int) -> tuple[list[Row], list[Row], list[Row]]:
    shipments: list[Row] = []
    subscriptions: list[Row] = []
    events: list[Row] = []
    created = to_ms(NOW - timedelta(days=20))
    checked = to_ms(NOW - timedelta(hours=1))
    for i in range(start, stop):
        serial = world.serial(i)
        digest, history = _stored(serial.shape, serial.carrier)
        if world.is_due(i):
            next_at: int | None = to_ms(NOW - timedelta(seconds=serial.due_offset_s))
        elif serial.status is Status.DELIVERED:
            next_at = None
        else:
            next_at = to_ms(NOW + timedelta(minutes=10, seconds=(i * 37) % 10_800))
        followers = serial.followers
        last_at, status, text, _ = history[-1]
        shipments.append(
            (
                i + 1,
                SOURCE,
                code_of(i),
                CodeKind.S10.value,
                status,
                text,
                serial.carrier,
                created,
                checked,
                next_at,
                last_at,
                len(followers),
                digest,
            )
        )
        label = f"посылка {i}" if serial.labelled else ""
        subscriptions += [(user, i + 1, label, label, created) for user in followers]
        events += [(i + 1, *event) for event in history]
    return shipments, subscriptions, events


def _chunks(size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, size, SEED_CHUNK):
        yield start, min(size, start + SEED_CHUNK)


def _load(path: str, world: World) -> None:
    """The bulk load itself (runs in the child): one transaction, no journal to speak of."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("BEGIN")
    now = to_ms(NOW - timedelta(days=30))
    conn.executemany(
        "INSERT INTO users (id, tg_language, notifications, active, created_at)"
        " VALUES (?, ?, 1, 1, ?)",
        ((USER_BASE + u, "en" if u % 5 == 0 else "ru", now) for u in range(world.users)),
    )
    for start, stop in _chunks(world.size):
        shipments, subscriptions, events = _rows(world, start, stop)
        conn.executemany(
            "INSERT INTO shipments (id, source, code, kind, status, status_text, carrier,"
            " created_at, checked_at, next_check_at, last_event_at, followers, fingerprint)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            shipments,
        )
        conn.executemany(
            "INSERT INTO subscriptions (user_id, shipment_id, label, label_folded, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            subscriptions,
        )
        conn.executemany(
            "INSERT INTO events (shipment_id, occurred_at, status, description, location)"
            " VALUES (?, ?, ?, ?, ?)",
            events,
        )
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


async def build_database(path: Path, world: World) -> float:
    """Migrate with the bot's own code, then bulk-load in a child process; returns seconds."""
    started = time.perf_counter()
    db = await open_database(f"sqlite:///{path}")
    await db.close()
    child = multiprocessing.get_context("fork").Process(target=_load, args=(str(path), world))
    child.start()
    await asyncio.to_thread(child.join)
    if child.exitcode != 0:
        raise RuntimeError(f"seeding {world.size} shipments failed (exit {child.exitcode})")
    await asyncio.to_thread(os.sync)  # the load's writes reach the disk before any timed tick
    return time.perf_counter() - started


# ------------------------------------------------------------------ measuring


@dataclass(slots=True)
class SizeResult:
    size: int
    seed_s: float
    db_mb: float
    cold_s: float = 0.0
    ticks_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)
    rss_mb: float = 0.0

    def due_per_s(self, due: int) -> float:
        return due / statistics.median(self.ticks_s)

    def cpu_us_per_due(self, due: int) -> float:
        return statistics.median(self.cpu_s) / due * 1e6


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return peak_rss_mb()
    return pages * resource.getpagesize() / 2**20


def peak_rss_mb() -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def settings_for(path: Path) -> Settings:
    return load_settings(
        database_url=f"sqlite:///{path}",
        demo_source=False,
        bot_token=None,
        redis_url=None,  # nothing shared with other processes, whatever the environment says
        poll_interval_seconds=POLL_INTERVAL_S,
        _env_file=None,
    )


def check(report: TickReport, due: int, changed: int) -> None:
    """A tick that did something else than intended must not pass for a fast one."""
    got = (report.due, report.batches.polled, report.batches.changed, report.batches.failed)
    if got != (due, due, changed, 0) or report.deferred or report.unfollowed:
        raise RuntimeError(f"unexpected tick: {report}")


class SizeRun:
    """One stored size: its database, the assembled app and the ticks timed on it."""

    def __init__(self, world: World, plan: Plan, workdir: Path) -> None:
        self.world = world
        self.plan = plan
        self.path = workdir / f"poll-{world.size}.sqlite3"
        self.serials = world.due_serials()
        self.source = ZeroLatencySource(world, self.serials, plan.batch)
        self.rng = random.Random(world.size)
        self.stack = contextlib.AsyncExitStack()
        self.result = SizeResult(world.size, 0.0, 0.0)
        self.ticks = 0

    async def open(self) -> None:
        self.result.seed_s = await build_database(self.path, self.world)
        self.result.db_mb = self.path.stat().st_size / 2**20
        self.app = await self.stack.enter_async_context(
            assemble(
                settings_for(self.path),
                clock=ManualClock(NOW),
                providers=[self.source],
                with_bot=False,
            )
        )
        if self.world.due > self.app.poller.tick_limit:
            raise SystemExit(f"--due {self.world.due}: a tick takes {self.app.poller.tick_limit}")

    async def tick(self, into: list[float] | None = None) -> None:
        """One timed tick; the first (cold) is kept apart, the others go to `into`."""
        if self.ticks:
            # Untimed: the same numbers due again, and that reset's writes copied into the file.
            async with self.app.db.transaction() as tx:
                await tx.shipments.mark_checked(
                    [(i + 1, NOW - timedelta(hours=1), self.world.due_at(i)) for i in self.serials]
                )
            await asyncio.to_thread(checkpoint, self.path)
        changed = self.rng.sample(self.serials, round(len(self.serials) * self.plan.changed))
        self.source.bump(changed, self.ticks)
        cpu, wall = time.process_time(), time.perf_counter()
        report = await self.app.poller.tick()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        check(report, self.world.due, len(changed))
        if self.ticks == 0:
            self.result.cold_s = wall
        elif into is not None:
            into.append(wall)
        else:
            self.result.ticks_s.append(wall)
            self.result.cpu_s.append(cpu)
        self.ticks += 1

    async def close(self) -> None:
        await self.stack.aclose()
        self.path.unlink()


def checkpoint(path: Path) -> None:
    """Copy the untimed reset's writes into the file before the next tick, so that the
    background checkpoint during a tick copies that tick's own writes only."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        conn.close()


# ------------------------------------------------------------------ the run


@dataclass(frozen=True, slots=True)
class Plan:
    sizes: tuple[int, ...]
    due: int
    repeats: int
    batch: int
    changed: float


def parse_args(argv: Sequence[str] | None = None) -> Plan:
    parser = argparse.ArgumentParser(prog="python -m bench.poll", description=__doc__)
    parser.add_argument("--sizes", help="shipments stored (default 10000,100000,1000000)")
    parser.add_argument("--due", type=int, help="shipments due per tick (default 5000)")
    parser.add_argument("--repeats", type=int, help="timed ticks per size (default 5)")
    parser.add_argument("--batch", type=int, default=100, help="numbers per source call")
    parser.add_argument("--changed", type=float, default=0.05, help="share with a new event")
    parser.add_argument("--quick", action="store_true", help="10k and 100k, 2000 due, 3 ticks")
    args = parser.parse_args(argv)
    default_sizes = "10000,100000" if args.quick else "10000,100000,1000000"
    sizes = tuple(int(s) for s in (args.sizes or default_sizes).split(","))
    due = args.due or (2000 if args.quick else 5000)
    repeats = args.repeats or (3 if args.quick else 5)
    if min(sizes) < due or due < 1 or repeats < 1 or not 0 <= args.changed <= 1:
        parser.error("every size must hold at least --due shipments; --changed in 0..1")
    return Plan(sizes, due, repeats, max(1, args.batch), args.changed)


def summary(
    plan: Plan, results: Sequence[SizeResult], alongside: Mapping[int, Sequence[float]]
) -> dict[str, Any]:
    by_name = {SIZE_NAMES.get(r.size, str(r.size)): r for r in results}
    out: dict[str, Any] = {
        f"due_per_s_{name}": round(by_name[name].due_per_s(plan.due), 1)
        if name in by_name
        else None
        for name in SIZE_NAMES.values()
    }
    small, large = by_name.get("10k"), by_name.get("1m")
    ratio = None
    if small and large:
        # Against the small size's ticks taken in between the large one's (same conditions).
        reference = alongside.get(large.size) or small.ticks_s
        ratio = round(statistics.median(large.ticks_s) / statistics.median(reference), 3)
    out["per_due_1m_vs_10k"] = ratio
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["targets"] = {"due_per_s_min": TARGET_DUE_PER_S, "per_due_1m_vs_10k_max": TARGET_SCALING}
    out["met"] = all(r.due_per_s(plan.due) >= TARGET_DUE_PER_S for r in results) and (
        ratio is None or ratio <= TARGET_SCALING
    )
    out["sizes"] = {
        name: {
            "stored": r.size,
            "due_per_s": round(r.due_per_s(plan.due), 1),
            "cold_due_per_s": round(plan.due / r.cold_s, 1),
            "cpu_us_per_due": round(r.cpu_us_per_due(plan.due), 1),
            "ticks_s": [round(t, 4) for t in r.ticks_s],
            "smallest_size_ticks_alongside_s": [round(t, 4) for t in alongside.get(r.size, ())],
            "rss_mb": round(r.rss_mb, 1),
            "db_mb": round(r.db_mb, 1),
            "seed_s": round(r.seed_s, 1),
        }
        for name, r in by_name.items()
    }
    out["plan"] = {
        "due": plan.due,
        "repeats": plan.repeats,
        "batch": plan.batch,
        "changed_share": plan.changed,
    }
    return out


def line(name: str, r: SizeResult, due: int) -> str:
    return (
        f"{name:>5} stored: {r.due_per_s(due):8.0f} due/s median"
        f" ({1e6 / r.due_per_s(due):6.1f} µs/due, cpu {r.cpu_us_per_due(due):6.1f} µs/due),"
        f" cold {due / r.cold_s:8.0f} due/s, rss {r.rss_mb:6.1f} MB,"
        f" db {r.db_mb:6.0f} MB, seeded in {r.seed_s:5.1f} s"
    )


async def run(plan: Plan) -> dict[str, Any]:
    results = []
    load_before = load_averages()
    warn_if_busy(load_before)
    alongside: dict[int, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-poll-") as tmp:
        reference: SizeRun | None = None
        try:
            for size in sorted(plan.sizes):
                run_ = SizeRun(World(size, plan.due), plan, Path(tmp))
                await run_.open()
                settle_heap()  # as `python -m bot run` does once the app is assembled
                await run_.tick()
                alongside[size] = []
                for _ in range(plan.repeats):
                    # The smallest size ticks again between the others' ticks, so that the
                    # ratio compares times taken under the same conditions of the machine.
                    if reference is not None:
                        await reference.tick(into=alongside[size])
                    await run_.tick()
                run_.result.rss_mb = current_rss_mb()
                if reference is None:
                    reference = run_
                else:
                    await run_.close()
                results.append(run_.result)
                print(line(SIZE_NAMES.get(size, str(size)), run_.result, plan.due), flush=True)
        finally:
            if reference is not None:
                await reference.close()
    out = summary(plan, results, alongside)
    out["environment"] = {
        **environment(),
        "sqlite": sqlite3.sqlite_version,
        "load_average_before": load_before,
        "load_average_after": load_averages(),
    }
    return out


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--postgres" in args:  # one worker against two on PostgreSQL: bench/poll_postgres.py
        from bench import poll_postgres  # noqa: PLC0415 - asyncpg only for this mode

        poll_postgres.main(args)
        return
    plan = parse_args(argv)
    print(
        f"poll tick: {plan.due} due per tick among {', '.join(map(str, plan.sizes))} stored;"
        f" batches of {plan.batch}, {plan.changed:.0%} with a new event; median of"
        f" {plan.repeats} ticks after a cold one",
        flush=True,
    )
    out = asyncio.run(run(plan))
    print(
        f"targets: >= {TARGET_DUE_PER_S:.0f} due/s at every size, 1M/10k time per due"
        f" <= {TARGET_SCALING}: {'met' if out['met'] else 'NOT met'}"
        f" (ratio {out['per_due_1m_vs_10k']}, peak rss {out['peak_rss_mb']} MB)"
    )
    print(f"environment: {out['environment']}")
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
