"""Dispatch benchmark: the full stack's updates per second and latency beside a bare aiogram bot.

`python -m bench.dispatch [--updates N] [--quick] [--rate R] [--items K] [--profile DIR]`

This process runs the fake Bot API (tests.fakes.telegram, on 127.0.0.1) and the load driver;
each bot runs in its own child process (see bench.procs) and long-polls that server, so on two
cores the bot has one to itself and the server's own work (HTTP, HTML checks, recording) counts
against neither bot. The full stack (assemble(): SQLite file, demo source) goes first: a warm-up,
a burst of "add a code", a burst of "/status" (see bench.workload), then both again at a steady
rate. The bare bot (one handler, `message.answer(message.text)`) then gets the same warm-up,
burst and steady rate, and the bare card bot (one handler answering with the full stack's card
for an added code, rendered once) a warm-up and a burst: what the card alone lets a bot reach.
Bursts give the updates-per-second figures; the steady phases, offered one rate for every bot
(half the full stack's slower burst figure unless --rate), give the p50/p99 latencies.
Human-readable lines come first; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import report
from bench.bots import BotSpec
from bench.common import environment, load_average
from bench.load import Driver
from bench.procs import bot_process
from bench.report import BareRun, FullRun
from bench.workload import POOL_SIZE, Workload, added, carded, echoed
from tests.fakes.telegram import FakeTelegram

TARGET_RATIO = 0.6


@dataclass(frozen=True, slots=True)
class Plan:
    updates: int
    warmup: int
    paced: int
    items: int
    rate: float | None
    profile_dir: Path | None


def parse_args(argv: Sequence[str] | None = None) -> Plan:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dispatch",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--updates", type=int, help="updates per burst (default 800; quick 200)")
    parser.add_argument("--quick", action="store_true", help="a small run to check it works")
    parser.add_argument("--rate", type=float, help="steady rate in updates/s for the latencies")
    parser.add_argument("--items", type=int, default=3, help="items each /status user follows")
    parser.add_argument("--profile", type=Path, help="write each bot's cProfile stats here")
    args = parser.parse_args(argv)
    updates = args.updates or (200 if args.quick else 800)
    if updates < 10 or not 1 <= args.items <= POOL_SIZE:
        parser.error(f"--updates must be at least 10 and --items between 1 and {POOL_SIZE}")
    return Plan(
        updates=updates,
        warmup=max(10, min(200, updates // 5)),
        paced=max(10, min(200, updates // 4)),
        items=args.items,
        rate=args.rate,
        profile_dir=args.profile,
    )


async def run_full(tg: FakeTelegram, plan: Plan, work: Workload, tmp: Path) -> FullRun:
    spec = BotSpec(
        kind="full",
        token=tg.token,
        api_url=tg.base_url,
        database_path=str(tmp / "bench.sqlite3"),
        followers=work.followers(plan.updates),
        profile_path=_profile_path(plan, "full"),
    )
    n, w = plan.updates, plan.warmup
    started = time.monotonic()
    async with bot_process(tg, spec) as pid:
        ready_s = time.monotonic() - started
        driver = Driver(tg, pid)
        await driver.run(work.adds(0, w), added)
        await driver.run(work.statuses(0, w), work.status_check())
        add = await driver.run(work.adds(w, n), added)
        status = await driver.run(work.statuses(0, n), work.status_check())
        rate = plan.rate or round(0.5 * min(add.per_s, status.per_s), 1)
        add_paced = await driver.run(work.adds(w + n, plan.paced), added, rate)
        status_paced = await driver.run(work.statuses(0, plan.paced), work.status_check(), rate)
    return FullRun(ready_s, rate, add, status, add_paced, status_paced)


async def run_bare(tg: FakeTelegram, plan: Plan, work: Workload, rate: float) -> BareRun:
    spec = BotSpec(
        kind="bare", token=tg.token, api_url=tg.base_url, profile_path=_profile_path(plan, "bare")
    )
    n, w = plan.updates, plan.warmup
    async with bot_process(tg, spec) as pid:
        driver = Driver(tg, pid)
        await driver.run(work.echoes(0, w), echoed)
        bare = await driver.run(work.echoes(w, n), echoed)
        bare_paced = await driver.run(work.echoes(w + n, plan.paced), echoed, rate)
    card_spec = BotSpec(
        kind="card", token=tg.token, api_url=tg.base_url, profile_path=_profile_path(plan, "card")
    )
    async with bot_process(tg, card_spec) as pid:
        driver = Driver(tg, pid)
        await driver.run(work.echoes(0, w), carded)
        card = await driver.run(work.echoes(w, n), carded)
    return BareRun(bare, bare_paced, card)


def _profile_path(plan: Plan, kind: str) -> str | None:
    if plan.profile_dir is None:
        return None
    plan.profile_dir.mkdir(parents=True, exist_ok=True)
    return str(plan.profile_dir / f"{kind}.prof")


async def measure(plan: Plan) -> tuple[FullRun, BareRun]:
    with tempfile.TemporaryDirectory(prefix="bench-dispatch-") as tmp:
        async with FakeTelegram() as tg:
            work = Workload(tg, plan.items)
            full = await run_full(tg, plan, work, Path(tmp))
            bare = await run_bare(tg, plan, work, full.rate)
    return full, bare


def main(argv: Sequence[str] | None = None) -> int:
    plan = parse_args(argv)
    env = environment()
    print(
        f"dispatch benchmark: {plan.updates} updates per burst, {plan.paced} at a steady rate, "
        f"{plan.warmup} warm-up; python {env['python']}, aiogram {env['aiogram']}, "
        f"{env['cpu_count']} CPUs; fake Bot API here, each bot in its own process",
        flush=True,
    )
    if busy := report.busy_machine(env):
        print(busy, flush=True)
    full, bare = asyncio.run(measure(plan))
    settings = {
        "updates": plan.updates,
        "paced_updates": plan.paced,
        "warmup": plan.warmup,
        "items_per_status_user": plan.items,
        "burst": "all updates pushed at once; throughput = updates / (last reply - push)",
        "paced": "steady rate, same for all bots; latency = reply received - update pushed",
        "processes": "fake Bot API + driver in one process, each bot in a forked child",
    }
    data = report.summary(full, bare, TARGET_RATIO, settings)
    data["env"] = {**env, "load_average_after": load_average()}
    for line in report.lines(full, bare, data):
        print(line)
    print(json.dumps(data, ensure_ascii=False), flush=True)
    return 1 if data["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
