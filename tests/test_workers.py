"""Three worker processes on one PostgreSQL database share the work: every due shipment is
polled once, every alert sent once, and a worker killed mid-way has its claims taken over."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from providers.base import TrackEvent
from providers.statuses import Status
from storage import open_database
from tests.fakes.telegram import FakeTelegram
from tests.fakes.track17 import Fake17Track
from tests.postgres import admin_url, database_url_for, require_postgres
from tests.webhooks import free_port

ROOT = Path(__file__).resolve().parent.parent
SHIPMENTS = 2000
KEY = "workers-17token"
BATCH_IN_FLIGHT = 4 * 40  # a worker's concurrent calls × numbers per call
SENDS_IN_FLIGHT = 8


def code(n: int) -> str:
    weights = (8, 6, 4, 2, 3, 5, 9, 7)
    serial = f"{n:08d}"
    check = 11 - sum(int(d) * w for d, w in zip(serial, weights, strict=True)) % 11
    return f"RR{serial}{0 if check == 10 else 5 if check == 11 else check}CN"


@pytest.fixture
async def database() -> AsyncIterator[str]:
    await require_postgres()
    name = f"workers_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield database_url_for(name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def seed(url: str, fake: Fake17Track) -> None:
    now = datetime.now(UTC)
    before = now - timedelta(days=2)
    db = await open_database(url)
    try:
        async with db.transaction() as tx:
            for n in range(SHIPMENTS):
                number = code(n)
                chat = 10_000 + n
                await tx.users.seen(chat, "ru", now)
                shipment, _ = await tx.shipments.get_or_create("track17", number, "s10", now)
                await tx.subscriptions.add(chat, shipment.id, "", now)
                await tx.events.add_new(
                    shipment.id, [TrackEvent(before, Status.IN_TRANSIT, "Принято", "Шэньчжэнь")]
                )
                await tx.shipments.record_result(
                    shipment.id,
                    status=Status.IN_TRANSIT,
                    status_text="",
                    carrier="China Post",
                    linked_code=None,
                    checked_at=before,
                    next_check_at=now - timedelta(minutes=1),
                    last_event_at=before,
                )
                fake.registered[number] = 3011
                fake.set_track(
                    number,
                    "InTransit",
                    "InTransit_Arrival",
                    events=[
                        {"time": before.isoformat(), "description": "Принято"},
                        {"time": now.isoformat(), "description": "Прибыло в Россию"},
                    ],
                )
    finally:
        await db.close()


@contextmanager
def worker(tg: FakeTelegram, fake: Fake17Track, url: str) -> Iterator[subprocess.Popen[bytes]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TRACK17_"))}
    env.update(
        BOT_TOKEN=tg.token,
        TELEGRAM_API_URL=tg.base_url,
        DATABASE_URL=url,
        TRACK17_API_KEY=KEY,
        TRACK17_API_URL=fake.url,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/tg",
        WEBHOOK_SECRET="workers-secret",
        WEB_PORT=str(port),
        POLL_TICK_SECONDS="1",
        POLL_LEASE_SECONDS="10",
        OUTBOX_LEASE_SECONDS="10",
        SEND_RATE_PER_SECOND="400",
        QUIET_HOURS="off",
        LOG_LEVEL="WARNING",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def polled(fake: Fake17Track) -> Counter[str]:
    counts: Counter[str] = Counter()
    for request in fake.requests:
        if request.endpoint == "gettrackinfo" and isinstance(request.body, list):
            counts.update(item["number"] for item in request.body if isinstance(item, dict))
    return counts


def alerts(tg: FakeTelegram) -> Counter[int]:
    return Counter(s.chat_id for s in tg.sent if s.action == "send")


async def test_three_workers_share_the_work_and_take_over_a_killed_ones_claims(
    tg: FakeTelegram, database: str
) -> None:
    async with Fake17Track(KEY) as fake:
        await seed(database, fake)
        with (
            worker(tg, fake, database),
            worker(tg, fake, database) as doomed,
            worker(tg, fake, database),
        ):
            await tg.wait_until(
                lambda: len(polled(fake)) >= SHIPMENTS // 10, 120, "the workers to start polling"
            )
            doomed.send_signal(signal.SIGKILL)
            await tg.wait_until(
                lambda: len(polled(fake)) == SHIPMENTS and len(alerts(tg)) == SHIPMENTS,
                180,
                "every shipment polled and every follower alerted",
            )
            await asyncio.sleep(2)  # room for a wrongful repeat to show up
        counts, sent = polled(fake), alerts(tg)
    assert set(counts) == {code(n) for n in range(SHIPMENTS)}
    assert max(counts.values()) <= 2
    assert sum(1 for n in counts.values() if n == 2) <= BATCH_IN_FLIGHT
    assert set(sent) == {10_000 + n for n in range(SHIPMENTS)}
    assert sum(n - 1 for n in sent.values()) <= SENDS_IN_FLIGHT
