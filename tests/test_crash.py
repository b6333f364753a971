"""Crash safety of the outbox: a SIGKILL during a send loses nothing and repeats at most the
message that was in flight; SIGTERM stops the bot cleanly. The bot runs as a real process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from providers.base import TrackEvent
from providers.statuses import Status
from storage import open_database
from tests.fakes.telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
CHATS = (101, 102, 103, 104, 105)


async def seed_alerts(db_url: str) -> None:
    """Five followers of five parcels, each with one alert queued and not yet sent."""
    now = datetime.now(UTC)
    db = await open_database(db_url)
    try:
        async with db.transaction() as tx:
            for n, chat in enumerate(CHATS):
                await tx.users.seen(chat, "ru", now)
                shipment, _ = await tx.shipments.get_or_create(
                    "track17", f"RA00001234{n}CN", "s10", now
                )
                sub, _ = await tx.subscriptions.add(chat, shipment.id, f"посылка {n}", now)
                events = await tx.events.add_new(
                    shipment.id, [TrackEvent(now, Status.IN_TRANSIT, "Покинуло СЦ", "Москва")]
                )
                payload = {
                    "shipment_id": shipment.id,
                    "subscription_id": sub.id,
                    "event_ids": [events[0].id],
                    "status": "in_transit",
                    "previous_status": "not_found",
                }
                await tx.outbox.enqueue(chat, "alert", payload, f"alert:{sub.id}:x", now, now)
    finally:
        await db.close()


@contextmanager
def bot_process(tg: FakeTelegram, db_url: str, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TRACK17_", "SHOP_"))
    }
    environment.update(
        BOT_TOKEN=tg.token,
        TELEGRAM_API_URL=tg.base_url,
        DATABASE_URL=db_url,
        QUIET_HOURS="off",
        WEB_PORT="0",
        POLL_TICK_SECONDS="3600",
        LOG_LEVEL="WARNING",
        **env,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


def deliveries(tg: FakeTelegram) -> dict[int, int]:
    counts = dict.fromkeys(CHATS, 0)
    for sent in tg.sent:
        if sent.action == "send" and sent.chat_id in counts:
            counts[sent.chat_id] += 1
    return counts


async def test_sigkill_during_a_held_send_loses_nothing(tg: FakeTelegram, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    await seed_alerts(db_url)
    tg.hold_sends()
    lease = {"OUTBOX_LEASE_SECONDS": "2", "SEND_RATE_PER_SECOND": "1"}
    with bot_process(tg, db_url, **lease) as first:
        await tg.wait_until(lambda: tg.held >= 1, timeout=90, what="a send in flight")
        first.send_signal(signal.SIGKILL)
        await asyncio.to_thread(first.wait, 10)
    tg.release_sends(deliver=True)  # the in-flight message reached Telegram after all
    await tg.until(lambda: sum(deliveries(tg).values()) >= 1, timeout=5)
    with bot_process(tg, db_url, **lease) as second:
        await tg.wait_until(
            lambda: all(deliveries(tg).values()), timeout=90, what="every alert delivered"
        )
        await asyncio.sleep(1.5)  # room for a wrongful repeat to show up
        second.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(second.wait, 10)
    counts = deliveries(tg)
    assert code == 0
    assert all(n >= 1 for n in counts.values())  # nothing lost
    assert sum(n - 1 for n in counts.values()) <= 1  # at most the in-flight one twice


async def test_sigterm_stops_the_bot_cleanly_and_a_restart_sends_nothing_old(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    db_url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    await seed_alerts(db_url)
    with bot_process(tg, db_url) as first:
        await tg.wait_until(lambda: all(deliveries(tg).values()), timeout=90, what="alerts")
        first.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(first.wait, 10) == 0
    with bot_process(tg, db_url) as second:
        await tg.wait_until(
            lambda: any(c.method == "getUpdates" for c in tg.calls[-5:]),
            timeout=90,
            what="the restarted bot polling",
        )
        await asyncio.sleep(2)
        second.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(second.wait, 10) == 0
    assert all(n == 1 for n in deliveries(tg).values())
