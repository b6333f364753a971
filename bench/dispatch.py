"""Dispatch benchmark: the full stack's updates per second and latency beside a bare aiogram bot.

`python -m bench.dispatch [--updates N] [--quick] [--rate R] [--profile DIR]`

This process runs the fake Bot API (tests.fakes.telegram, on 127.0.0.1) and the load driver; each
bot runs in its own spawned child process and long-polls that server, so on two cores the bot
has one to itself and the server's own work (HTTP, HTML checks, recording) does not count against
either bot. The full stack (assemble(): SQLite file, demo source) runs first: a warm-up, a burst
of "add a code" (each update a new user sending a new valid S10 code), a burst of "/status" (each
update a user who follows a few items), then both again at a steady rate. The bare bot (one
handler, `message.answer(message.text)`) then gets the same warm-up, burst and steady rate.
Bursts give the updates-per-second figures; the steady phases, offered the same rate to every bot
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
from typing import Any

from bench import report
from bench.bots import BotSpec
from bench.common import environment, s10_code
from bench.load import Driver, Outgoing, ReplyCheck
from bench.procs import bot_process
from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram

TARGET_RATIO = 0.6
ADD_USERS, STATUS_USERS, BARE_USERS = 100_000_000, 200_000_000, 300_000_000
ADD_SERIALS, POOL_SERIALS, BARE_SERIALS = 10_000_000, 20_000_000, 30_000_000
POOL_SIZE = 50  # shipments the /status users' items are drawn from


@dataclass(frozen=True, slots=True)
class Plan:
    updates: int
    warmup: int
    paced: int
    items: int
    rate: float | None
    profile_dir: Path | None


def parse_args(argv: Sequence[str] | None = None) -> Plan:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch", description=__doc__)
    parser.add_argument("--updates", type=int, help="updates per burst (default 1000; quick 200)")
    parser.add_argument("--quick", action="store_true", help="a small run to check it works")
    parser.add_argument("--rate", type=float, help="steady rate in updates/s for the latencies")
    parser.add_argument("--items", type=int, default=3, help="items each /status user follows")
    parser.add_argument("--profile", type=Path, help="write each bot's cProfile stats here")
    args = parser.parse_args(argv)
    updates = args.updates or (200 if args.quick else 1000)
    if updates < 10 or not 1 <= args.items <= POOL_SIZE:
        parser.error("--updates must be at least 10 and --items between 1 and 50")
    return Plan(
        updates=updates,
        warmup=max(10, min(200, updates // 5)),
        paced=max(10, min(200, updates // 4)),
        items=args.items,
        rate=args.rate,
        profile_dir=args.profile,
    )


def added(sent: str, reply: str) -> bool:
    return "Added" in reply and sent in reply


def echoed(sent: str, reply: str) -> bool:
    return reply == sent


class Workload:
    """Who sends what: a fresh user and code per add, seeded followers for /status."""

    def __init__(self, tg: FakeTelegram, plan: Plan) -> None:
        self.tg = tg
        self.plan = plan
        self.pool = [s10_code(POOL_SERIALS + k) for k in range(POOL_SIZE)]

    def _chat(self, user_id: int) -> Chat:
        return Chat(self.tg, user_id, "Bench", language_code="en")

    def adds(self, start: int, count: int) -> list[Outgoing]:
        return [
            Outgoing(self._chat(ADD_USERS + i), s10_code(ADD_SERIALS + i))
            for i in range(start, start + count)
        ]

    def echoes(self, start: int, count: int) -> list[Outgoing]:
        return [
            Outgoing(self._chat(BARE_USERS + i), s10_code(BARE_SERIALS + i))
            for i in range(start, start + count)
        ]

    def statuses(self, start: int, count: int) -> list[Outgoing]:
        return [
            Outgoing(self._chat(STATUS_USERS + j), "/status") for j in range(start, start + count)
        ]

    def followers(self) -> list[tuple[int, tuple[str, ...]]]:
        """The burst's /status users; warm-up and the steady phase ask some of them again."""
        items = self.plan.items
        return [
            (STATUS_USERS + j, tuple(self.pool[(j * items + t) % POOL_SIZE] for t in range(items)))
            for j in range(self.plan.updates)
        ]

    def status_check(self) -> ReplyCheck:
        # One item gets its card; several get the list headed "You follow N".
        expected = "You follow" if self.plan.items > 1 else self.pool[0][:2]
        return lambda sent, reply: expected in reply


async def run_full(tg: FakeTelegram, plan: Plan, work: Workload, tmp: Path) -> dict[str, Any]:
    spec = BotSpec(
        kind="full",
        token=tg.token,
        api_url=tg.base_url,
        database_path=str(tmp / "bench.sqlite3"),
        followers=work.followers(),
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
    return {
        "ready_s": ready_s,
        "rate": rate,
        "add": add,
        "status": status,
        "add_paced": add_paced,
        "status_paced": status_paced,
    }


async def run_bare(tg: FakeTelegram, plan: Plan, work: Workload, rate: float) -> dict[str, Any]:
    spec = BotSpec(
        kind="bare", token=tg.token, api_url=tg.base_url, profile_path=_profile_path(plan, "bare")
    )
    n, w = plan.updates, plan.warmup
    async with bot_process(tg, spec) as pid:
        driver = Driver(tg, pid)
        await driver.run(work.echoes(0, w), echoed)
        bare = await driver.run(work.echoes(w, n), echoed)
        bare_paced = await driver.run(work.echoes(w + n, plan.paced), echoed, rate)
    return {"bare": bare, "bare_paced": bare_paced}


def _profile_path(plan: Plan, kind: str) -> str | None:
    if plan.profile_dir is None:
        return None
    plan.profile_dir.mkdir(parents=True, exist_ok=True)
    return str(plan.profile_dir / f"{kind}.prof")


async def measure(plan: Plan) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-dispatch-") as tmp:
        async with FakeTelegram() as tg:
            work = Workload(tg, plan)
            full = await run_full(tg, plan, work, Path(tmp))
            bare = await run_bare(tg, plan, work, full["rate"])
    return {**full, **bare}


def main(argv: Sequence[str] | None = None) -> int:
    plan = parse_args(argv)
    env = environment()
    print(
        f"dispatch benchmark: {plan.updates} updates per burst, {plan.paced} at a steady rate, "
        f"{plan.warmup} warm-up; python {env['python']}, aiogram {env['aiogram']}, "
        f"{env['cpu_count']} CPUs; fake Bot API here, each bot in its own process",
        flush=True,
    )
    results = asyncio.run(measure(plan))
    settings = {
        "updates": plan.updates,
        "paced_updates": plan.paced,
        "warmup": plan.warmup,
        "items_per_status_user": plan.items,
        "burst": "all updates pushed at once; throughput = updates / (last reply - push)",
        "paced": "steady rate, same for all bots; latency = reply received - update pushed",
        "processes": "fake Bot API + driver in one process, each bot in a forked child",
    }
    data = report.summary(results, TARGET_RATIO, settings)
    data["env"] = env
    for line in report.lines(results, data):
        print(line)
    print(json.dumps(data, ensure_ascii=False), flush=True)
    return 1 if data["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
